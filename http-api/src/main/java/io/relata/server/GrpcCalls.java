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

    /** A method of {@link Api} that takes a client stream: pulls each request message as it needs it. */
    interface ClientStreamMethod {
        JsonObject run(String tenant, java.util.Iterator<JsonObject> requests);
    }

    /** How long a client stream may send nothing before the call is abandoned. */
    private static final long IDLE_CLIENT_MILLIS = 60_000;

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

    /**
     * A client stream: the method pulls each message as it needs it, and only then is the
     * client asked for the next (gRPC flow control), so a fast sender is held back rather
     * than buffered. The client cancelling, or sending nothing for a minute, fails the pull
     * and so the method's work (an import then writes nothing).
     */
    <Q extends Message, R extends Message> StreamObserver<Q> clientStream(StreamObserver<R> out, R prototype,
            ClientStreamMethod method) {
        ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) out;
        call.disableAutoRequest();
        java.util.concurrent.BlockingQueue<Object> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
        Object end = new Object();
        java.util.Iterator<JsonObject> requests = new java.util.Iterator<>() {
            private Object next;

            @Override
            public boolean hasNext() {
                if (next == null) {
                    try {
                        next = arrived.poll(IDLE_CLIENT_MILLIS, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new ApiException(1, "the call was cancelled");
                    }
                    if (next == null) {
                        throw ApiException.invalid("the client sent nothing for " + IDLE_CLIENT_MILLIS / 1000
                                + " s; the stream is abandoned");
                    }
                }
                if (next instanceof Throwable failure) {
                    throw new ApiException(1, "the client ended the stream with an error: " + failure.getMessage());
                }
                return next != end;
            }

            @Override
            public JsonObject next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                Message message = (Message) next;
                next = null;
                call.request(1);
                return ProtoJson.toJson(message);
            }
        };
        submit(call, () -> {
            R response = ProtoJson.fromJson(method.run(tenant(), requests), prototype);
            call.onNext(response);
            call.onCompleted();
        });
        call.request(1);
        return new StreamObserver<>() {
            @Override
            public void onNext(Q message) {
                arrived.add(message);
            }

            @Override
            public void onError(Throwable failure) {
                arrived.add(failure);
            }

            @Override
            public void onCompleted() {
                arrived.add(end);
            }
        };
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
