package io.relata.engine;

import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import io.relata.store.Cursor;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The candidates of a lookup subjects, enumerated lazily: a walk forward from
 * {@code resource#permission} through relations, usersets, arrows and set operations that
 * reads the store one page at a time (a page of one object's relation, {@link TupleStore#read},
 * the forward index in subject order; or the first pages of the sibling usersets a page named,
 * together, {@link TupleStore#subjectsOfPage}) and hands out each subject of the looked-up
 * type (and relation) the first time it reaches it.
 *
 * <p>Only questions {@link SubjectPlan#streamable} says can be streamed are walked. The walk
 * follows every branch of a union, the first branch of an intersection (a subject in the
 * intersection is in each branch; with no wildcard in play, the first one's subjects are all
 * the candidates), the base of an exclusion and every target of an arrow. A candidate is
 * <em>exact</em> when it was reached over unions only and over relationships without a
 * caveat, or with one the request's context makes true: it then surely holds, HAS, and needs
 * no check. Others are checked. A caveat the context makes false cuts the path.
 *
 * <p>The order is deterministic at one revision: the work is a stack (depth first), each
 * relation read in the store's order (subject type, id, relation), so a position (how many
 * candidates came before) names the same place when the walk is replayed: lookup cursors hold
 * positions. An object#name reached a second time (by another path, or a cycle) is not walked
 * again.
 *
 * <p>Memory: the object#names reached and the subject ids handed out (for de-duplication), the
 * pending work (at most one page of rows leads to new work per read) and at most one page of
 * candidates. Not thread-safe; one walk serves one request at a time (a walk
 * paused between pages, {@link PausedLookups}, is taken out by the page that resumes it).
 */
final class SubjectWalk {

    /** A subject id of the looked-up type, with whether the walk proved it (see the class comment). */
    record Candidate(String id, boolean exact) {}

    /** Rows of the first page of a relation (small, for a quick first result). */
    static final int FIRST_PAGE = 100;
    /** Rows of every further page of a relation (an index range in the store's order). */
    static final int PAGE = 5000;

    /** Work still to do: visit an object#name, expand a rewrite on an object, or read a page of a relation. */
    private sealed interface Work {}

    private record Visit(String type, String id, String name, boolean exact, int depth) implements Work {}

    private record Expand(String type, String id, Rewrite rewrite, boolean exact, int depth) implements Work {}

    /** The first page of {@code type:id#relation} for many ids at once (usersets a page named). */
    private record ReadMany(String type, List<String> ids, String relation, boolean exact, int depth)
            implements Work {}

    /** A page of {@code type:id#relation}; for an arrow, {@code computed} is the name to visit on each subject. */
    private record Read(String type, String id, String relation, String computed, boolean exact, int depth,
            Cursor after) implements Work {}

    private final TupleStore store;
    private final String tenant;
    private final Revision revision;
    private final Schema schema;
    private final String subjectType;
    private final String subjectRelation;
    private final Map<String, Object> context;
    private final CaveatEvaluator caveats;
    private final int maxDepth;
    private final Set<String> visited = new HashSet<>();
    private final Set<String> handedOut = new HashSet<>();
    private final ArrayDeque<Work> work = new ArrayDeque<>();
    private final ArrayDeque<Candidate> pending = new ArrayDeque<>();
    private int storeCalls;

    SubjectWalk(TupleStore store, String tenant, Revision revision, Schema schema, String resourceType,
            String resourceId, String permission, String subjectType, String subjectRelation,
            Map<String, Object> context, CaveatEvaluator caveats, int maxDepth) {
        this.store = store;
        this.tenant = tenant;
        this.revision = revision;
        this.schema = schema;
        this.subjectType = subjectType;
        this.subjectRelation = subjectRelation;
        this.context = context;
        this.caveats = caveats;
        this.maxDepth = maxDepth;
        work.push(new Visit(resourceType, resourceId, permission, true, 0));
    }

    /**
     * The next candidates, at most {@code max} (at least 1), doing as much work as it takes;
     * empty once the walk is over. {@code beforeEachRead} runs before each store read (a
     * deadline check).
     */
    List<Candidate> next(int max, Runnable beforeEachRead) {
        while (pending.size() < max && !work.isEmpty()) {
            Work next = work.pop();
            if (next instanceof Read read) {
                beforeEachRead.run();
                read(read);
            } else if (next instanceof ReadMany many) {
                beforeEachRead.run();
                readMany(many);
            } else if (next instanceof Visit visit) {
                visit(visit);
            } else {
                expand((Expand) next);
            }
        }
        List<Candidate> out = new ArrayList<>(Math.min(max, pending.size()));
        while (out.size() < max && !pending.isEmpty()) {
            out.add(pending.poll());
        }
        return out;
    }

    /**
     * Puts candidates taken but not used back in front of the walk, in their order: the next
     * {@link #next} hands them out first (a page that ended at its limit, before pausing the walk).
     */
    void putBack(List<Candidate> unused) {
        for (int i = unused.size() - 1; i >= 0; i--) {
            pending.addFirst(unused.get(i));
        }
    }

    /** The ids the walk holds (object#names reached, subjects handed out, pending candidates and reads): its cost, roughly. */
    long heldIds() {
        long held = visited.size() + handedOut.size() + pending.size();
        for (Work w : work) {
            held += w instanceof ReadMany many ? many.ids().size() : 1;
        }
        return held;
    }

    /** Store queries made so far. */
    int storeCalls() {
        return storeCalls;
    }

    private void visit(Visit v) {
        checkDepth(v);
        if (!visited.add(v.type() + ":" + v.id() + "#" + v.name())) {
            return;
        }
        if (v.type().equals(subjectType) && v.name().equals(subjectRelation)) {
            // A userset contains itself.
            handOut(v.id(), v.exact());
        }
        ObjectDefinition definition = schema.definitions().get(v.type());
        if (definition == null) {
            return;
        }
        Relation relation = definition.relations().get(v.name());
        if (relation != null) {
            work.push(new Read(v.type(), v.id(), v.name(), null, v.exact(), v.depth(), null));
            return;
        }
        Permission permission = definition.permissions().get(v.name());
        if (permission != null) {
            work.push(new Expand(v.type(), v.id(), permission.rewrite(), v.exact(), v.depth()));
        }
    }

    private void expand(Expand e) {
        Rewrite rewrite = e.rewrite();
        if (rewrite instanceof Rewrite.Union u) {
            pushAll(u.children(), e.type(), e.id(), e.exact(), e.depth());
        } else if (rewrite instanceof Rewrite.Intersection i) {
            if (!i.children().isEmpty()) {
                work.push(new Expand(e.type(), e.id(), i.children().get(0), false, e.depth()));
            }
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            work.push(new Expand(e.type(), e.id(), x.base(), false, e.depth()));
        } else if (rewrite instanceof Rewrite.ComputedUserset c) {
            work.push(new Visit(e.type(), e.id(), c.relation(), e.exact(), e.depth() + 1));
        } else if (rewrite instanceof Rewrite.TupleToUserset t) {
            work.push(new Read(e.type(), e.id(), t.tupleset(), t.computed(),
                    e.exact() && t.kind() == Rewrite.ArrowKind.ANY, e.depth(), null));
        } else if (rewrite instanceof Rewrite.Self) {
            throw new IllegalStateException("a question that reaches `self` is not walked (see SubjectPlan)");
        }
    }

    private void pushAll(List<Rewrite> children, String type, String id, boolean exact, int depth) {
        for (int i = children.size() - 1; i >= 0; i--) {
            work.push(new Expand(type, id, children.get(i), exact, depth));
        }
    }

    private void read(Read read) {
        int limit = read.after() == null ? FIRST_PAGE : PAGE;
        storeCalls++;
        RelationshipPage page = store.read(tenant, RelationshipFilter.of(read.type(), read.id(), read.relation()),
                revision, read.after(), limit);
        List<Visit> next = rows(page.relationships(), read.computed(), read.exact(), read.depth());
        // The rest of this relation comes after what this page leads to (depth first).
        if (page.next() != null) {
            work.push(new Read(read.type(), read.id(), read.relation(), read.computed(), read.exact(), read.depth(),
                    page.next()));
        }
        pushVisits(next);
    }

    /**
     * The first page of many objects' relation in one read. Every object it names but the last
     * is complete; the rest of the last is a {@link Read} after the page's last row, and the
     * objects it does not name, another {@code ReadMany}.
     */
    private void readMany(ReadMany many) {
        storeCalls++;
        List<Relationship> rows = store.subjectsOfPage(tenant, revision, many.type(), many.ids(), many.relation(),
                PAGE);
        List<Visit> next = rows(rows, null, many.exact(), many.depth());
        if (rows.size() == PAGE) {
            Relationship last = rows.get(rows.size() - 1);
            Set<String> done = new HashSet<>();
            rows.forEach(r -> done.add(r.resource().id()));
            List<String> later = many.ids().stream().filter(id -> !done.contains(id)).toList();
            if (!later.isEmpty()) {
                work.push(new ReadMany(many.type(), later, many.relation(), many.exact(), many.depth()));
            }
            work.push(new Read(many.type(), last.resource().id(), many.relation(), null, many.exact(), many.depth(),
                    Cursor.after(last)));
        }
        pushVisits(next);
    }

    /** Hands out the subjects these rows name; the usersets (or arrow targets) they lead to, to visit. */
    private List<Visit> rows(List<Relationship> rows, String computed, boolean exactSoFar, int depth) {
        List<Visit> next = new ArrayList<>();
        for (Relationship r : rows) {
            boolean exact = exactSoFar;
            if (r.caveat() != null) {
                // Bounded by the caveat's budget and by an interrupt; the lookup's deadline counts its computing only.
                Truth caveat = caveats.evaluate(schema, r, context, Long.MAX_VALUE);
                if (caveat.isFalse()) {
                    continue;
                }
                exact &= caveat.isTrue();
            }
            SubjectRef s = r.subject();
            if (computed != null) {
                ObjectDefinition target = schema.definitions().get(s.type());
                if (!s.isWildcard() && target != null && target.has(computed)) {
                    next.add(new Visit(s.type(), s.id(), computed, exact, depth + 1));
                }
                continue;
            }
            if (s.type().equals(subjectType) && java.util.Objects.equals(s.relation(), subjectRelation)) {
                handOut(s.id(), exact);
            }
            if (s.relation() != null) {
                next.add(new Visit(s.type(), s.id(), s.relation(), exact, depth + 1));
            }
        }
        return next;
    }

    /**
     * Pushes the visits a page led to, in order (the first on top). Visits of a relation (not
     * the looked-up userset itself) of the same type, exactness and depth are visited here and
     * their first pages read together, in one {@link ReadMany} where several of them come.
     */
    private void pushVisits(List<Visit> visits) {
        List<Work> out = new ArrayList<>();
        Map<List<Object>, List<String>> batches = new java.util.HashMap<>();
        for (Visit v : visits) {
            ObjectDefinition definition = schema.definitions().get(v.type());
            boolean plainRelation = definition != null && definition.relations().containsKey(v.name())
                    && !(v.type().equals(subjectType) && v.name().equals(subjectRelation));
            if (!plainRelation) {
                out.add(v);
                continue;
            }
            checkDepth(v);
            if (!visited.add(v.type() + ":" + v.id() + "#" + v.name())) {
                continue;
            }
            batches.computeIfAbsent(List.of(v.type(), v.name(), v.exact(), v.depth()), k -> {
                List<String> ids = new ArrayList<>();
                out.add(new ReadMany(v.type(), ids, v.name(), v.exact(), v.depth()));
                return ids;
            }).add(v.id());
        }
        for (int i = out.size() - 1; i >= 0; i--) {
            Work w = out.get(i);
            if (w instanceof ReadMany many && many.ids().size() == 1) {
                w = new Read(many.type(), many.ids().get(0), many.relation(), null, many.exact(), many.depth(), null);
            }
            work.push(w);
        }
    }

    private void checkDepth(Visit v) {
        if (v.depth() > maxDepth) {
            throw EngineException.depthExceeded(maxDepth, "looking up subjects of " + v.type() + ":" + v.id() + "#"
                    + v.name() + " went deeper than " + maxDepth + " levels");
        }
    }

    private void handOut(String id, boolean exact) {
        if (handedOut.add(id)) {
            pending.add(new Candidate(id, exact));
        }
    }
}
