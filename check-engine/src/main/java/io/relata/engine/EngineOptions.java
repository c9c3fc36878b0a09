package io.relata.engine;

import java.time.Duration;
import io.relata.engine.index.GroupIndexOptions;
import java.util.Objects;

/**
 * Limits and sizes of the engine.
 *
 * @param maxDepth          how deep an evaluation may recurse (relations, arrows, usersets); default 50
 * @param deadline          how long one call may take; default 10 seconds
 * @param cacheSize         how many sub-results the cache keeps; default 100,000 (0: no cache)
 * @param parallelism       threads that evaluate checks and lookups; default 16 or twice the cores,
 *                          whichever is more, because an evaluation mostly waits on the store (one
 *                          thread per pooled connection keeps the store busy)
 * @param relationshipCacheSize how many relationships read from the store are kept for other
 *                          requests at the same revision; default 1,000,000 (0: none kept)
 * @param groupIndex        the nested-group index ({@link GroupIndexOptions}); default off
 */
public record EngineOptions(int maxDepth, Duration deadline, long cacheSize, int parallelism,
        long relationshipCacheSize, GroupIndexOptions groupIndex) {

    public static final EngineOptions DEFAULTS = new EngineOptions(50, Duration.ofSeconds(10), 100_000,
            Math.max(16, 2 * Runtime.getRuntime().availableProcessors()), 1_000_000);

    /** Options without a nested-group index. */
    public EngineOptions(int maxDepth, Duration deadline, long cacheSize, int parallelism, long relationshipCacheSize) {
        this(maxDepth, deadline, cacheSize, parallelism, relationshipCacheSize, GroupIndexOptions.OFF);
    }

    public EngineOptions {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1, got " + maxDepth);
        }
        Objects.requireNonNull(deadline, "deadline");
        if (cacheSize < 0) {
            throw new IllegalArgumentException("cacheSize must not be negative");
        }
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1");
        }
        if (relationshipCacheSize < 0) {
            throw new IllegalArgumentException("relationshipCacheSize must not be negative");
        }
        Objects.requireNonNull(groupIndex, "groupIndex");
    }

    public EngineOptions withMaxDepth(int depth) {
        return new EngineOptions(depth, deadline, cacheSize, parallelism, relationshipCacheSize, groupIndex);
    }

    public EngineOptions withDeadline(Duration d) {
        return new EngineOptions(maxDepth, d, cacheSize, parallelism, relationshipCacheSize, groupIndex);
    }

    public EngineOptions withCacheSize(long size) {
        return new EngineOptions(maxDepth, deadline, size, parallelism, relationshipCacheSize, groupIndex);
    }

    public EngineOptions withRelationshipCacheSize(long size) {
        return new EngineOptions(maxDepth, deadline, cacheSize, parallelism, size, groupIndex);
    }

    public EngineOptions withGroupIndex(GroupIndexOptions index) {
        return new EngineOptions(maxDepth, deadline, cacheSize, parallelism, relationshipCacheSize, index);
    }
}
