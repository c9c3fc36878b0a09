package io.relata.engine.index;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.store.ChangeSet;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One tenant's index: the {@link RelationGraph} of every recursive relation of the schema it
 * was built for, with their versions from revision {@code answersFrom} to
 * {@link #appliedUpTo}. It holds the data of revision R for the indexed relations exactly when
 * {@code answersFrom <= R <= appliedUpTo}. {@code answersFrom} is the revision it was built at
 * (what came before is not known), and moves up as versions older than the history window are
 * forgotten; a schema change stops the index (it is rebuilt), so within that range the schema
 * is the one it was built for.
 *
 * <p>Thread-safe: answers read under a read lock, changes apply under the write lock, and one
 * thread at a time builds or catches up ({@link #updating}).
 */
final class TenantIndex {

    enum State { BUILDING, READY, DISABLED }

    final String tenant;
    /** Held by whoever builds or applies the change log to this index. */
    final ReentrantLock updating = new ReentrantLock();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile State state = State.BUILDING;
    private Map<String, RelationGraph> graphs = Map.of();
    private volatile long appliedUpTo = -1;
    private volatile long answersFrom = Long.MAX_VALUE;
    /** Revisions that changed the index, with their commit times (ms), oldest first: the history kept. */
    private final java.util.ArrayDeque<long[]> history = new java.util.ArrayDeque<>();
    private volatile long edges;
    /** The newest revision the indexer saw at the store, and when it last held it. */
    volatile long headSeen;
    volatile long caughtUpAtNanos = System.nanoTime();
    volatile long lastBuildMillis = -1;
    volatile String disabledBecause;

    TenantIndex(String tenant) {
        this.tenant = tenant;
    }

    /** {@code type#relation} of every relation that allows its own type's subject set. */
    static java.util.Set<String> recursiveRelations(Schema schema) {
        java.util.Set<String> out = new TreeSet<>();
        for (ObjectDefinition d : schema.definitions().values()) {
            for (Relation r : d.relations().values()) {
                if (isRecursive(d.name(), r)) {
                    out.add(d.name() + "#" + r.name());
                }
            }
        }
        return out;
    }

    /**
     * {@code type#relation} of every relation an arrow follows to its own permission over its own
     * type: {@code relation parent: group} with {@code permission view = member + parent->view}
     * (the arrow a term of the permission's top-level union), unless the relation is recursive.
     */
    static java.util.Set<String> arrowRelations(Schema schema) {
        java.util.Set<String> out = new TreeSet<>();
        for (ObjectDefinition d : schema.definitions().values()) {
            for (io.relata.schema.Permission p : d.permissions().values()) {
                java.util.List<io.relata.schema.Rewrite> terms = p.rewrite() instanceof io.relata.schema.Rewrite.Union u
                        ? u.children() : java.util.List.of(p.rewrite());
                for (io.relata.schema.Rewrite t : terms) {
                    if (t instanceof io.relata.schema.Rewrite.TupleToUserset a && a.computed().equals(p.name())
                            && a.kind() == io.relata.schema.Rewrite.ArrowKind.ANY
                            && isArrowRelation(d.name(), d.relations().get(a.tupleset()))) {
                        out.add(d.name() + "#" + a.tupleset());
                    }
                }
            }
        }
        return out;
    }

    /** Whether {@code relation} of {@code type} allows plain objects of {@code type} and is not recursive. */
    static boolean isArrowRelation(String type, Relation relation) {
        if (relation == null || isRecursive(type, relation)) {
            return false;
        }
        for (AllowedSubjectType a : relation.allowedTypes()) {
            if (type.equals(a.subject().type()) && a.subject().relation() == null && !a.subject().wildcard()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code relation} of {@code type} allows {@code type#relation} as a subject. */
    static boolean isRecursive(String type, Relation relation) {
        for (AllowedSubjectType a : relation.allowedTypes()) {
            if (type.equals(a.subject().type()) && relation.name().equals(a.subject().relation())) {
                return true;
            }
        }
        return false;
    }

    State state() {
        return state;
    }

    long appliedUpTo() {
        return appliedUpTo;
    }

    long answersFrom() {
        return answersFrom;
    }

    long edges() {
        return edges;
    }

    /** Replaces everything with a fresh build that holds revision {@code at}. */
    void install(Map<String, RelationGraph> built, long at, long totalEdges) {
        lock.writeLock().lock();
        try {
            graphs = built;
            appliedUpTo = at;
            answersFrom = at;
            history.clear();
            edges = totalEdges;
            state = State.READY;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Stops answering until a rebuild installs a new state (a schema change, lost history). */
    void invalidate() {
        lock.writeLock().lock();
        try {
            if (state != State.DISABLED) {
                state = State.BUILDING;
            }
            graphs = Map.of();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Turns the index off for good (it grew past its limit); frees what it held. */
    void disable(String why) {
        lock.writeLock().lock();
        try {
            state = State.DISABLED;
            disabledBecause = why;
            graphs = Map.of();
            edges = 0;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Applies one revision of the change log, which must be the next after {@link #appliedUpTo}
     * as the store reports it, and forgets the versions closed longer than {@code historyMillis}
     * before its commit. Returns false, and applies nothing, when the revision changed the
     * schema: the index must be rebuilt.
     */
    boolean apply(ChangeSet change, long maxEdges, long historyMillis) {
        if (change.schemaChanged()) {
            return false;
        }
        long revision = change.revision().value();
        lock.writeLock().lock();
        try {
            if (state != State.READY) {
                return true;
            }
            boolean touched = false;
            // Deletions first: a relationship deleted and written again in one revision is there after it.
            for (RelationshipUpdate u : change.updates()) {
                if (u.operation() == RelationshipUpdate.Operation.DELETE) {
                    RelationGraph g = graphs.get(key(u.relationship()));
                    if (g != null) {
                        g.remove(u.relationship(), revision);
                        touched = true;
                    }
                }
            }
            for (RelationshipUpdate u : change.updates()) {
                if (u.operation() != RelationshipUpdate.Operation.DELETE) {
                    RelationGraph g = graphs.get(key(u.relationship()));
                    if (g != null) {
                        g.put(u.relationship(), revision);
                        touched = true;
                    }
                }
            }
            long committed = change.committedAt().toEpochMilli();
            if (touched) {
                history.addLast(new long[] {revision, committed});
            }
            while (!history.isEmpty() && (history.peekFirst()[1] < committed - historyMillis || historyMillis == 0)) {
                long forget = history.pollFirst()[0];
                for (RelationGraph g : graphs.values()) {
                    g.forgetUntil(forget);
                }
                answersFrom = Math.max(answersFrom, forget);
            }
            appliedUpTo = revision;
            long total = 0;
            for (RelationGraph g : graphs.values()) {
                total += g.edges();
            }
            edges = total;
        } finally {
            lock.writeLock().unlock();
        }
        if (edges > maxEdges) {
            disable("it would hold " + edges + " relationship versions, more than the limit of " + maxEdges);
        }
        return true;
    }

    /** Drops the held-back versions that expired before {@code cutoff} (see {@link RelationGraph#dropExpiredBefore}). */
    void dropExpiredBefore(Instant cutoff) {
        lock.writeLock().lock();
        try {
            if (state != State.READY) {
                return;
            }
            long total = 0;
            for (RelationGraph g : graphs.values()) {
                g.dropExpiredBefore(cutoff);
                total += g.edges();
            }
            edges = total;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Notes that nothing after {@code revision} is in the change log yet. */
    void caughtUpTo(long revision) {
        headSeen = Math.max(headSeen, revision);
        caughtUpAtNanos = System.nanoTime();
    }

    /**
     * The index's answer at {@code revision}, or null when the index is ready but has not
     * applied that revision yet (the caller may catch it up and ask again).
     */
    IndexAnswer member(Revision revision, String type, String relation, String group, SubjectRef subject,
            int depthLeft, Instant now, int maxVisits) {
        lock.readLock().lock();
        try {
            if (state != State.READY) {
                return IndexAnswer.UNKNOWN;
            }
            long r = revision.value();
            if (r > appliedUpTo) {
                return null;
            }
            if (r < answersFrom) {
                return IndexAnswer.UNKNOWN;
            }
            RelationGraph g = graphs.get(type + "#" + relation);
            return g == null || g.arrow() ? IndexAnswer.UNKNOWN : g.member(group, subject, r, depthLeft, now, maxVisits);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * {@link RelationGraph#reach} of the arrow relation {@code type#relation} at {@code revision}:
     * null when the index is ready but has not applied that revision yet, {@link #UNREACHED}
     * when it cannot answer.
     */
    Map<String, java.util.List<String>> reach(Revision revision, String type, String relation,
            java.util.Collection<String> start, Instant now, int maxVisits) {
        lock.readLock().lock();
        try {
            if (state != State.READY) {
                return UNREACHED;
            }
            long r = revision.value();
            if (r > appliedUpTo) {
                return null;
            }
            if (r < answersFrom) {
                return UNREACHED;
            }
            RelationGraph g = graphs.get(type + "#" + relation);
            Map<String, java.util.List<String>> out = g == null || !g.arrow() ? null
                    : g.reach(start, r, now, maxVisits);
            return out == null ? UNREACHED : out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@link #reach}'s "cannot answer". */
    static final Map<String, java.util.List<String>> UNREACHED = java.util.Collections.unmodifiableMap(new HashMap<>());

    private static String key(Relationship r) {
        return r.resource().type() + "#" + r.relation();
    }

    /** Builds empty graphs for the recursive relations of {@code schema}. */
    static Map<String, RelationGraph> emptyGraphs(Schema schema) {
        Map<String, RelationGraph> out = new HashMap<>();
        for (String key : recursiveRelations(schema)) {
            int hash = key.indexOf('#');
            out.put(key, new RelationGraph(key.substring(0, hash), key.substring(hash + 1)));
        }
        for (String key : arrowRelations(schema)) {
            int hash = key.indexOf('#');
            out.put(key, RelationGraph.ofArrow(key.substring(0, hash), key.substring(hash + 1)));
        }
        return out;
    }

    /**
     * One page of a reverse step of an indexed relation at {@code revision}, as the store
     * would give it (see {@link RelationGraph#resourcesNaming}); empty when the index cannot
     * give it, null when the index is ready but has not applied that revision yet.
     */
    java.util.Optional<java.util.List<Relationship>> resourcesNaming(Revision revision, String type, String relation,
            String subjectType, String subjectRelation, java.util.List<String> subjectIds, Relationship after,
            int limit, Instant now) {
        lock.readLock().lock();
        try {
            if (state != State.READY) {
                return java.util.Optional.empty();
            }
            long r = revision.value();
            if (r > appliedUpTo) {
                return null;
            }
            RelationGraph g = graphs.get(type + "#" + relation);
            if (r < answersFrom || g == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.ofNullable(g.resourcesNaming(subjectType, subjectRelation, subjectIds, after,
                    limit, r, now));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Whether the index holds {@code type#relation} as an arrow's relation ({@link RelationGraph#ofArrow}). */
    boolean holdsArrow(String type, String relation) {
        lock.readLock().lock();
        try {
            RelationGraph g = graphs.get(type + "#" + relation);
            return g != null && g.arrow();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The relationships of {@code type:id#relation} at {@code revision} (see {@link
     * RelationGraph#relationshipsOf}); empty when the index cannot give them, null when the
     * index is ready but has not applied that revision yet.
     */
    java.util.Optional<java.util.List<Relationship>> relationshipsOf(Revision revision, String type, String relation,
            String id, Instant now) {
        lock.readLock().lock();
        try {
            if (state != State.READY) {
                return java.util.Optional.empty();
            }
            long r = revision.value();
            if (r > appliedUpTo) {
                return null;
            }
            RelationGraph g = graphs.get(type + "#" + relation);
            if (r < answersFrom || g == null) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.ofNullable(g.relationshipsOf(id, r, now));
        } finally {
            lock.readLock().unlock();
        }
    }
}
