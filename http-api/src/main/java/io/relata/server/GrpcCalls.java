package io.relata.server;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Runs a gRPC call's work on the service layer: authenticates its bearer key, translates the
 * request to the gateway's JSON, calls the same {@link Api} method the HTTP route calls, and
 * translates the answer back. The work runs on its own pool, never on gRPC's threads; a call
 * that is cancelled, or whose deadline passes, interrupts its work.
 */
final class GrpcCalls {

    /** A streaming method of {@link Api}: writes each response line to the sink. */
    interface StreamMethod {
        void run(String tenant, JsonObject request, Api.Sink sink);
    }

    /** How long a stream waits for a client that does not read before giving up on it. */
    private static final long STALLED_CLIENT_MILLIS = 60_000;

    private final ExecutorService work;
    private final Function<String, String> tenantOfKey;

    GrpcCalls(ExecutorService work, Function<String, String> tenantOfKey) {
        this.work = work;
        this.tenantOfKey = tenantOfKey;
    }

    /** The tenant of the calling key (blocking; refuses an unknown key). */
    String tenant() {
        return tenantOfKey.apply(BearerKeys.KEY.get());
    }

    <Q extends Message, R extends Message> void unary(Q request, StreamObserver<R> out, R prototype,
            BiFunction<String, JsonObject, JsonObject> method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        submit(call, () -> {
            R response = ProtoJson.fromJson(method.apply(tenant(), ProtoJson.toJson(request)), prototype);
            call.onNext(response);
            call.onCompleted();
        });
    }

    /**
     * A server stream: each line the method writes is sent as it is found; when the client
     * reads slower than lines come, the work waits for it (so lines do not pile up in
     * memory), and stops when the client goes away or does not read for a minute.
     */
    <Q extends Message, R extends Message> void stream(Q request, StreamObserver<R> out, R prototype,
            StreamMethod method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        Object ready = new Object();
        call.setOnReadyHandler(() -> {
            synchronized (ready) {
                ready.notifyAll();
            }
        });
        submit(call, () -> {
            method.run(tenant(), ProtoJson.toJson(request), line -> {
                if (call.isCancelled()) {
                    return false;
                }
                call.onNext(ProtoJson.fromJson(line, prototype));
                return awaitReady(call, ready);
            });
            if (!call.isCancelled()) {
                call.onCompleted();
            }
        });
    }

    static boolean awaitReady(ServerCallStreamObserver<?> call, Object ready) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STALLED_CLIENT_MILLIS);
        synchronized (ready) {
            while (!call.isReady() && !call.isCancelled()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    ready.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !call.isCancelled();
    }

    /** Runs {@code task} for {@code call} on the work pool; its failure becomes the call's status. */
    void submit(ServerCallStreamObserver<?> call, Runnable task) {
        Context context = Context.current();
        Future<?> running;
        try {
            running = work.submit(context.wrap(() -> {
                try {
                    task.run();
                } catch (Throwable failure) {
                    if (!call.isCancelled()) {
                        call.onError(GrpcErrors.of(failure));
                    }
                }
            }));
        } catch (RejectedExecutionException full) {
            call.onError(GrpcErrors.of(Errors.status(8, "the server is at capacity; retry shortly")));
            return;
        }
        // Cancelled by the client, or its deadline passed: stop the work.
        call.setOnCancelHandler(() -> running.cancel(true));
    }
}
