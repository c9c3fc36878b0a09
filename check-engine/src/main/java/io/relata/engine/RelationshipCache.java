package io.relata.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.relata.store.Relationship;
import java.util.List;

/**
 * Relationships read from the store, shared by all requests, by tenant, revision, resource
 * type, resource id and relation: what a check reads of a group (its parent, its members) is
 * the same whoever asks, so the second request at a revision reads it from memory. A
 * revision's relationships never change; they can only expire, so readers drop the expired
 * ones. Bounded by the number of relationships held.
 */
public final class RelationshipCache {

    record Key(String tenant, long revision, String type, String id, String relation) {}

    private final Cache<Key, List<Relationship>> cache;

    public RelationshipCache(long maximumRelationships) {
        this.cache = Caffeine.newBuilder().maximumWeight(maximumRelationships)
                .weigher((Key k, List<Relationship> v) -> 1 + v.size()).recordStats().build();
    }

    List<Relationship> get(Key key) {
        return cache.getIfPresent(key);
    }

    void put(Key key, List<Relationship> value) {
        cache.put(key, value);
    }

    /** Hits, misses and evictions so far. */
    public CacheStats stats() {
        return cache.stats();
    }
}
