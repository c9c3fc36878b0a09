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
 */
final class SubjectSets {

    private final TupleStore store;
    private final String tenant;
    private final Revision revision;
    private final Schema schema;
    private final String subjectType;
    private final String subjectRelation;
    private final Map<String, Object> context;
    private final CaveatEvaluator caveats;
    private final int maxDepth;
    private final long deadlineNanos;
    private final Map<String, SubjectSet> memo = new HashMap<>();
    private final Set<String> inProgress = new HashSet<>();

    SubjectSets(TupleStore store, String tenant, Revision revision, Schema schema, String subjectType,
            String subjectRelation, Map<String, Object> context, CaveatEvaluator caveats, int maxDepth,
            long deadlineNanos) {
        this.store = store;
        this.tenant = tenant;
        this.revision = revision;
        this.schema = schema;
        this.subjectType = subjectType;
        this.subjectRelation = subjectRelation;
        this.context = context;
        this.caveats = caveats;
        this.maxDepth = maxDepth;
        this.deadlineNanos = deadlineNanos;
    }

    SubjectSet of(String type, String id, String name, int depth) {
        if (depth > maxDepth) {
            throw new EngineException(EngineException.Reason.DEPTH_EXCEEDED, "looking up subjects of " + type + ":" + id
                    + "#" + name + " went deeper than " + maxDepth + " levels");
        }
        if (System.nanoTime() > deadlineNanos) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "lookup subjects ran past its deadline");
        }
        String key = type + ":" + id + "#" + name;
        SubjectSet known = memo.get(key);
        if (known != null) {
            return known.copy();
        }
        if (!inProgress.add(key)) {
            return SubjectSet.empty();
        }
        SubjectSet result;
        try {
            result = compute(type, id, name, depth);
        } finally {
            inProgress.remove(key);
        }
        if (inProgress.isEmpty()) {
            memo.put(key, result.copy());
        }
        return result;
    }

    private SubjectSet compute(String type, String id, String name, int depth) {
        SubjectSet result = SubjectSet.empty();
        if (type.equals(subjectType) && name.equals(subjectRelation)) {
            // A userset contains itself.
            result.add(new SubjectSet.Found(id, Cav.NONE));
        }
        ObjectDefinition definition = schema.definitions().get(type);
        if (definition == null) {
            return result;
        }
        Relation relation = definition.relations().get(name);
        if (relation != null) {
            for (Relationship t : store.subjectsOf(tenant, revision, type, List.of(id), name)) {
                Cav caveat = caveat(t);
                SubjectRef s = t.subject();
                if (s.type().equals(subjectType) && Objects.equals(s.relation(), subjectRelation)) {
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
            List<Relationship> tuples = store.subjectsOf(tenant, revision, type, List.of(id), t.tupleset());
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
            return SubjectSet.of(id, Cav.NONE);
        }
        return SubjectSet.empty();
    }

    private Cav caveat(Relationship t) {
        return t.caveat() == null ? Cav.NONE : Cav.of(caveats.evaluate(schema, t, context));
    }
}
