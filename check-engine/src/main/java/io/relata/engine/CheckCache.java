package io.relata.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;

/**
 * Finished sub-results (is this subject in resource#relation?), shared by all requests, by
 * tenant, revision, resource, relation or permission, subject and caveat context. Entries
 * never go stale: a revision never changes. Bounded in size; counts hits and misses.
 */
public final class CheckCache {

    record Key(String tenant, long revision, String type, String id, String name, String subject, String context) {}

    /** How a caveat context appears in keys: empty for none, else its JSON. */
    static String contextKey(java.util.Map<String, Object> context) {
        return context.isEmpty() ? "" : io.relata.store.Json.write(context);
    }

    private final Cache<Key, Truth> cache;

    public CheckCache(long maximumSize) {
        this.cache = Caffeine.newBuilder().maximumSize(maximumSize).recordStats().build();
    }

    Truth get(Key key) {
        return cache.getIfPresent(key);
    }

    /**
     * The entry for {@code key} without counting a miss when there is none (the caller then asks
     * through {@link #get}, which counts); a hit is counted.
     */
    Truth peek(Key key) {
        return cache.asMap().containsKey(key) ? cache.getIfPresent(key) : null;
    }

    void put(Key key, Truth value) {
        cache.put(key, value);
    }

    /** Hits, misses and evictions so far. */
    public CacheStats stats() {
        return cache.stats();
    }

    public long size() {
        return cache.estimatedSize();
    }
}
