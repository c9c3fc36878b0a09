package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Semaphore;

/**
 * The bound on a transport's work queue: at most its workers' count plus
 * {@link OverloadLimits#queuedRequests()} requests are admitted at once (running or waiting for a
 * worker), and at most {@link OverloadLimits#requestsPerKey()} of one key over every transport
 * ({@link KeyRequestLimit}); one more answers RESOURCE_EXHAUSTED (HTTP 429) at once instead of
 * queueing without end. Refusals are counted in {@code relata.requests.refused{reason="queue_full"}}.
 */
final class RequestQueue {

    private final Semaphore admitted;
    private final int workers;
    private final int queued;
    private final Counter refused;
    private final KeyRequestLimit perKey;

    RequestQueue(int workers, int queued, KeyRequestLimit perKey, MeterRegistry metrics) {
        this.workers = workers;
        this.queued = queued;
        this.perKey = perKey;
        this.admitted = new Semaphore(workers + queued);
        this.refused = refused(metrics, "queue_full");
    }

    /** {@code relata.requests.refused} for one reason. */
    static Counter refused(MeterRegistry metrics, String reason) {
        return Counter.builder("relata.requests.refused").tag("reason", reason)
                .description("Requests refused with RESOURCE_EXHAUSTED because a limit was reached").register(metrics);
    }

    /**
     * Admits one request of bearer key {@code key} (null when it has none), to be {@link #leave}d
     * when it is done.
     *
     * @throws ApiException RESOURCE_EXHAUSTED when the key has its limit in flight, or the queue is full
     */
    void enter(String key) {
        perKey.enter(key);
        if (!admitted.tryAcquire()) {
            perKey.leave(key);
            refused.increment();
            throw full(workers, queued);
        }
    }

    /**
     * {@link #enter} for work that can wait its turn (a watch's next poll): true when admitted, to
     * be {@link #leave}d; false, refusing and counting nothing, when the key has its limit in
     * flight or the queue is full.
     */
    boolean tryEnter(String key) {
        if (!perKey.tryEnter(key)) {
            return false;
        }
        if (!admitted.tryAcquire()) {
            perKey.leave(key);
            return false;
        }
        return true;
    }

    /** Gives back what {@link #enter} or {@link #tryEnter} took for {@code key}. */
    void leave(String key) {
        admitted.release();
        perKey.leave(key);
    }

    /** The error of a full queue. */
    static ApiException full(int workers, int queued) {
        return new ApiException(ApiException.RESOURCE_EXHAUSTED, "the server is at capacity: " + workers + " requests are running and " + queued
                + " waiting; retry shortly");
    }
}
