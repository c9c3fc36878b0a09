package io.relata.engine;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.relata.store.SubjectRef;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Walks of lookups (resources: {@link ResourceWalk}; subjects: {@link SubjectWalk}) whose page ended at its limit, kept for a while so that the page resumed
 * from the last result's cursor continues the walk where it stopped instead of replaying it
 * from the start: a resumed page then costs in proportion to its own size.
 *
 * <p>A paused walk is taken out when a page resumes it, so one request at a time uses it. It
 * is used only by a request for the same lookup (tenant, revision, resource type, permission,
 * subject, caveat context; for lookup subjects, {@link SubjectsLookup}) whose cursor names the exact place it stopped at; any other cursor
 * (an earlier result's, a retried page's, one given by another server) replays the walk as
 * before, with the same results. Bounded by {@link #MAX_HELD_IDS} ids in all (a walk's
 * de-duplication sets, and {@link #WALK_WEIGHT} for each walk) and by {@link #IDLE} without
 * use. Thread-safe.
 */
final class PausedLookups {

    /** What a paused walk may resume: one lookup at one revision. */
    record Lookup(String tenant, long revision, String resourceType, String permission, SubjectRef subject,
            Map<String, Object> context) {}

    /** What a paused lookup subjects walk may resume: one lookup subjects at one revision. */
    record SubjectsLookup(String tenant, long revision, String resourceType, String resourceId, String permission,
            String subjectType, String subjectRelation, Map<String, Object> context) {}

    /** {@code lookup} is a {@link Lookup} or a {@link SubjectsLookup}; {@code heldIds} what the walk held when paused. */
    private record Paused(Object lookup, Object walk, long heldIds, long position, String lastId) {}

    /** Ids held by all paused walks together (about 100 bytes each): some tens of MiB at most. */
    static final long MAX_HELD_IDS = 500_000;
    /**
     * What a walk weighs besides its ids (its reverse index of the schema, its maps), in ids: so
     * that many small paused walks (pages of one result) are bounded too, to 500 at most.
     */
    static final int WALK_WEIGHT = 1_000;
    /** How long a paused walk waits for its next page. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Cache<String, Paused> paused;
    private final LongAdder resumed = new LongAdder();
    private final LongAdder replayed = new LongAdder();

    PausedLookups() {
        this(MAX_HELD_IDS, IDLE);
    }

    PausedLookups(long maxHeldIds, Duration idle) {
        this.paused = Caffeine.newBuilder()
                .maximumWeight(maxHeldIds)
                .weigher((String id, Paused p) -> (int) Math.min(Integer.MAX_VALUE, WALK_WEIGHT + p.heldIds()))
                .expireAfterAccess(idle)
                .build();
    }

    /** A new name for a walk that may be paused. */
    static String newWalkId() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Keeps {@code walk}, stopped right after candidate {@code position} ({@code lastId}), under {@code walkId}. */
    void pause(String walkId, Lookup lookup, ResourceWalk walk, long position, String lastId) {
        paused.put(walkId, new Paused(lookup, walk, walk.heldIds(), position, lastId));
    }

    /** Keeps a lookup subjects {@code walk}, stopped right after candidate {@code position} ({@code lastId}). */
    void pause(String walkId, SubjectsLookup lookup, SubjectWalk walk, long position, String lastId) {
        paused.put(walkId, new Paused(lookup, walk, walk.heldIds(), position, lastId));
    }

    /**
     * The walk paused exactly at {@code from} for {@code lookup}, taken out so that no one else
     * resumes it; null when there is none (the caller replays the walk).
     */
    ResourceWalk resume(Lookup lookup, ResourceLookup.Position from) {
        return (ResourceWalk) take(lookup, from);
    }

    /** The lookup subjects walk paused exactly at {@code from} for {@code lookup}, taken out; null when there is none. */
    SubjectWalk resume(SubjectsLookup lookup, ResourceLookup.Position from) {
        return (SubjectWalk) take(lookup, from);
    }

    /** A lookup of one kind never equals one of the other, so it never takes the other's walk. */
    private Object take(Object lookup, ResourceLookup.Position from) {
        if (from == null) {
            return null;
        }
        Paused p = from.walk() == null ? null : paused.asMap().remove(from.walk());
        if (p == null || !p.lookup().equals(lookup) || p.position() != from.position() || !p.lastId().equals(from.id())) {
            if (p != null) {
                // Not the cursor it waits for (an earlier result's, or another lookup's): it stays for that one.
                paused.asMap().putIfAbsent(from.walk(), p);
            }
            replayed.increment();
            return null;
        }
        resumed.increment();
        return p.walk();
    }

    /** Pages (of either lookup) that continued a paused walk. */
    long resumed() {
        return resumed.sum();
    }

    /** Pages from a cursor that replayed the walk instead. */
    long replayed() {
        return replayed.sum();
    }

    /** Walks paused now (for tests and metrics). */
    long size() {
        paused.cleanUp();
        return paused.estimatedSize();
    }
}
