package io.relata.engine;

import io.relata.schema.ObjectDefinition;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The candidates of a lookup resources, enumerated lazily: a walk back from the subject along
 * the schema's {@link ReverseIndex} that reads the store one page of one reverse step at a
 * time and hands out each resource of the looked-up type the first time it reaches it.
 *
 * <p>The enumeration order is deterministic at one revision: the seeds in schema order, each
 * reverse step in the store's page order (subject id, then resource id), and the work as a
 * stack, so the walk goes deep before wide and the first candidates come after a few reads.
 * So a position in the enumeration (how many candidates came before) names the same place
 * again when the walk is replayed, which is what lookup cursors hold.
 *
 * <p>A candidate is <em>exact</em> when the walk reached it only over {@linkplain
 * ReverseIndex.Edge#exact() exact} edges and uncaveated relationships, within the depth limit
 * counted as a check counts it (one level per computed step, per arrow hop and per userset
 * hop, the subject's own relationship at the level where the path ends):
 * the subject then surely has the permission and no check is needed. Others are checked.
 *
 * <p>Memory: the ids reached at each relation and permission (for de-duplication) and the
 * pending reads, each at most a page of ids; never a whole reverse step at once. Not
 * thread-safe; one walk serves one request.
 */
final class ResourceWalk {

    /** A resource of the looked-up type, with whether the walk proved it (see the class comment). */
    record Candidate(String id, boolean exact) {}

    /** Rows read by the first page of a reverse step from one subject (small, for a quick first result). */
    static final int FIRST_PAGE = 100;
    /** Rows read per further page of a reverse step from one subject (an index range, no sort). */
    static final int PAGE = 5000;
    /**
     * Rows read per page of a reverse step from many subjects at once (the ids a page reached):
     * large, since the walk's time goes mostly to round trips.
     */
    static final int BATCH_PAGE = 5000;

    /** One reverse step still to read: the rows that name {@code ids}, landing at {@code landing}. */
    private record Read(String resourceType, String relation, String subjectType, String subjectRelation,
            List<String> ids, String landing, boolean exact, int depth, Relationship after, boolean seed,
            Set<String> hinted) {

        Read after(Relationship last) {
            return new Read(resourceType, relation, subjectType, subjectRelation, ids, landing, exact, depth, last, seed,
                    hinted);
        }

        Read only(List<String> subset, Relationship from) {
            return new Read(resourceType, relation, subjectType, subjectRelation, subset, landing, exact, depth, from,
                    seed, hinted);
        }
    }

    private final TupleStore store;
    private final String tenant;
    private final Revision revision;
    private final Schema schema;
    private final ReverseIndex index;
    private final String target;
    private final Map<String, Object> context;
    private final CaveatEvaluator caveats;
    private final int maxDepth;
    /** The relations and permissions that can lead to the target; the walk goes nowhere else. */
    private final Set<String> leading;
    private final Map<String, Set<String>> reached = new HashMap<>();
    private final ArrayDeque<Read> reads = new ArrayDeque<>();
    private final ArrayDeque<Candidate> pending = new ArrayDeque<>();
    private final Map<String, Set<String>> hints = new HashMap<>();
    /** Whether a relationship the walk starts from may carry a caveat, and so give a hint. */
    private boolean mayHint;
    private int storeCalls;

    ResourceWalk(TupleStore store, String tenant, Revision revision, Schema schema, String resourceType,
            String permission, SubjectRef subject, Map<String, Object> context, CaveatEvaluator caveats, int maxDepth) {
        this.store = store;
        this.tenant = tenant;
        this.revision = revision;
        this.schema = schema;
        this.index = new ReverseIndex(schema);
        this.target = resourceType + "#" + permission;
        this.context = context;
        this.caveats = caveats;
        this.maxDepth = maxDepth;
        this.leading = index.leadingTo(target);
        seed(subject, resourceType, permission);
    }

    /** The starting points: the subject's own relationships, its userset, and {@code self}. */
    private void seed(SubjectRef subject, String resourceType, String permission) {
        if (subject.relation() != null) {
            reach(subject.type() + "#" + subject.relation(), List.of(subject.id()), true, 0);
            return;
        }
        List<Read> seeds = new ArrayList<>();
        for (ObjectDefinition definition : schema.definitions().values()) {
            for (Relation relation : definition.relations().values()) {
                boolean plain = relation.allowedTypes().stream().anyMatch(a -> a.subject().type().equals(subject.type())
                        && a.subject().relation() == null && !a.subject().wildcard());
                boolean wildcard = relation.allowedTypes().stream().anyMatch(a -> a.subject().type()
                        .equals(subject.type()) && a.subject().wildcard());
                if (!plain && !wildcard || !leading.contains(definition.name() + "#" + relation.name())) {
                    continue;
                }
                List<String> ids = new ArrayList<>();
                if (wildcard) {
                    ids.add(SubjectRef.WILDCARD);
                }
                if (plain) {
                    ids.add(subject.id());
                }
                ids.sort(null);
                Set<String> hinted = index.leadsTo(definition.name(), relation.name(), target)
                        ? index.hintedNames(resourceType, permission, definition.name(), relation.name()) : Set.of();
                if (!hinted.isEmpty() && relation.allowedTypes().stream().anyMatch(a -> a.caveat() != null
                        && a.subject().type().equals(subject.type()) && a.subject().relation() == null)) {
                    mayHint = true;
                }
                // Depth -1: what the seed reads lands at depth 0, where a check finds the subject
                // on the relation itself.
                seeds.add(new Read(definition.name(), relation.name(), subject.type(), "", ids,
                        definition.name() + "#" + relation.name(), true, -1, null, true, hinted));
            }
        }
        for (String self : index.selfPermissions(subject.type())) {
            reach(subject.type() + "#" + self, List.of(subject.id()), index.selfIsExact(subject.type(), self), 0);
        }
        // A stack: pushed in reverse, the first seed is read first.
        for (int i = seeds.size() - 1; i >= 0; i--) {
            reads.push(seeds.get(i));
        }
    }

    /**
     * The next candidates, at most {@code max} (at least 1), reading as many pages as it takes;
     * empty once the walk is over.
     */
    List<Candidate> next(int max) {
        return next(max, () -> { });
    }

    /** {@link #next(int)}, running {@code beforeEachRead} before each store read (a deadline check). */
    List<Candidate> next(int max, Runnable beforeEachRead) {
        while (pending.size() < max && !reads.isEmpty()) {
            beforeEachRead.run();
            read(reads.pop());
        }
        List<Candidate> out = new ArrayList<>(Math.min(max, pending.size()));
        while (out.size() < max && !pending.isEmpty()) {
            out.add(pending.poll());
        }
        return out;
    }

    /**
     * Puts candidates that {@link #next} handed out but the caller did not use back in front of
     * the rest, in their order, so that the walk continues exactly after the last one used.
     */
    void putBack(List<Candidate> unused) {
        for (int i = unused.size() - 1; i >= 0; i--) {
            pending.addFirst(unused.get(i));
        }
    }

    /** The ids the walk holds (reached, pending reads and candidates): what keeping it costs, roughly. */
    long heldIds() {
        long held = pending.size();
        for (Set<String> ids : reached.values()) {
            held += ids.size();
        }
        for (Read read : reads) {
            held += read.ids().size();
        }
        return held;
    }

    /**
     * SpiceDB's check hints gathered so far: for each {@code type#name}, the resources whose
     * caveated relationships the walk started from (see {@link Evaluation#withHints}). Complete
     * only once the walk is over.
     */
    Map<String, Set<String>> hints() {
        return hints;
    }

    /**
     * True when a relationship this walk starts from may carry a caveat (the schema allows one
     * with a caveat on a relation the walk reads first): only then can {@link #hints()} be
     * non-empty. A caveat elsewhere in the schema leaves the walk's candidates to stream.
     */
    boolean mayHint() {
        return mayHint;
    }

    /** Store queries made so far. */
    int storeCalls() {
        return storeCalls;
    }

    private void read(Read read) {
        int limit = read.ids().size() > 1 ? BATCH_PAGE : read.after() == null ? FIRST_PAGE : PAGE;
        List<Relationship> rows = indexed == null ? null : indexed.page(read.resourceType(), read.relation(),
                read.subjectType(), read.subjectRelation(), read.ids(), read.after(), limit);
        if (rows == null) {
            storeCalls++;
            rows = store.resourcesNaming(tenant, revision, read.resourceType(), read.relation(), read.subjectType(),
                    read.subjectRelation(), read.ids(), read.after(), limit);
        }
        if (rows.size() == limit) {
            // The rest of this step comes after what this page leads to (depth first). The rest of
            // the current subject is an ordered range of its own; the subjects the page did not
            // reach (in the store's order, whatever its collation), another read.
            Relationship last = rows.get(rows.size() - 1);
            String at = last.subject().id();
            Set<String> done = new HashSet<>();
            rows.forEach(r -> done.add(r.subject().id()));
            List<String> later = read.ids().stream().filter(id -> !done.contains(id)).toList();
            if (read.ids().size() > 1 && !later.isEmpty()) {
                reads.push(read.only(later, null));
            }
            reads.push(read.ids().size() == 1 ? read.after(last) : read.only(List.of(at), last));
        }
        List<String> exact = new ArrayList<>();
        List<String> inexact = new ArrayList<>();
        for (Relationship r : rows) {
            boolean sure = read.exact() && r.caveat() == null;
            if (read.seed()) {
                // Bounded by the caveat's budget and by an interrupt; the lookup's deadline counts its computing only.
                Truth caveat = caveats.evaluate(schema, r, context, Long.MAX_VALUE);
                if (caveat.isFalse()) {
                    continue;
                }
                if (caveat.isUnknown()) {
                    for (String name : read.hinted()) {
                        hints.computeIfAbsent(read.resourceType() + "#" + name, k -> new TreeSet<>())
                                .add(r.resource().id());
                    }
                }
            }
            (sure ? exact : inexact).add(r.resource().id());
        }
        reach(read.landing(), exact, true, read.depth() + 1);
        reach(read.landing(), inexact, false, read.depth() + 1);
    }

    /**
     * {@code ids} hold at {@code key}: the new ones go on along every edge out of it, and
     * become candidates at the looked-up permission.
     */
    private void reach(String key, List<String> ids, boolean exact, int depth) {
        if (ids.isEmpty() || !leading.contains(key)) {
            return;
        }
        Set<String> known = reached.computeIfAbsent(key, k -> new HashSet<>());
        List<String> fresh = new ArrayList<>();
        for (String id : ids) {
            if (known.add(id)) {
                fresh.add(id);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        if (key.equals(target)) {
            boolean sure = exact && depth <= maxDepth;
            fresh.forEach(id -> pending.add(new Candidate(id, sure)));
        }
        int hash = key.indexOf('#');
        String type = key.substring(0, hash);
        String name = key.substring(hash + 1);
        List<Read> next = new ArrayList<>();
        for (ReverseIndex.Edge edge : index.from(type, name)) {
            if (!leading.contains(edge.target() + "#" + edge.targetName())) {
                continue;
            }
            boolean sure = exact && edge.exact();
            switch (edge.kind()) {
                case COMPUTED -> reach(edge.target() + "#" + edge.targetName(), fresh, sure, depth + 1);
                case USERSET -> next.add(new Read(edge.target(), edge.targetName(), type, name, sorted(fresh),
                        edge.target() + "#" + edge.targetName(), sure, depth, null, false, Set.of()));
                case ARROW -> next.add(new Read(edge.target(), edge.tupleset(), type, edge.subjectRelation(),
                        sorted(fresh), edge.target() + "#" + edge.targetName(), sure, depth, null, false, Set.of()));
                default -> throw new IllegalStateException();
            }
        }
        for (int i = next.size() - 1; i >= 0; i--) {
            reads.push(next.get(i));
        }
    }

    private static List<String> sorted(List<String> ids) {
        List<String> copy = new ArrayList<>(ids);
        copy.sort(null);
        return copy;
    }

    /** Reverse steps the nested-group index gives from memory (see {@link IndexedReverseSteps}), or null. */
    private IndexedReverseSteps indexed;

    /** Takes the reverse steps {@code steps} can give from it instead of the store; returns this walk. */
    ResourceWalk usingGroupIndex(IndexedReverseSteps steps) {
        this.indexed = steps;
        return this;
    }
}
