package io.relata.engine;

import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One evaluation: "which of these resources of one type hold {@code name} for the
 * subject?", for a set of resource ids at once, so each level of the graph costs one store
 * query however many resources it covers.
 *
 * <p>Unions stop asking for a resource once it is TRUE, intersections once it is FALSE,
 * exclusions only ask the subtracted side where the base is not FALSE. A resource already
 * being evaluated further up (a cycle in the data) counts as FALSE there, which gives the
 * least fixed point: a group that contains itself adds nothing. Results that did not depend
 * on such a cut are memoized for the request and cached for everyone.
 *
 * <p>Not thread-safe: one evaluation belongs to one request.
 */
final class Evaluation {

    private final String tenant;
    private final Revision revision;
    private final Schema schema;
    private final SubjectRef subject;
    private final Map<String, Object> context;
    private final String contextKey;
    /** The subject as cache keys name it. */
    private final String subjectKey;
    private final CaveatEvaluator caveats;
    private final CheckCache cache;
    /**
     * What this evaluation has read. Once it has read a relationship with an expiration,
     * results may stop holding when it expires, at the same revision, so they are not shared
     * through the cache.
     */
    private RequestReads reads;
    private final int maxDepth;
    private final long deadlineNanos;
    private final Map<String, Truth> memo = new HashMap<>();
    /** Results being computed, with the frame (nesting of {@link #evaluate} calls) computing them. */
    private final Map<String, Integer> inProgress = new HashMap<>();
    /** Values assumed for results still being computed, while iterating to a fixed point. */
    private final Map<String, Truth> provisional = new HashMap<>();
    /**
     * Per type, the relations the first question of this evaluation may read on objects of that
     * type (from {@link Schema#relationsRead}); null until the first question is asked.
     */
    private Map<String, Set<String>> relationsRead;
    /** Open frames of {@link #evaluate} that compute something. */
    private int frames;
    /** Per frame: how often a result it is computing was needed before it was done (a cut). */
    private int[] cutsInto = new int[16];
    /** The outermost frame a cut reached since the innermost open frame began. */
    private int outermostCut = Integer.MAX_VALUE;
    /** Resource ids of type#relation known to name the subject (see {@link #withHints}). */
    private Map<String, Set<String>> hints = Map.of();
    /** The nested-group index, or null (see {@link #usingGroupIndex}). */
    private io.relata.engine.index.GroupIndexes groupIndex;
    /** Per type#name, the open frames computing it (the index answers only outside a walk of the same relation). */
    private final Map<String, Integer> openFrames = new HashMap<>();

    Evaluation(TupleStore store, String tenant, Revision revision, Schema schema, SubjectRef subject,
            Map<String, Object> context, CaveatEvaluator caveats, CheckCache cache, int maxDepth, long deadlineNanos) {
        this.tenant = tenant;
        this.revision = revision;
        this.schema = schema;
        this.subject = subject;
        this.context = context;
        this.contextKey = CheckCache.contextKey(context);
        this.subjectKey = subject.toString();
        this.caveats = caveats;
        this.cache = cache;
        this.maxDepth = maxDepth;
        this.deadlineNanos = deadlineNanos;
        this.reads = new RequestReads(store, tenant, revision);
    }

    /**
     * Treats {@code type:id#name} (a relation or a permission) as holding for the subject for
     * the given keys ({@code type#name} to ids), whatever caveats say. Lookup resources uses this
     * to reproduce SpiceDB's check hints; such an evaluation must not use the shared cache.
     */
    Evaluation withHints(Map<String, Set<String>> hints) {
        this.hints = hints;
        return this;
    }

    /**
     * Shares the relationships {@code other} has read and will read (same tenant and revision),
     * so that two evaluations of one lookup read each relationship once. Not thread-safe: both
     * must run on one thread.
     */
    Evaluation sharingReadsWith(Evaluation other) {
        this.reads = other.reads;
        return this;
    }

