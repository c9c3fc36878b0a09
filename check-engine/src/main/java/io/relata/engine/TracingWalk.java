package io.relata.engine;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * A check of one resource that records how it was answered: every sub-problem (an object's
 * relation or permission) it asked, with its answer, for {@link CheckEngine#checkTraced}; and,
 * for {@link CheckEngine#explain}, the best chain of relationships under each sub-problem.
 *
 * <p>This is a mode of its own beside {@link Evaluation}, which answers untraced checks in
 * batches and is not touched by it. It asks one resource at a time, so that each sub-problem has
 * one answer to report. Tracing stops where the answer is known (a union at its first grant, an
 * intersection at its first refusal) and takes a sub-problem the shared cache holds as a cached
 * leaf, as SpiceDB's trace does; explaining looks at every branch and never at the cache, to find
 * the shortest chain. Past {@link Explanation#SEARCH_LIMIT} sub-problems, the rest are answered by
 * the ordinary evaluation (correct, but not walked: a leaf of the trace, no chain), a trace records
 * no more sub-problems than that, and an explanation says it is incomplete.
 * A sub-problem met again while it is being answered (a cycle in the data) counts as NO there,
 * and what rests on that is not remembered, as in {@link Evaluation}.
 *
 * <p>Not thread-safe: one walk belongs to one request.
 */
final class TracingWalk {

    /** A sub-problem's answer: its truth, its trace, and the best chain under it. */
    record Step(Truth truth, CheckTrace trace, BestChain best) {}

    private final Schema schema;
    private final SubjectRef subject;
    private final Map<String, Object> context;
    private final CaveatEvaluator caveats;
    private final RequestReads reads;
    /** The ordinary evaluation, for sub-problems past the search limit. */
    private final Evaluation fallback;
    /** The shared sub-result cache to read (tracing) or null (explaining, or no cache). */
    private final java.util.function.Function<String[], Truth> cached;
    private final boolean exhaustive;
    private final int maxDepth;
    private final long deadlineNanos;
    private final Map<String, Step> memo = new HashMap<>();
    /** Sub-problems being answered, with their place on the path. */
    private final Map<String, Integer> onPath = new HashMap<>();
    /** The outermost place on the path a cycle reached since the innermost open sub-problem began. */
    private int outermostCut = Integer.MAX_VALUE;
    private int visited;
    private int recorded;
    private int limit = Explanation.SEARCH_LIMIT;
    private boolean complete = true;

    TracingWalk(Schema schema, SubjectRef subject, Map<String, Object> context, CaveatEvaluator caveats,
            RequestReads reads, Evaluation fallback, java.util.function.Function<String[], Truth> cached,
            boolean exhaustive, int maxDepth, long deadlineNanos) {
        this.schema = schema;
        this.subject = subject;
        this.context = context;
        this.caveats = caveats;
        this.reads = reads;
        this.fallback = fallback;
        this.cached = cached;
        this.exhaustive = exhaustive;
        this.maxDepth = maxDepth;
        this.deadlineNanos = deadlineNanos;
    }

    /** Walks at most {@code limit} sub-problems (by default {@link Explanation#SEARCH_LIMIT}). */
    TracingWalk limitedTo(int limit) {
        this.limit = limit;
        return this;
    }

    /** Whether every sub-problem was walked (none left to the ordinary evaluation). */
    boolean complete() {
        return complete;
    }

    /** The answer of {@code type:id#name} for the subject, with its trace and best chain. */
    Step walk(String type, String id, String name, int depth) {
        if (System.nanoTime() > deadlineNanos) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED,
                    "the check ran past its deadline while evaluating " + type + "#" + name);
        }
        if (depth > maxDepth) {
            throw EngineException.depthExceeded(maxDepth, "checking " + type + ":" + id + "#" + name + " for "
                    + subject + " went deeper than " + maxDepth + " levels; the data nests too deeply"
                    + " (or the depth limit is too low)");
        }
        ObjectDefinition definition = schema.definitions().get(type);
        boolean permission = definition != null && definition.permissions().containsKey(name);
        String key = type + ":" + id + "#" + name;
        Step known = memo.get(key);
        if (known != null) {
            return known;
        }
        Integer place = onPath.get(key);
        if (place != null) {
            outermostCut = Math.min(outermostCut, place);
            return new Step(Truth.FALSE, trace(type, id, name, permission, Truth.FALSE, null, false, true, 0,
                    List.of()), BestChain.NONE);
        }
        long started = System.nanoTime();
        if (cached != null && depth > 0) {
            Truth hit = cached.apply(new String[] {type, id, name});
            if (hit != null) {
                return new Step(hit, trace(type, id, name, permission, hit, null, true, false,
                        System.nanoTime() - started, List.of()), BestChain.unexplained(hit));
            }
        }
        if (++visited > limit) {
            complete = false;
            Truth truth = fallback.evaluate(type, List.of(id), name, depth).getOrDefault(id, Truth.FALSE);
            return new Step(truth, trace(type, id, name, permission, truth, null, false, false,
                    System.nanoTime() - started, List.of()), BestChain.unexplained(truth));
        }
        int mine = onPath.size();
        onPath.put(key, mine);
        int outerCut = outermostCut;
        outermostCut = Integer.MAX_VALUE;
        Frame frame = new Frame();
        BestChain best;
        try {
            if (subject.type().equals(type) && name.equals(subject.relation()) && id.equals(subject.id())) {
                best = granted(List.of(), new TreeSet<>());
            } else if (definition == null) {
                best = BestChain.NONE;
            } else if (permission) {
                Permission p = definition.permissions().get(name);
                best = rewrite(type, id, p, p.rewrite(), depth, frame);
            } else {
                best = relation(type, id, definition.relations().get(name), depth, frame);
            }
        } finally {
            onPath.remove(key);
        }
        boolean exact = outermostCut >= mine;
        outermostCut = Math.min(outerCut, exact ? Integer.MAX_VALUE : outermostCut);
        Step step = new Step(best.truth(), trace(type, id, name, permission, best.truth(), frame.caveat, false, false,
                System.nanoTime() - started, frame.subProblems), best);
        if (exact) {
            memo.put(key, step);
        }
        return step;
    }

    /** What one sub-problem collects while it is answered. */
    private static final class Frame {
        final List<CheckTrace> subProblems = new ArrayList<>();
        String caveat;
    }

    private CheckTrace trace(String type, String id, String name, boolean permission, Truth truth, String caveat,
            boolean cachedHit, boolean cycle, long nanos, List<CheckTrace> subProblems) {
        return new CheckTrace(new ObjectRef(type, id), name, permission, subject, CheckResult.of(truth), caveat,
                cachedHit, cycle, nanos, subProblems);
    }

    private Step sub(String type, String id, String name, int depth, Frame frame) {
        Step step = walk(type, id, name, depth + 1);
        if (recorded++ < limit) {
            // The trace holds at most `limit` sub-problems, however wide the data past the limit.
            frame.subProblems.add(step.trace());
        }
        return step;
    }

    // ---- relations ------------------------------------------------------------------------------

    private BestChain relation(String type, String id, Relation relation, int depth, Frame frame) {
        String rule = type + "#" + relation.name() + ": " + relation.allowedTypes().stream().map(Object::toString)
                .collect(java.util.stream.Collectors.joining(" | "));
        BestChain best = BestChain.NONE;
        List<Relationship> usersets = new ArrayList<>();
        for (Relationship t : reads.of(type, List.of(id), relation.name())) {
            SubjectRef s = t.subject();
            boolean direct = s.type().equals(subject.type()) && s.id().equals(subject.id())
                    && Objects.equals(s.relation(), subject.relation());
            boolean wildcard = s.isWildcard() && s.type().equals(subject.type()) && subject.relation() == null;
            if (direct || wildcard) {
                Truth caveat = caveat(t, frame);
                TreeSet<String> names = caveatNames(t, caveat, new TreeSet<>());
                BestChain candidate = new BestChain(caveat, List.of(hop(t, rule, viaOf(s))), caveat.isFalse() ? null : List.of(),
                        List.of(), names);
                best = candidate.betterThan(best) ? candidate : best;
            } else if (s.relation() != null && !s.isWildcard()) {
                usersets.add(t);
            }
            if (!exhaustive && best.truth().isTrue()) {
                return best;
            }
        }
        for (Relationship t : usersets) {
            Step member = sub(t.subject().type(), t.subject().id(), t.subject().relation(), depth, frame);
            BestChain candidate = through(t, rule, viaOf(t.subject()), member.best(), member.truth(), frame);
            best = candidate.betterThan(best) ? candidate : best;
            if (!exhaustive && best.truth().isTrue()) {
                return best;
            }
        }
        if (best.rank() == 0 && best.missing() == null) {
            // Nothing written grants it: the miss is a relationship naming the subject here, if allowed.
            for (AllowedSubjectType allowed : relation.allowedTypes()) {
                boolean fits = allowed.subject().type().equals(subject.type())
                        && (allowed.subject().wildcard() ? subject.relation() == null
                                : Objects.equals(allowed.subject().relation(), subject.relation()));
                if (fits) {
                    SubjectRef named = allowed.subject().wildcard() ? SubjectRef.wildcard(subject.type()) : subject;
                    String written = type + ":" + id + "#" + relation.name() + "@" + named
                            + (allowed.caveat() == null ? "" : "[" + allowed.caveat() + "]");
                    return new BestChain(Truth.FALSE, List.of(), List.of(new Explanation.Hop(written, rule,
                            allowed.toString())), List.of(), new TreeSet<>());
                }
            }
        }
        return best;
    }

    /** A relationship followed to a sub-problem: its caveat and the sub-problem's best chain after it. */
    private BestChain through(Relationship t, String rule, String via, BestChain after, Truth afterTruth, Frame frame) {
        Truth caveat = caveat(t, frame);
        Truth truth = caveat.and(afterTruth);
        List<Explanation.Hop> chain = new ArrayList<>();
        chain.add(hop(t, rule, via));
        chain.addAll(after.chain());
        TreeSet<String> names = caveatNames(t, caveat, new TreeSet<>(after.caveats()));
        List<Explanation.Hop> missing = caveat.isFalse() ? null : after.missing();
        return new BestChain(truth, chain, missing, after.excludedBy(), names);
    }

    private static String viaOf(SubjectRef s) {
        return s.isWildcard() ? s.type() + ":*" : s.relation() == null ? s.type() : s.type() + "#" + s.relation();
    }

    private static Explanation.Hop hop(Relationship t, String rule, String via) {
        return new Explanation.Hop(t.toString(), rule, via);
    }

    private Truth caveat(Relationship t, Frame frame) {
        Truth truth = caveats.evaluate(schema, t, context, deadlineNanos);
        if (t.caveat() != null && frame.caveat == null) {
            frame.caveat = t.caveat().name();
        }
        return truth;
    }

    private static TreeSet<String> caveatNames(Relationship t, Truth caveat, TreeSet<String> into) {
        if (t.caveat() != null && caveat.isUnknown()) {
            into.add(t.caveat().name());
        }
        return into;
    }

    private static BestChain granted(List<Explanation.Hop> chain, TreeSet<String> caveats) {
        return new BestChain(Truth.TRUE, chain, List.of(), List.of(), caveats);
    }

    // ---- permissions ----------------------------------------------------------------------------

    private BestChain rewrite(String type, String id, Permission p, Rewrite rewrite, int depth, Frame frame) {
        if (rewrite instanceof Rewrite.Union u) {
            BestChain best = BestChain.NONE;
            for (Rewrite child : u.children()) {
                BestChain candidate = rewrite(type, id, p, child, depth, frame);
                best = candidate.betterThan(best) ? candidate : best;
                if (!exhaustive && best.truth().isTrue()) {
                    break;
                }
            }
            return best;
        }
        if (rewrite instanceof Rewrite.Intersection i) {
            List<BestChain> parts = new ArrayList<>();
            for (Rewrite child : i.children()) {
                BestChain part = rewrite(type, id, p, child, depth, frame);
                parts.add(part);
                if (!exhaustive && part.truth().isFalse()) {
                    break;
                }
            }
            return BestChain.all(parts);
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            BestChain base = rewrite(type, id, p, x.base(), depth, frame);
            if (base.truth().isFalse() && !exhaustive) {
                return base;
            }
            BestChain subtracted = rewrite(type, id, p, x.subtracted(), depth, frame);
            if (subtracted.truth().isTrue()) {
                return new BestChain(Truth.FALSE, base.chain(), null, subtracted.chain(), new TreeSet<>());
            }
            Truth truth = base.truth().and(subtracted.truth().not());
            TreeSet<String> names = new TreeSet<>(base.caveats());
            if (subtracted.truth().isUnknown()) {
                names.addAll(subtracted.caveats());
            }
            return new BestChain(truth, base.chain(), base.missing(), base.excludedBy(), names);
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return sub(type, id, c.relation(), depth, frame).best();
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            return arrow(type, id, p, t, depth, frame);
        }
        if (rewrite instanceof Rewrite.Self) {
            boolean self = subject.type().equals(type) && subject.relation() == null && subject.id().equals(id);
            return self ? granted(List.of(), new TreeSet<>()) : BestChain.NONE;
        }
        return BestChain.NONE;
    }

    private BestChain arrow(String type, String id, Permission p, Rewrite.TupleToUserset arrow, int depth, Frame frame) {
        String via = arrow.tupleset() + (arrow.kind() == Rewrite.ArrowKind.ALL ? ".all(" + arrow.computed() + ")"
                : "->" + arrow.computed());
        String rule = type + "#" + p.name() + " = " + RewriteText.of(p.rewrite());
        boolean all = arrow.kind() == Rewrite.ArrowKind.ALL;
        List<BestChain> parts = new ArrayList<>();
        BestChain best = BestChain.NONE;
        for (Relationship t : reads.of(type, List.of(id), arrow.tupleset())) {
            if (t.subject().isWildcard()) {
                continue;
            }
            ObjectDefinition target = schema.definitions().get(t.subject().type());
            if (target == null || !target.has(arrow.computed())) {
                if (all) {
                    parts.add(BestChain.NONE);
                }
                continue;
            }
            Step reached = sub(t.subject().type(), t.subject().id(), arrow.computed(), depth, frame);
            BestChain candidate = through(t, rule, via, reached.best(), reached.truth(), frame);
            if (all) {
                parts.add(candidate);
                if (!exhaustive && candidate.truth().isFalse()) {
                    break;
                }
            } else {
                best = candidate.betterThan(best) ? candidate : best;
                if (!exhaustive && best.truth().isTrue()) {
                    break;
                }
            }
        }
        if (all) {
            return parts.isEmpty() ? BestChain.NONE : BestChain.all(parts);
        }
        return best;
    }

    /** The explanation of the walk's root, given the check's answer. */
    Explanation explanation(CheckResult answer, Step root) {
        BestChain best = root.best();
        boolean agrees = CheckResult.of(root.truth()).equals(answer);
        List<Explanation.Hop> missing = best.missing() == null || answer.permissionship() != Permissionship.NO
                ? List.of() : best.missing();
        return new Explanation(answer, best.chain(), missing, best.excludedBy(), List.copyOf(best.caveats()),
                complete && agrees);
    }
}
