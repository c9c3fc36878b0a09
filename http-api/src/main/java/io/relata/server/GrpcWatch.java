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
 * client reads: a client that stops reading holds no buffer and no thread, and after the stall
 * timeout ({@link Streams}) its watch ends with ABORTED. Each watch holds one of its tenant's
 * stream slots, and each poll a place in the request queue and one of its key's request slots
 * while it runs ({@link RequestQueue}); a poll refused those, or whose change-log read timed out,
 * is tried again at the next tick, and once polls have been skipped so for longer than the stall
 * timeout the watch ends ({@link SkippedPolls}).
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

    /** One watch call: what it follows, the stream slot it holds, and since when its client has not read. */
    private static final class Watching {
        final ServerCallStreamObserver<WatchResponse> call;
        final Context context;
        final ChangeFeed.Watch watch;
        final Streams.Slot slot;
        /** The bearer key: each poll takes one of its request slots. */
        final String key;
        long unreadSince = -1;
        /** Since when its polls have been refused a request slot, and since when they have timed out. */
        final SkippedPolls refused = new SkippedPolls();
        final SkippedPolls timedOut = new SkippedPolls();

        Watching(ServerCallStreamObserver<WatchResponse> call, Context context, ChangeFeed.Watch watch,
                Streams.Slot slot, String key) {
            this.key = key;
            this.call = call;
            this.context = context;
            this.watch = watch;
            this.slot = slot;
        }

        /** Ends the call with {@code status} (unless the client has gone) and gives back its slot. */
        void end(Throwable status) {
            slot.close();
            if (!call.isCancelled()) {
                call.onError(status);
            }
        }
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<WatchResponse> out) {
        ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) out;
        Context context = Context.current();
        calls.submit(call, () -> {
            JsonObject json = ProtoJson.toJson(request);
            String tenant = calls.tenant(() -> json);
            Streams.Slot slot = api.streams().open(tenant);
            ChangeFeed.Watch watch;
            try {
                watch = api.watch(tenant, json);
            } catch (RuntimeException e) {
                slot.close();
                throw e;
            }
            later(new Watching(call, context.withValue(REQUEST, json), watch, slot, BearerKeys.KEY.get()), 0);
        });
    }

    /** Polls the watch after {@code millis}; a watch that ends gives back its stream slot. */
    private void later(Watching w, long millis) {
        if (w.call.isCancelled()) {
            w.slot.close();
            return;
        }
        try {
            timer.schedule(() -> {
                // Each poll is admitted as a request is; while the queue is full or the key has its
                // limit in flight, it waits for the next tick, up to the stall timeout.
                if (!calls.tryEnter(w.key)) {
                    refusedPoll(w);
                    return;
                }
                w.refused.ran();
                try {
                    work.execute(w.context.wrap(() -> {
                        try {
                            poll(w);
                        } finally {
                            calls.leave(w.key);
                        }
                    }));
                } catch (RejectedExecutionException full) {
                    calls.leave(w.key);
                    refusedPoll(w);
                }
            }, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            w.end(GrpcErrors.of(Errors.status(14, "the server is stopping")));
        }
    }

    /**
     * A poll found no room: the watch ends once its polls have been refused for longer than the
     * stall timeout, or its client has not read for as long; else it waits for the next tick.
     */
    private void refusedPoll(Watching w) {
        long stall = api.streams().stallMillis();
        if (w.call.isCancelled()) {
            w.slot.close();
        } else if (w.refused.skipped(stall)) {
            w.end(GrpcErrors.of(SkippedPolls.refused(stall)));
        } else if (stalled(w)) {
            w.end(GrpcErrors.of(api.streams().stalled()));
        } else {
            later(w, HttpHandlers.WATCH_POLL_MILLIS);
        }
    }

    /** Whether the client has not read for longer than the stall timeout (starting the clock if it just stopped). */
    private boolean stalled(Watching w) {
        if (w.call.isReady()) {
            w.unreadSince = -1;
            return false;
        }
        if (w.unreadSince < 0) {
            w.unreadSince = System.nanoTime();
            return false;
        }
        return System.nanoTime() - w.unreadSince > TimeUnit.MILLISECONDS.toNanos(api.streams().stallMillis());
    }

    private void poll(Watching w) {
        if (w.call.isCancelled()) {
            w.slot.close();
            return;
        }
        if (stopping) {
            w.end(GrpcErrors.of(Errors.status(14, "the server is stopping; watch again from the last"
                    + " changesThrough token")));
            return;
        }
        try {
            calls.tenant(REQUEST::get); // a revoked key ends the stream
            if (stalled(w)) {
                // A client that stopped reading is told so, rather than held (with its slot) without end.
                w.end(GrpcErrors.of(api.streams().stalled()));
                return;
            }
            if (w.call.isReady()) {
                for (JsonObject line : api.poll(w.watch)) {
                    w.call.onNext(ProtoJson.fromJson(line, WatchResponse.getDefaultInstance()));
                }
                w.timedOut.ran();
            }
            later(w, HttpHandlers.WATCH_POLL_MILLIS);
        } catch (Throwable failure) {
            long stall = api.streams().stallMillis();
            if (!SkippedPolls.isTimeout(failure)) {
                w.end(GrpcErrors.of(failure));
            } else if (w.timedOut.skipped(stall)) {
                w.end(GrpcErrors.of(SkippedPolls.timedOut(stall)));
            } else {
                later(w, HttpHandlers.WATCH_POLL_MILLIS); // a read that timed out: this tick is skipped
            }
        }
    }
}
