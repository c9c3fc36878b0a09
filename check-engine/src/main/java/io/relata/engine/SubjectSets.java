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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Lookup subjects: the {@link SubjectSet} of resource#name for one subject type (and
 * relation), computed forward through relations, usersets, arrows and set operations. A
 * resource#name already being computed further up (a cycle in the data) contributes the
 * empty set there.
 *
 * <p>Each object#name is computed once per request: a result is remembered unless it rests
 * on such a cut into an enclosing computation (then it is computed again where it is met
 * next), so subgroups shared by many groups cost one computation, not one per path. Reads
 * are batched by level: when an object's relationships name other objects, the relations
 * the question may read on all of them are read together in one store query.
 *
 * <p>Not thread-safe: one instance belongs to one request.
 */
final class SubjectSets {

    private final Schema schema;
    private final String subjectType;
    private final String subjectRelation;
    private final Map<String, Object> context;
    private final CaveatEvaluator caveats;
    private final int maxDepth;
    private final long deadlineNanos;
    private final Map<String, SubjectSet> memo = new HashMap<>();
    /** Keys being computed, with their frame (nesting of {@link #of} calls that compute). */
    private final Map<String, Integer> inProgress = new HashMap<>();
    /** Open frames of {@link #of}. */
    private int frames;
    /** The outermost frame a cut reached since the innermost open frame began. */
    private int outermostCut = Integer.MAX_VALUE;
    /** Relationships read so far: each is read once per request. */
    private final RequestReads reads;
    /** Per type, the relations the question may read on objects of that type; null until the first. */
    private Map<String, Set<String>> relationsRead;
    /** The only concrete ids kept, or null for all (see {@link #onlyIds}). */
    private Set<String> only;

    SubjectSets(TupleStore store, String tenant, Revision revision, Schema schema, String subjectType,
            String subjectRelation, Map<String, Object> context, CaveatEvaluator caveats, int maxDepth,
            long deadlineNanos) {
        this.schema = schema;
        this.subjectType = subjectType;
        this.subjectRelation = subjectRelation;
        this.context = context;
        this.caveats = caveats;
        this.maxDepth = maxDepth;
        this.deadlineNanos = deadlineNanos;
        this.reads = new RequestReads(store, tenant, revision);
    }

    /**
     * Keeps only these concrete subject ids (null for all): the subject set algebra treats each
     * concrete id on its own (only a wildcard relates ids), so for a question no wildcard of the
     * subject type reaches, the result restricted to some ids is the whole result's entries for
     * those ids, computed in sets no larger than the ids. Lookup subjects checks the candidates
     * its walk did not prove this way, a batch at a time.
     */
    SubjectSets onlyIds(Set<String> ids) {
        this.only = ids;
        return this;
    }

    /** Reads through the shared cache of relationships (and fills it). */
    SubjectSets readingThrough(RelationshipCache relationships) {
        reads.readThrough(relationships);
        return this;
    }

