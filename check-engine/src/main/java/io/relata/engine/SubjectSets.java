package io.relata.engine;

import io.relata.schema.CaveatDefinition;
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
            result.add(id, Truth.TRUE);
        }
        ObjectDefinition definition = schema.definitions().get(type);
        if (definition == null) {
            return result;
        }
        Relation relation = definition.relations().get(name);
        if (relation != null) {
            for (Relationship t : store.subjectsOf(tenant, revision, type, List.of(id), name)) {
                Truth caveat = caveat(t);
                if (caveat.isFalse()) {
                    continue;
                }
                SubjectRef s = t.subject();
                if (s.type().equals(subjectType) && Objects.equals(s.relation(), subjectRelation)) {
                    result.add(s.id(), caveat);
                } else if (s.relation() != null) {
                    result.unionWith(of(s.type(), s.id(), s.relation(), depth + 1).and(caveat));
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
                result = result == null ? next : result.intersect(next);
                if (result.isEmpty()) {
                    break;
                }
            }
            return result == null ? SubjectSet.empty() : result;
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            SubjectSet base = rewrite(type, id, x.base(), depth);
            if (base.isEmpty()) {
                return base;
            }
            return base.minus(rewrite(type, id, x.subtracted(), depth));
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return of(type, id, c.relation(), depth + 1);
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            boolean all = t.kind() == Rewrite.ArrowKind.ALL;
            SubjectSet result = null;
            for (Relationship r : store.subjectsOf(tenant, revision, type, List.of(id), t.tupleset())) {
                if (r.subject().isWildcard()) {
                    continue;
                }
                ObjectDefinition target = schema.definitions().get(r.subject().type());
                SubjectSet reached = target != null && target.has(t.computed())
                        ? of(r.subject().type(), r.subject().id(), t.computed(), depth + 1).and(caveat(r))
                        : SubjectSet.empty();
                if (result == null) {
                    result = reached;
                } else if (all) {
                    result = result.intersect(reached);
                } else {
                    result.unionWith(reached);
                }
            }
            return result == null ? SubjectSet.empty() : result;
        }
        if (rewrite instanceof Rewrite.Self) {
            SubjectSet result = SubjectSet.empty();
            if (type.equals(subjectType) && subjectRelation == null) {
                result.add(id, Truth.TRUE);
            }
            return result;
        }
        return SubjectSet.empty();
    }

    private Truth caveat(Relationship t) {
        if (t.caveat() == null) {
            return Truth.TRUE;
        }
        CaveatDefinition definition = schema.caveats().get(t.caveat().name());
        return definition == null ? Truth.FALSE : caveats.evaluate(definition, context, t.caveat().context());
    }
}