    /**
     * Asks {@code index} first about memberships in recursive relations ({@code group#member}
     * allowing {@code group#member}); what it cannot answer is walked as before.
     */
    Evaluation usingGroupIndex(io.relata.engine.index.GroupIndexes index) {
        this.groupIndex = index;
        return this;
    }

    /** Reads relationships through the shared cache (and fills it). */
    Evaluation readingThrough(RelationshipCache relationships) {
        reads.readThrough(relationships);
        return this;
    }

    /** Store queries this evaluation made. */
    int storeCalls() {
        return reads.storeCalls();
    }

    /** Counts every dispatch (one sub-problem over a batch of resources), for metrics. */
    Evaluation countingDispatches(java.util.concurrent.atomic.LongAdder counter) {
        this.dispatches = counter;
        return this;
    }

    private java.util.concurrent.atomic.LongAdder dispatches = new java.util.concurrent.atomic.LongAdder();

    /** Null unless dispatches are traced. */
    private DispatchTracer tracer;

    /** Shows each dispatch that computes something to {@code tracer} (null: none). */
    Evaluation tracedBy(DispatchTracer tracer) {
        this.tracer = tracer;
        return this;
    }

    /** {@link #compute}, inside a dispatch span when traced. */
    private Map<String, Truth> traced(String type, List<String> ids, String name, int depth) {
        if (tracer == null) {
            return compute(type, ids, name, depth);
        }
        DispatchTracer.Dispatch span = tracer.dispatch(type, name, ids.size(), depth);
        try {
            return compute(type, ids, name, depth);
        } catch (RuntimeException | Error e) {
            span.failed(e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** The truth of {@code type:id#name} for the subject, for every id. */
    Map<String, Truth> evaluate(String type, Collection<String> ids, String name, int depth) {
        dispatches.increment();
        if (System.nanoTime() > deadlineNanos) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED,
                    "the check ran past its deadline while evaluating " + type + "#" + name);
        }
        if (depth > maxDepth) {
            String id = ids.iterator().next();
            throw EngineException.depthExceeded(maxDepth, "checking " + type + ":" + id + "#" + name
                    + " for " + subject + " went deeper than " + maxDepth + " levels; the data nests too deeply"
                    + " (or the depth limit is too low)");
        }
        if (relationsRead == null) {
            relationsRead = schema.relationsRead(type, name);
        }
        Map<String, Truth> result = new LinkedHashMap<>();
        List<String> todo = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            String key = type + "#" + name + ":" + id;
            Truth known = memo.get(key);
            if (known == null && cache != null) {
                known = cache.get(cacheKey(type, id, name));
            }
            if (known != null) {
                result.put(id, known);
            } else if (inProgress.containsKey(key)) {
                // Needed while still being computed: a cycle, or a dependency between ids of
                // one batch (a group and its parent). Assume the provisional value for now.
                int frame = inProgress.get(key);
                cutsInto[frame]++;
                outermostCut = Math.min(outermostCut, frame);
                result.put(id, provisional.getOrDefault(key, Truth.FALSE));
            } else {
                todo.add(id);
            }
        }
        if (todo.isEmpty()) {
            return result;
        }
        int frame = frames++;
        if (frame == cutsInto.length) {
            cutsInto = java.util.Arrays.copyOf(cutsInto, frame * 2);
        }
        cutsInto[frame] = 0;
        for (String id : todo) {
            inProgress.put(type + "#" + name + ":" + id, frame);
        }
        String frameName = groupIndex == null ? null : type + "#" + name;
        if (frameName != null) {
            openFrames.merge(frameName, 1, Integer::sum);
        }
        int outerCut = outermostCut;
        outermostCut = Integer.MAX_VALUE;
        Map<String, Truth> computed;
        try {
            computed = traced(type, todo, name, depth);
            // Something on the way needed a value of this frame still being computed: a cycle
            // in the data, or one id of the batch resting on another (a group and its parent).
            // Iterate from FALSE until the values stop changing: the least fixed point. Each
            // round that changes something settles at least one more link of a chain of ids
            // within the batch, or raises a value (FALSE, CONDITIONAL with more missing names,
            // TRUE), so a batch settles within a few rounds per id; one that has not by then
            // rests on a cycle through an exclusion, which never settles, and ends with the
            // depth-limit error. A value that has not settled is never reported, memoized or
            // cached. (The bound is per batch, not per level: a member found near the top of a
            // wide batch is not refused because a batch-mate nests deep.)
            int roundsLeft = maxDepth + 4 * todo.size();
            while (cutsInto[frame] > 0) {
                boolean changed = false;
                for (String id : todo) {
                    Truth now = computed.getOrDefault(id, Truth.FALSE);
                    if (!now.equals(provisional.put(type + "#" + name + ":" + id, now))) {
                        changed = true;
                    }
                }
                if (!changed) {
                    break;
                }
                if (roundsLeft-- == 0) {
                    throw EngineException.depthExceeded(maxDepth, "checking " + type + ":"
                            + todo.get(0) + "#" + name + " for " + subject + " did not settle: a cycle in the data"
                            + " passes through an exclusion, so it has no answer");
                }
                cutsInto[frame] = 0;
                computed = traced(type, todo, name, depth);
            }
        } finally {
            for (String id : todo) {
                String key = type + "#" + name + ":" + id;
                inProgress.remove(key);
                provisional.remove(key);
            }
            if (frameName != null) {
                openFrames.merge(frameName, -1, Integer::sum);
            }
            frames--;
        }
        // Cuts into this frame or deeper ones are resolved by now; a cut into an outer frame
        // means these values rest on a provisional one, so they are neither kept nor shared.
        boolean exact = outermostCut >= frame;
        outermostCut = Math.min(outerCut, exact ? Integer.MAX_VALUE : outermostCut);
        for (String id : todo) {
            Truth truth = computed.getOrDefault(id, Truth.FALSE);
            result.put(id, truth);
            if (exact) {
                if (memo.put(type + "#" + name + ":" + id, truth) == null && memoJournal != null) {
                    memoJournal.add(type + "#" + name + ":" + id);
                }
                if (cache != null && !reads.expiringRead()) {
                    cache.put(cacheKey(type, id, name), truth);
                }
            }
        }
        return result;
    }

    private CheckCache.Key cacheKey(String type, String id, String name) {
        return new CheckCache.Key(tenant, revision.value(), type, id, name, subjectKey, contextKey);
    }

    private Map<String, Truth> compute(String type, List<String> ids, String name, int depth) {
        ObjectDefinition definition = schema.definitions().get(type);
        if (definition == null) {
            return Map.of();
        }
        Map<String, Truth> result = new LinkedHashMap<>();
        Set<String> hinted = hints.getOrDefault(type + "#" + name, Set.of());
        List<String> open = new ArrayList<>(ids.size());
        for (String id : ids) {
            if (subject.type().equals(type) && name.equals(subject.relation()) && id.equals(subject.id())) {
                // A userset contains itself: group:eng#member is a member of group:eng#member.
                result.put(id, Truth.TRUE);
            } else if (hinted.contains(id)) {
                result.put(id, Truth.TRUE);
            } else {
                open.add(id);
            }
        }
        if (open.isEmpty()) {
            return result;
        }
        Relation relation = definition.relations().get(name);
        Permission permission = definition.permissions().get(name);
        Map<String, Truth> indexed;
        if (relation != null) {
            indexed = fromIndex(type, open, relation, depth);
            result.putAll(indexed != null ? indexed : relation(type, open, relation, depth));
        } else if (permission != null && (indexed = fromArrowIndex(type, open, permission, depth)) != null) {
            result.putAll(indexed);
        } else if (permission != null) {
            // Read every relation of these objects that the question may need in one query,
            // rather than one query per relation as the rewrite reaches them.
            Set<String> relations = relationsRead.getOrDefault(type, Set.of());
            if (relations.size() > 1) {
                reads.load(type, open, relations);
            }
            result.putAll(rewrite(type, open, permission.rewrite(), depth));
        }
        return result;
    }

    /**
     * The index's answers for every id, or null to walk them all: when there is no index, a
     * hint could make a group hold that the data does not, the evaluation is already walking
     * this relation further up (its cut values are not the data's), or the index cannot answer
     * one of the ids (walking the batch whole keeps the walk's depth behaviour).
     */
    private Map<String, Truth> fromIndex(String type, List<String> ids, Relation relation, int depth) {
        if (groupIndex == null || !hints.isEmpty() || !io.relata.engine.index.GroupIndexes.indexable(type, relation)
                || openFrames.getOrDefault(type + "#" + relation.name(), 0) != 1) {
            return null;
        }
        Map<String, Truth> out = new LinkedHashMap<>();
        for (String id : ids) {
            io.relata.engine.index.IndexAnswer answer = groupIndex.member(tenant, revision, type, relation.name(), id,
                    subject, maxDepth - depth);
            if (answer == io.relata.engine.index.IndexAnswer.UNKNOWN) {
                return null;
            }
            out.put(id, answer == io.relata.engine.index.IndexAnswer.MEMBER ? Truth.TRUE : Truth.FALSE);
        }
        return out;
    }

    /**
     * {@link IndexedArrow}'s answers for a permission of the {@link ArrowPlan} shape, or null to
     * walk it (no index, hints, or the evaluation already walking this permission further up).
     */
    private Map<String, Truth> fromArrowIndex(String type, List<String> ids, Permission permission, int depth) {
        String name = permission.name();
        if (groupIndex == null || !hints.isEmpty() || !ArrowPlan.mayApply(permission)
                || openFrames.getOrDefault(type + "#" + name, 0) != 1) {
            return null;
        }
        if (plans == null) {
            plans = new HashMap<>();
        }
        java.util.Optional<ArrowPlan> plan = plans.computeIfAbsent(type + "#" + name, k -> ArrowPlan.of(schema, type, name));
        return plan.isEmpty() ? null : IndexedArrow.evaluate(this, groupIndex, type, name, ids, plan.get(), depth);
    }

    /** The {@link ArrowPlan}s this evaluation looked up, by {@code type#permission}. */
    private Map<String, java.util.Optional<ArrowPlan>> plans;

    /** Memo keys added since the outermost open {@link #checkpoint}, null when none is open. */
    private List<String> memoJournal;

    /** What {@link #restore} returns to: the memo's additions so far and the outermost cut. */
    record Checkpoint(int memoAdded, int outermostCut, boolean outermost) {}

    /** Starts noting memo additions, so that an attempt given up can forget them. */
    Checkpoint checkpoint() {
        boolean outermost = memoJournal == null;
        if (outermost) {
            memoJournal = new ArrayList<>();
        }
        return new Checkpoint(memoJournal.size(), outermostCut, outermost);
    }

    /** Forgets what was memoized since {@code c}, as if the attempt had not run, and releases it. */
    void restore(Checkpoint c) {
        for (int i = memoJournal.size() - 1; i >= c.memoAdded(); i--) {
            memo.remove(memoJournal.remove(i));
        }
        outermostCut = c.outermostCut();
        release(c);
    }

    /** Keeps what was memoized since {@code c}. */
    void release(Checkpoint c) {
        if (c.outermost()) {
            memoJournal = null;
        }
    }

    String tenant() {
        return tenant;
    }

    /** Whether what the current frame computed so far rested on a value of an outer frame still being computed. */
    boolean cutOutsideFrame() {
        return outermostCut < frames - 1;
    }

    /** Memoizes (and caches) {@code type:id#name} as the walk would have on computing it. */
    void remember(String type, String name, String id, Truth truth) {
        String key = type + "#" + name + ":" + id;
        if (memo.putIfAbsent(key, truth) == null && memoJournal != null) {
            memoJournal.add(key);
        }
        if (cache != null && !reads.expiringRead()) {
            cache.put(cacheKey(type, id, name), truth);
        }
    }

    Revision revision() {
        return revision;
    }

    int maxDepth() {
        return maxDepth;
    }

    /** The id of the subject when it is {@code type:id#name}, else null. */
    String selfSet(String type, String name) {
        return subject.type().equals(type) && name.equals(subject.relation()) ? subject.id() : null;
    }

    /** {@code type:id#name}'s value if this evaluation or the shared cache already knows it. */
    Truth known(String type, String name, String id) {
        Truth t = memo.get(type + "#" + name + ":" + id);
        return t != null || cache == null ? t : cache.get(cacheKey(type, id, name));
    }

    /** Reads, in one query, every relation of {@code ids} the evaluation's question may need. */
    void preload(String type, List<String> ids) {
        Set<String> relations = relationsRead.getOrDefault(type, Set.of());
        if (relations.size() > 1 && !ids.isEmpty()) {
            reads.load(type, ids, relations);
        }
    }

    /** The union of {@code terms} for every id, as a permission's union evaluates it (all ids kept). */
    Map<String, Truth> union(String type, List<String> ids, List<Rewrite> terms, int depth) {
        Map<String, Truth> result = falses(ids);
        for (Rewrite child : terms) {
            List<String> open = openIds(result);
            if (open.isEmpty()) {
                break;
            }
            rewrite(type, open, child, depth).forEach((id, t) -> result.merge(id, t, Truth::or));
        }
        return result;
    }

    private Map<String, Truth> relation(String type, List<String> ids, Relation relation, int depth) {
        Map<String, Truth> result = falses(ids);
        List<Relationship> tuples = reads.of(type, ids, relation.name());
        Map<String, List<Relationship>> usersets = new LinkedHashMap<>();
        for (Relationship t : tuples) {
            String id = t.resource().id();
            if (result.get(id).isTrue()) {
                continue;
            }
            SubjectRef s = t.subject();
            if (s.type().equals(subject.type()) && s.id().equals(subject.id())
                    && Objects.equals(s.relation(), subject.relation())) {
                result.merge(id, caveat(t), Truth::or);
            } else if (s.isWildcard()) {
                if (s.type().equals(subject.type()) && subject.relation() == null && !subject.isWildcard()) {
                    result.merge(id, caveat(t), Truth::or);
                }
            } else if (s.relation() != null) {
                usersets.computeIfAbsent(s.type() + "#" + s.relation(), k -> new ArrayList<>()).add(t);
            }
        }
        for (List<Relationship> group : usersets.values()) {
            SubjectRef first = group.get(0).subject();
            List<String> subjectIds = new ArrayList<>();
            for (Relationship t : group) {
                if (!result.get(t.resource().id()).isTrue()) {
                    subjectIds.add(t.subject().id());
                }
            }
            if (subjectIds.isEmpty()) {
                continue;
            }
            Map<String, Truth> members = evaluate(first.type(), subjectIds, first.relation(), depth + 1);
            for (Relationship t : group) {
                Truth member = members.getOrDefault(t.subject().id(), Truth.FALSE);
                if (!member.isFalse()) {
                    result.merge(t.resource().id(), caveat(t).and(member), Truth::or);
                }
            }
        }
        return result;
    }

    private Map<String, Truth> rewrite(String type, List<String> ids, Rewrite rewrite, int depth) {
        if (rewrite instanceof Rewrite.Union u) {
            Map<String, Truth> result = falses(ids);
            for (Rewrite child : u.children()) {
                List<String> open = openIds(result);
                if (open.isEmpty()) {
                    break;
                }
                rewrite(type, open, child, depth).forEach((id, t) -> result.merge(id, t, Truth::or));
            }
            return result;
        }
        if (rewrite instanceof Rewrite.Intersection i) {
            Map<String, Truth> result = new LinkedHashMap<>();
            ids.forEach(id -> result.put(id, Truth.TRUE));
            for (Rewrite child : i.children()) {
                List<String> alive = ids.stream().filter(id -> !result.get(id).isFalse()).toList();
                if (alive.isEmpty()) {
                    break;
                }
                Map<String, Truth> r = rewrite(type, alive, child, depth);
                for (String id : alive) {
                    result.put(id, result.get(id).and(r.getOrDefault(id, Truth.FALSE)));
                }
            }
            return result;
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            Map<String, Truth> base = rewrite(type, ids, x.base(), depth);
            List<String> alive = ids.stream().filter(id -> !base.getOrDefault(id, Truth.FALSE).isFalse()).toList();
            Map<String, Truth> result = falses(ids);
            if (alive.isEmpty()) {
                return result;
            }
            Map<String, Truth> subtracted = rewrite(type, alive, x.subtracted(), depth);
            for (String id : alive) {
                result.put(id, base.get(id).and(subtracted.getOrDefault(id, Truth.FALSE).not()));
            }
            return result;
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return evaluate(type, ids, c.relation(), depth + 1);
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            return arrow(type, ids, t, depth);
        }
        if (rewrite instanceof Rewrite.Self) {
            Map<String, Truth> result = falses(ids);
            if (subject.type().equals(type) && subject.relation() == null && result.containsKey(subject.id())) {
                result.put(subject.id(), Truth.TRUE);
            }
            return result;
        }
        return falses(ids);
    }

    private Map<String, Truth> arrow(String type, List<String> ids, Rewrite.TupleToUserset arrow, int depth) {
        List<Relationship> tuples = reads.of(type, ids, arrow.tupleset());
        Map<String, List<Relationship>> byType = new LinkedHashMap<>();
        for (Relationship t : tuples) {
            if (!t.subject().isWildcard()) {
                byType.computeIfAbsent(t.subject().type(), k -> new ArrayList<>()).add(t);
            }
        }
        Map<String, Map<String, Truth>> targets = new HashMap<>();
        for (Map.Entry<String, List<Relationship>> e : byType.entrySet()) {
            ObjectDefinition target = schema.definitions().get(e.getKey());
            if (target == null || !target.has(arrow.computed())) {
                continue;
            }
            List<String> targetIds = e.getValue().stream().map(t -> t.subject().id()).toList();
            targets.put(e.getKey(), evaluate(e.getKey(), targetIds, arrow.computed(), depth + 1));
        }
        boolean all = arrow.kind() == Rewrite.ArrowKind.ALL;
        Map<String, Truth> result = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Relationship t : tuples) {
            if (t.subject().isWildcard()) {
                continue;
            }
            String id = t.resource().id();
            Map<String, Truth> byId = targets.get(t.subject().type());
            Truth reached = byId == null ? Truth.FALSE : byId.getOrDefault(t.subject().id(), Truth.FALSE);
            Truth step = caveat(t).and(reached);
            if (all) {
                result.merge(id, step, Truth::and);
            } else {
                result.merge(id, step, Truth::or);
            }
            seen.add(id);
        }
        for (String id : ids) {
            result.putIfAbsent(id, Truth.FALSE);
        }
        return result;
    }

    /** The truth of a relationship's caveat (TRUE without one). */
    private Truth caveat(Relationship t) {
        return caveats.evaluate(schema, t, context, deadlineNanos);
    }

    private static Map<String, Truth> falses(Collection<String> ids) {
        Map<String, Truth> result = new LinkedHashMap<>();
        ids.forEach(id -> result.put(id, Truth.FALSE));
        return result;
    }

    private static List<String> openIds(Map<String, Truth> result) {
        List<String> open = new ArrayList<>();
        result.forEach((id, t) -> {
            if (!t.isTrue()) {
                open.add(id);
            }
        });
        return open;
    }
}
