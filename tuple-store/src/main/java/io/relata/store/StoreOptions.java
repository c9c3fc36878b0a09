package io.relata.store;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings every store takes.
 *
 * @param maxUpdatesPerWrite  updates (and preconditions) one write may carry; default 1,000
 * @param gcWindow            how long deleted versions stay readable; default 24 hours
 * @param clock               the time source: commit times, expiration, the GC window
 * @param readTimeout         how long one read may run in the database before it is cancelled with
 *                            {@link StoreTimeoutException}: of relationships or schema (for a check, lookup,
 *                            expand or read), of revisions (head, oldest readable, at a time), of a tenant, of
 *                            an API key, and each statement of a change-log read (Watch);
 *                            {@link Duration#ZERO} for no bound (the default).
 *                            Writes, imports and garbage collection are never bounded by it. A store whose
 *                            timer counts whole seconds rounds it up.
 */
public record StoreOptions(int maxUpdatesPerWrite, Duration gcWindow, Clock clock, Duration readTimeout) {

    public static final StoreOptions DEFAULTS = new StoreOptions(1_000, Duration.ofHours(24), Clock.systemUTC(),
            Duration.ZERO);

    public StoreOptions {
        if (maxUpdatesPerWrite < 1) {
            throw new IllegalArgumentException("maxUpdatesPerWrite must be at least 1, got " + maxUpdatesPerWrite);
        }
        Objects.requireNonNull(gcWindow, "gcWindow");
        if (gcWindow.isNegative()) {
            throw new IllegalArgumentException("gcWindow must not be negative");
        }
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (readTimeout.isNegative()) {
            throw new IllegalArgumentException("readTimeout must not be negative");
        }
    }

    public StoreOptions withClock(Clock clock) {
        return new StoreOptions(maxUpdatesPerWrite, gcWindow, clock, readTimeout);
    }

    public StoreOptions withMaxUpdatesPerWrite(int max) {
        return new StoreOptions(max, gcWindow, clock, readTimeout);
    }

    public StoreOptions withGcWindow(Duration window) {
        return new StoreOptions(maxUpdatesPerWrite, window, clock, readTimeout);
    }

    /** These options with reads bounded by {@code timeout} (zero: unbounded); see {@link #readTimeout}. */
    public StoreOptions withReadTimeout(Duration timeout) {
        return new StoreOptions(maxUpdatesPerWrite, gcWindow, clock, timeout);
    }
}
