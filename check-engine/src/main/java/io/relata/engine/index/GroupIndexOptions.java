package io.relata.engine.index;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether and how the engine keeps a nested-group index.
 *
 * @param enabled            false: no index, the engine behaves exactly as without one (the default)
 * @param maxEdgesPerTenant  relationships one tenant's index may hold; past it the index turns itself off
 *                           for that tenant (logged, counted) and its checks walk the graph; default 5,000,000
 * @param catchUpWait        how long a check at a revision the index does not hold yet may wait for it to be
 *                           built or to catch up from the change log before it walks the graph; default 50 ms
 * @param refreshInterval    how often the indexer reads the change log of each indexed tenant; default 200 ms
 */
public record GroupIndexOptions(boolean enabled, long maxEdgesPerTenant, Duration catchUpWait,
        Duration refreshInterval) {

    /** No index. */
    public static final GroupIndexOptions OFF = new GroupIndexOptions(false, 5_000_000, Duration.ofMillis(50),
            Duration.ofMillis(200));

    /** An index with the default limits. */
    public static final GroupIndexOptions ON = OFF.withEnabled(true);

    public GroupIndexOptions {
        if (maxEdgesPerTenant < 0) {
            throw new IllegalArgumentException("maxEdgesPerTenant must not be negative");
        }
        Objects.requireNonNull(catchUpWait, "catchUpWait");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        if (catchUpWait.isNegative()) {
            throw new IllegalArgumentException("catchUpWait must not be negative");
        }
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval must be positive");
        }
    }

    /**
     * {@link #ON} for {@code on}, {@link #OFF} for {@code off} (a command-line switch).
     *
     * @throws IllegalArgumentException for anything else, saying what is allowed
     */
    public static GroupIndexOptions fromSwitch(String value) {
        return switch (value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> ON;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("--group-index takes `on` or `off`, not `" + value + "`");
        };
    }

    public GroupIndexOptions withEnabled(boolean on) {
        return new GroupIndexOptions(on, maxEdgesPerTenant, catchUpWait, refreshInterval);
    }

    public GroupIndexOptions withMaxEdgesPerTenant(long max) {
        return new GroupIndexOptions(enabled, max, catchUpWait, refreshInterval);
    }

    public GroupIndexOptions withCatchUpWait(Duration wait) {
        return new GroupIndexOptions(enabled, maxEdgesPerTenant, wait, refreshInterval);
    }

    public GroupIndexOptions withRefreshInterval(Duration interval) {
        return new GroupIndexOptions(enabled, maxEdgesPerTenant, catchUpWait, interval);
    }
}
