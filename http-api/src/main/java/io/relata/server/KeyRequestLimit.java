package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bound on one API key's requests in flight ({@link OverloadLimits#requestsPerKey()}), shared
 * by every transport: a unary call or client stream holds one of its key's slots from its
 * admission (before it waits for a worker) until it is answered, so one key can neither fill the
 * work queues nor hold every worker. One more answers RESOURCE_EXHAUSTED (HTTP 429) at once,
 * counted in {@code relata.requests.refused{reason="key_limit"}}. A key's entry exists only
 * while it has requests in flight, so the table is no larger than the requests admitted.
 */
final class KeyRequestLimit {

    private final int limit;
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final Counter refused;

    KeyRequestLimit(int limit, MeterRegistry metrics) {
        this.limit = limit;
        this.refused = RequestQueue.refused(metrics, "key_limit");
    }

    /**
     * Takes a slot of {@code key} (null: none is taken, nothing to bound), to be given back by
     * {@link #leave}.
     *
     * @throws ApiException RESOURCE_EXHAUSTED when the key already has its limit in flight
     */
    void enter(String key) {
        if (!tryEnter(key)) {
            refused.increment();
            throw new ApiException(ApiException.RESOURCE_EXHAUSTED, "this API key already has " + limit
                    + (limit == 1 ? " request" : " requests") + " in flight, its limit (--max-requests-per-key);"
                    + " retry once some are answered");
        }
    }

    /**
     * Takes a slot of {@code key} if it has one free (null: nothing to bound, always true), to be
     * given back by {@link #leave}; false, counting nothing, when it has its limit in flight.
     */
    boolean tryEnter(String key) {
        if (key == null) {
            return true;
        }
        boolean[] admitted = {false};
        inFlight.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= limit) {
                return n;
            }
            admitted[0] = true;
            return now + 1;
        });
        return admitted[0];
    }

    /** How many keys have requests in flight now. */
    int keysInFlight() {
        return inFlight.size();
    }

    /** Gives back a slot {@link #enter} took for {@code key}. */
    void leave(String key) {
        if (key != null) {
            inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}
