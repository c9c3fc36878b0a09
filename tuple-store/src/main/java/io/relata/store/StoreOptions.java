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
 */
public record StoreOptions(int maxUpdatesPerWrite, Duration gcWindow, Clock clock) {

    public static final StoreOptions DEFAULTS = new StoreOptions(1_000, Duration.ofHours(24), Clock.systemUTC());

    public StoreOptions {
        if (maxUpdatesPerWrite < 1) {
            throw new IllegalArgumentException("maxUpdatesPerWrite must be at least 1, got " + maxUpdatesPerWrite);
        }
        Objects.requireNonNull(gcWindow, "gcWindow");
        if (gcWindow.isNegative()) {
            throw new IllegalArgumentException("gcWindow must not be negative");
        }
        Objects.requireNonNull(clock, "clock");
    }

    public StoreOptions withClock(Clock clock) {
        return new StoreOptions(maxUpdatesPerWrite, gcWindow, clock);
    }

    public StoreOptions withMaxUpdatesPerWrite(int max) {
        return new StoreOptions(max, gcWindow, clock);
    }

    public StoreOptions withGcWindow(Duration window) {
        return new StoreOptions(maxUpdatesPerWrite, window, clock);
    }
}
