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
 * @param tenants            the tenants to index; empty (the default) for every tenant
 * @param history            how long (by commit time) the index keeps what a change replaced, so that
 *                           questions at revisions that old are still answered from it; default 60 s
 */
public record GroupIndexOptions(boolean enabled, long maxEdgesPerTenant, Duration catchUpWait,
        Duration refreshInterval, java.util.Set<String> tenants, Duration history) {

    /** No index. */
    public static final GroupIndexOptions OFF = new GroupIndexOptions(false, 5_000_000, Duration.ofMillis(50),
            Duration.ofMillis(200), java.util.Set.of(), Duration.ofSeconds(60));

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
        tenants = java.util.Set.copyOf(tenants);
        Objects.requireNonNull(history, "history");
        if (history.isNegative()) {
            throw new IllegalArgumentException("history must not be negative");
        }
    }

    /** Whether {@code tenant} is indexed (when the index is on). */
    public boolean covers(String tenant) {
        return tenants.isEmpty() || tenants.contains(tenant);
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
        return new GroupIndexOptions(on, maxEdgesPerTenant, catchUpWait, refreshInterval, tenants, history);
    }

    public GroupIndexOptions withMaxEdgesPerTenant(long max) {
        return new GroupIndexOptions(enabled, max, catchUpWait, refreshInterval, tenants, history);
    }

    public GroupIndexOptions withCatchUpWait(Duration wait) {
        return new GroupIndexOptions(enabled, maxEdgesPerTenant, wait, refreshInterval, tenants, history);
    }

    public GroupIndexOptions withRefreshInterval(Duration interval) {
        return new GroupIndexOptions(enabled, maxEdgesPerTenant, catchUpWait, interval, tenants, history);
    }

    /** Indexes only {@code names} (none: every tenant). */
    public GroupIndexOptions withTenants(java.util.Collection<String> names) {
        return new GroupIndexOptions(enabled, maxEdgesPerTenant, catchUpWait, refreshInterval, java.util.Set.copyOf(names),
                history);
    }

    public GroupIndexOptions withHistory(Duration keep) {
        return new GroupIndexOptions(enabled, maxEdgesPerTenant, catchUpWait, refreshInterval, tenants, keep);
    }
}
