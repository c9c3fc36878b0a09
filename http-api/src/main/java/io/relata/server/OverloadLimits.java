package io.relata.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work the server takes on before it refuses more with {@code RESOURCE_EXHAUSTED}
 * (HTTP 429), so that no caller can make every other caller wait without end.
 *
 * @param streamsPerTenant how many server streams (lookups, relationship reads, exports, watches)
 *                         one tenant may have open at once, over both transports; default 32
 * @param streams          how many server streams may run at once in all; each runs on a thread of
 *                         its own, apart from the workers that answer checks, so streams whose
 *                         clients do not read never hold up a check; default 256
 * @param streamStall      how long a stream waits for a client that does not read before it ends
 *                         the stream with an error; default 10 s
 * @param queuedRequests   how many unary requests (checks, writes, ...) may wait for a worker of
 *                         each transport when all are busy; default 1,000
 * @param requestsPerKey   how many unary requests and client streams of one API key may be in flight
 *                         (running or waiting for a worker) at once, over both transports; default 256
 */
public record OverloadLimits(int streamsPerTenant, int streams, Duration streamStall, int queuedRequests,
        int requestsPerKey) {

    public static final int DEFAULT_REQUESTS_PER_KEY = 256;

    public static final OverloadLimits DEFAULTS = new OverloadLimits(32, 256, Duration.ofSeconds(10), 1_000,
            DEFAULT_REQUESTS_PER_KEY);

    /** These limits with the default {@link #requestsPerKey}. */
    public OverloadLimits(int streamsPerTenant, int streams, Duration streamStall, int queuedRequests) {
        this(streamsPerTenant, streams, streamStall, queuedRequests, DEFAULT_REQUESTS_PER_KEY);
    }

    /**
     * @throws IllegalArgumentException when a count is below 1 ({@code queuedRequests} below 0), or the
     *                                  stall timeout is not positive
     */
    public OverloadLimits {
        if (streamsPerTenant < 1 || streams < 1) {
            throw new IllegalArgumentException("stream limits must be at least 1, got " + streamsPerTenant + " per"
                    + " tenant and " + streams + " in all");
        }
        Objects.requireNonNull(streamStall, "streamStall");
        if (streamStall.isNegative() || streamStall.isZero()) {
            throw new IllegalArgumentException("the stream stall timeout must be positive, got " + streamStall);
        }
        if (queuedRequests < 0) {
            throw new IllegalArgumentException("queuedRequests must not be negative, got " + queuedRequests);
        }
        if (requestsPerKey < 1) {
            throw new IllegalArgumentException("requestsPerKey must be at least 1, got " + requestsPerKey);
        }
    }
}