    SubjectSet of(String type, String id, String name, int depth) {
        if (depth > maxDepth) {
            throw EngineException.depthExceeded(maxDepth, "looking up subjects of " + type + ":" + id
                    + "#" + name + " went deeper than " + maxDepth + " levels");
        }
        if (System.nanoTime() > deadlineNanos) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "lookup subjects ran past its deadline");
        }
        if (relationsRead == null) {
            relationsRead = schema.relationsRead(type, name);
        }
        String key = type + ":" + id + "#" + name;
        SubjectSet known = memo.get(key);
        if (known != null) {
            return known.copy();
        }
        Integer open = inProgress.get(key);
        if (open != null) {
            outermostCut = Math.min(outermostCut, open);
            return SubjectSet.empty();
        }
        int frame = frames++;
        inProgress.put(key, frame);
        int outerCut = outermostCut;
        outermostCut = Integer.MAX_VALUE;
        SubjectSet result;
        try {
            result = compute(type, id, name, depth);
        } finally {
            inProgress.remove(key);
            frames--;
        }
        // A cut into this frame is part of its own result; a cut into an enclosing one means
        // the result is not final, so it is not remembered.
        boolean exact = outermostCut >= frame;
        outermostCut = Math.min(outerCut, exact ? Integer.MAX_VALUE : outermostCut);
        if (exact) {
            memo.put(key, result.copy());
        }
        return result;
    }

    /** Store queries this request made. */
    int storeCalls() {
        return reads.storeCalls();
    }

    private SubjectSet compute(String type, String id, String name, int depth) {
        SubjectSet result = SubjectSet.empty();
        if (type.equals(subjectType) && name.equals(subjectRelation)) {
            // A userset contains itself.
            if (kept(id)) {
                result.add(new SubjectSet.Found(id, Cav.NONE));
            }
        }
        ObjectDefinition definition = schema.definitions().get(type);
        if (definition == null) {
            return result;
        }
        Relation relation = definition.relations().get(name);
        if (relation != null) {
            List<Relationship> tuples = tuples(type, id, name);
            prefetch(tuples, false);
            for (Relationship t : tuples) {
                Cav caveat = caveat(t);
                SubjectRef s = t.subject();
                if (s.type().equals(subjectType) && Objects.equals(s.relation(), subjectRelation) && kept(s.id())) {
                    result.add(new SubjectSet.Found(s.id(), caveat));
                }
                if (s.relation() != null) {
                    result.unionWith(of(s.type(), s.id(), s.relation(), depth + 1).withParentCaveat(caveat));
                }
            }
            return result;
        }
        Permission permission = definition.permissions().get(name);
        if (permission != null) {
            result.unionWith(rewrite(type, id, permission.rewrite(), depth));
        }
        return result;
    }

    private SubjectSet rewrite(String type, String id, Rewrite rewrite, int depth) {
        if (rewrite instanceof Rewrite.Union u) {
            SubjectSet result = SubjectSet.empty();
            for (Rewrite child : u.children()) {
                result.unionWith(rewrite(type, id, child, depth));
            }
            return result;
        }
        if (rewrite instanceof Rewrite.Intersection i) {
            SubjectSet result = null;
            for (Rewrite child : i.children()) {
                SubjectSet next = rewrite(type, id, child, depth);
                if (result == null) {
                    result = next.copy();
                } else {
                    result.intersectionDifference(next);
                }
                if (result.isEmpty()) {
                    break;
                }
            }
            return result == null ? SubjectSet.empty() : result;
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            SubjectSet base = rewrite(type, id, x.base(), depth).copy();
            if (base.isEmpty()) {
                return base;
            }
            base.subtractAll(rewrite(type, id, x.subtracted(), depth));
            return base;
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return of(type, id, c.relation(), depth + 1);
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            List<Relationship> tuples = tuples(type, id, t.tupleset());
            prefetch(tuples, true);
            if (t.kind() == Rewrite.ArrowKind.ANY) {
                SubjectSet result = SubjectSet.empty();
                for (Relationship r : tuples) {
                    ObjectDefinition target = schema.definitions().get(r.subject().type());
                    if (!r.subject().isWildcard() && target != null && target.has(t.computed())) {
                        result.unionWith(of(r.subject().type(), r.subject().id(), t.computed(), depth + 1)
                                .withParentCaveat(caveat(r)));
                    }
                }
                return result;
            }
            // .all(): every subject must hold it; the caveats of all the relationships apply to the result.
            Cav tuplesCaveat = Cav.NONE;
            SubjectSet result = null;
            for (Relationship r : tuples) {
                tuplesCaveat = tuplesCaveat.and(caveat(r));
                ObjectDefinition target = schema.definitions().get(r.subject().type());
                if (r.subject().isWildcard() || target == null || !target.has(t.computed())) {
                    continue;
                }
                SubjectSet reached = of(r.subject().type(), r.subject().id(), t.computed(), depth + 1);
                if (result == null) {
                    result = reached.copy();
                } else {
                    result.intersectionDifference(reached);
                }
            }
            return result == null ? SubjectSet.empty() : result.withParentCaveat(tuplesCaveat);
        }
        if (rewrite instanceof Rewrite.Self) {
            // As SpiceDB: the resource itself, whatever subject type was asked for.
            return kept(id) ? SubjectSet.of(id, Cav.NONE) : SubjectSet.empty();
        }
        return SubjectSet.empty();
    }

    /** The relationships of {@code type:id#relation}, read with the other relations the question needs of it. */
    private List<Relationship> tuples(String type, String id, String relation) {
        List<Relationship> known = reads.get(type, id, relation);
        if (known == null && indexed != null) {
            known = indexed.get(type, id, relation);
        }
        if (known != null) {
            return known;
        }
        Set<String> relations = new HashSet<>(relationsRead.getOrDefault(type, Set.of()));
        relations.add(relation);
        reads.load(type, List.of(id), relations);
        return reads.get(type, id, relation);
    }

    /**
     * Reads, in one query per type, the relations the question may need on the objects these
     * relationships name (subject sets, or the targets of an arrow), before they are visited.
     */
    private void prefetch(List<Relationship> tuples, boolean arrowTargets) {
        Map<String, Set<String>> byType = new HashMap<>();
        for (Relationship t : tuples) {
            SubjectRef s = t.subject();
            if (!s.isWildcard() && (arrowTargets || s.relation() != null)) {
                byType.computeIfAbsent(s.type(), k -> new java.util.LinkedHashSet<>()).add(s.id());
            }
        }
        byType.forEach((type, ids) -> {
            Set<String> relations = relationsRead.getOrDefault(type, Set.of());
            // The index gives what it holds of a single relation read; the store the rest.
            java.util.Collection<String> left = indexed != null && relations.size() == 1
                    ? indexed.notGiven(type, ids, relations.iterator().next()) : ids;
            if (!relations.isEmpty() && !left.isEmpty()) {
                reads.load(type, left, relations);
            }
        });
    }

    private boolean kept(String id) {
        return only == null || only.contains(id);
    }

    private Cav caveat(Relationship t) {
        return t.caveat() == null ? Cav.NONE : Cav.of(caveats.evaluate(schema, t, context, deadlineNanos));
    }

    /** Reads the nested-group index gives from memory (see {@link IndexedSubjectReads}), or null. */
    private IndexedSubjectReads indexed;

    /** Takes the reads {@code fromIndex} can give instead of the store's; returns this. */
    SubjectSets usingGroupIndex(IndexedSubjectReads fromIndex) {
        this.indexed = fromIndex;
        return this;
    }
}
