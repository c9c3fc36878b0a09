package io.relata.server;

import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchResponse;
import com.authzed.api.v1.WatchServiceGrpc;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code authzed.api.v1.WatchService}: the HTTP watch's {@link Api#watch} and {@link Api#poll},
 * polled every {@link HttpHandlers#WATCH_POLL_MILLIS} on the work pool, and only while the
 * client reads: a client that stops reading holds no buffer and no thread.
 */
final class GrpcWatch extends WatchServiceGrpc.WatchServiceImplBase {

    /** The watch's request, as the polls check the key against it again. */
    private static final Context.Key<JsonObject> REQUEST = Context.key("relata-watch-request");

    private final Api api;
    private final GrpcCalls calls;
    private final ExecutorService work;
    private final ScheduledExecutorService timer;
    private volatile boolean stopping;

    GrpcWatch(Api api, GrpcCalls calls, ExecutorService work, ScheduledExecutorService timer) {
        this.api = api;
        this.calls = calls;
        this.work = work;
        this.timer = timer;
    }

    /** Ends every watch at its next poll: the server is stopping. */
    void stop() {
        stopping = true;
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchResponse> out) {
        ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) out;
        Context context = Context.current();
        calls.submit(call, () -> {
            JsonObject json = ProtoJson.toJson(request);
            ChangeFeed.Watch watch = api.watch(calls.tenant(() -> json), json);
            later(call, context.withValue(REQUEST, json), watch, 0);
        });
    }

    private void later(ServerCallStreamObserver<WatchResponse> call, Context context, ChangeFeed.Watch watch, long millis) {
        if (call.isCancelled()) {
            return;
        }
        try {
            timer.schedule(() -> {
                try {
                    work.execute(context.wrap(() -> poll(call, context, watch)));
                } catch (RejectedExecutionException full) {
                    later(call, context, watch, HttpHandlers.WATCH_POLL_MILLIS);
                }
            }, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            call.onError(GrpcErrors.of(Errors.status(14, "the server is stopping")));
        }
    }

    private void poll(ServerCallStreamObserver<WatchResponse> call, Context context, ChangeFeed.Watch watch) {
        if (call.isCancelled()) {
            return;
        }
        if (stopping) {
            call.onError(GrpcErrors.of(Errors.status(14, "the server is stopping; watch again from the last"
                    + " changesThrough token")));
            return;
        }
        try {
            calls.tenant(REQUEST::get); // a revoked key ends the stream
            if (call.isReady()) {
                for (JsonObject line : api.poll(watch)) {
                    call.onNext(ProtoJson.fromJson(line, WatchResponse.getDefaultInstance()));
                }
            }
            later(call, context, watch, HttpHandlers.WATCH_POLL_MILLIS);
        } catch (Throwable failure) {
            if (!call.isCancelled()) {
                call.onError(GrpcErrors.of(failure));
            }
        }
    }
}
