package io.relata.engine;

import io.relata.engine.index.GroupIndexes;
import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How a permission that follows an arrow to itself over its own type ({@code permission view =
 * member + parent->view}, {@code relation parent: group}) can be evaluated from the index's
 * graph of the arrow's relation: the arrow {@code parent->view}, one term of the permission's
 * top-level union, and the rest of the union, the terms before it ({@code pre}) and after it
 * ({@code post}). The rest must not lead back to the permission (through any relation,
 * permission or arrow), so that its value on one object does not depend on the walk of the
 * permission itself: the permission on {@code g} is then the union of the rest over {@code g}
 * and everything reached from {@code g} through the arrow's relation.
 *
 * @param relation the arrow's relation ({@code parent})
 * @param pre      the union's terms before the arrow
 * @param post     the union's terms after it
 */
record ArrowPlan(String relation, List<Rewrite> pre, List<Rewrite> post) {

    /** Plans by schema (by identity: a compiled schema is kept and reused), then {@code type#permission}. */
    private static final Map<Schema, Map<String, Optional<ArrowPlan>>> PLANS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Schema, Map<String, Optional<ArrowPlan>>> eldest) {
            return size() > 64;
        }
    };

    /** A quick test: false when {@code permission}'s top-level union has no arrow to itself (no plan). */
    static boolean mayApply(Permission permission) {
        List<Rewrite> terms = permission.rewrite() instanceof Rewrite.Union u ? u.children()
                : List.of(permission.rewrite());
        for (Rewrite t : terms) {
            if (t instanceof Rewrite.TupleToUserset a && a.computed().equals(permission.name())) {
                return true;
            }
        }
        return false;
    }

    /** The plan of {@code type#name} (a permission) in {@code schema}, if it has that shape. */
    static Optional<ArrowPlan> of(Schema schema, String type, String name) {
        Map<String, Optional<ArrowPlan>> bySchema;
        synchronized (PLANS) {
            bySchema = null;
            for (Map.Entry<Schema, Map<String, Optional<ArrowPlan>>> e : PLANS.entrySet()) {
                if (e.getKey() == schema) {
                    bySchema = e.getValue();
                    break;
                }
            }
            if (bySchema == null) {
                bySchema = new java.util.concurrent.ConcurrentHashMap<>();
                PLANS.put(schema, bySchema);
            }
        }
        return bySchema.computeIfAbsent(type + "#" + name, k -> plan(schema, type, name));
    }

    private static Optional<ArrowPlan> plan(Schema schema, String type, String name) {
        ObjectDefinition definition = schema.definitions().get(type);
        Permission permission = definition == null ? null : definition.permissions().get(name);
        if (permission == null) {
            return Optional.empty();
        }
        List<Rewrite> terms = permission.rewrite() instanceof Rewrite.Union u ? u.children()
                : List.of(permission.rewrite());
        for (int i = 0; i < terms.size(); i++) {
            if (terms.get(i) instanceof Rewrite.TupleToUserset a && a.computed().equals(name)
                    && a.kind() == Rewrite.ArrowKind.ANY
                    && GroupIndexes.arrowIndexable(type, definition.relations().get(a.tupleset()))) {
                List<Rewrite> rest = new ArrayList<>(terms);
                rest.remove(i);
                Set<String> seen = new HashSet<>();
                for (Rewrite r : rest) {
                    if (reaches(schema, type, r, type + "#" + name, seen)) {
                        return Optional.empty();
                    }
                }
                return Optional.of(new ArrowPlan(a.tupleset(), List.copyOf(terms.subList(0, i)),
                        List.copyOf(terms.subList(i + 1, terms.size()))));
            }
        }
        return Optional.empty();
    }

    /** Whether evaluating {@code rewrite} on an object of {@code type} may evaluate {@code target}. */
    private static boolean reaches(Schema schema, String type, Rewrite rewrite, String target, Set<String> seen) {
        if (rewrite instanceof Rewrite.Union u) {
            return anyReaches(schema, type, u.children(), target, seen);
        }
        if (rewrite instanceof Rewrite.Intersection i) {
            return anyReaches(schema, type, i.children(), target, seen);
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            return reaches(schema, type, x.base(), target, seen) || reaches(schema, type, x.subtracted(), target, seen);
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return reachesName(schema, type, c.relation(), target, seen);
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            ObjectDefinition d = schema.definitions().get(type);
            Relation tupleset = d == null ? null : d.relations().get(t.tupleset());
            if (tupleset == null) {
                return false;
            }
            for (AllowedSubjectType a : tupleset.allowedTypes()) {
                if (reachesName(schema, a.subject().type(), t.computed(), target, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean anyReaches(Schema schema, String type, List<Rewrite> children, String target,
            Set<String> seen) {
        for (Rewrite c : children) {
            if (reaches(schema, type, c, target, seen)) {
                return true;
            }
        }
        return false;
    }

    private static boolean reachesName(Schema schema, String type, String name, String target, Set<String> seen) {
        String key = type + "#" + name;
        if (key.equals(target)) {
            return true;
        }
        if (!seen.add(key)) {
            return false;
        }
        ObjectDefinition d = schema.definitions().get(type);
        if (d == null) {
            return false;
        }
        Relation relation = d.relations().get(name);
        if (relation != null) {
            for (AllowedSubjectType a : relation.allowedTypes()) {
                if (a.subject().relation() != null
                        && reachesName(schema, a.subject().type(), a.subject().relation(), target, seen)) {
                    return true;
                }
            }
            return false;
        }
        Permission permission = d.permissions().get(name);
        return permission != null && reaches(schema, type, permission.rewrite(), target, seen);
    }
}
