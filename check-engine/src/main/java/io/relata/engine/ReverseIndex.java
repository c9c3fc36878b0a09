package io.relata.engine;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * For lookups: which relations and permissions a userset {@code type#name} can lead to,
 * read off the schema once. Edges follow only the places where membership can come from
 * (union and intersection members, the base of an exclusion), so walking them over-approximates
 * the answer, and a check of each candidate makes it exact.
 */
final class ReverseIndex {

    /**
     * How {@code type#name} leads to {@code target#targetName}. An exact edge lies only under
     * unions (and {@code any} arrows): membership on its near side, through an uncaveated
     * relationship, is membership on its far side, with no check needed.
     */
    record Edge(Kind kind, String target, String targetName, String tupleset, String subjectRelation, boolean exact) {

        boolean sameWay(Edge other) {
            return kind == other.kind && target.equals(other.target) && targetName.equals(other.targetName)
                    && java.util.Objects.equals(tupleset, other.tupleset)
                    && java.util.Objects.equals(subjectRelation, other.subjectRelation);
        }
    }

    enum Kind {
        /** Relationships {@code target:x#targetName@type:y#name}. */
        USERSET,
        /** The same object: {@code targetName} includes {@code name}. */
        COMPUTED,
        /** {@code targetName} includes {@code tupleset->name}, and {@code target#tupleset} allows {@code type[#subjectRelation]}. */
        ARROW
    }

    private final Schema schema;
    private final Map<String, List<Edge>> edges = new HashMap<>();
    /** Permissions that include {@code self}, by type. */
    private final Map<String, List<String>> selfPermissions = new HashMap<>();
    /** {@code type#permission} keys of those that include {@code self} only under an intersection or exclusion. */
    private final Set<String> inexactSelf = new HashSet<>();

    ReverseIndex(Schema schema) {
        this.schema = schema;
        for (ObjectDefinition definition : schema.definitions().values()) {
            for (Relation relation : definition.relations().values()) {
                for (AllowedSubjectType allowed : relation.allowedTypes()) {
                    if (allowed.subject().relation() != null) {
                        add(allowed.subject().type() + "#" + allowed.subject().relation(),
                                new Edge(Kind.USERSET, definition.name(), relation.name(), null, null, true));
                    }
                }
            }
            for (Permission permission : definition.permissions().values()) {
                collect(schema, definition, permission.name(), permission.rewrite(), true);
            }
        }
    }

    private void collect(Schema schema, ObjectDefinition definition, String permission, Rewrite rewrite,
            boolean exact) {
        if (rewrite instanceof Rewrite.Union u) {
            u.children().forEach(c -> collect(schema, definition, permission, c, exact));
        } else if (rewrite instanceof Rewrite.Intersection i) {
            i.children().forEach(c -> collect(schema, definition, permission, c, false));
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            collect(schema, definition, permission, x.base(), false);
        } else if (rewrite instanceof Rewrite.ComputedUserset c) {
            add(definition.name() + "#" + c.relation(), new Edge(Kind.COMPUTED, definition.name(), permission, null, null,
                    exact));
        } else if (rewrite instanceof Rewrite.TupleToUserset t) {
            Relation tupleset = definition.relations().get(t.tupleset());
            if (tupleset == null) {
                return;
            }
            for (AllowedSubjectType allowed : tupleset.allowedTypes()) {
                if (allowed.subject().wildcard()) {
                    continue;
                }
                String relation = allowed.subject().relation() == null ? "" : allowed.subject().relation();
                add(allowed.subject().type() + "#" + t.computed(),
                        new Edge(Kind.ARROW, definition.name(), permission, t.tupleset(), relation,
                                exact && t.kind() != Rewrite.ArrowKind.ALL));
            }
        } else if (rewrite instanceof Rewrite.Self) {
            List<String> names = selfPermissions.computeIfAbsent(definition.name(), k -> new ArrayList<>());
            String key = definition.name() + "#" + permission;
            if (!names.contains(permission)) {
                names.add(permission);
                if (!exact) {
                    inexactSelf.add(key);
                }
            } else if (exact) {
                inexactSelf.remove(key);
            }
        }
    }

    /** Adds an edge; one reached both exactly and not is exact (a union member holds on its own). */
    private void add(String from, Edge edge) {
        List<Edge> list = edges.computeIfAbsent(from, k -> new ArrayList<>());
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).sameWay(edge)) {
                if (edge.exact() && !list.get(i).exact()) {
                    list.set(i, edge);
                }
                return;
            }
        }
        list.add(edge);
    }

    /** True when the schema leads from {@code type#name} to {@code target} along the edges. */
    boolean leadsTo(String type, String name, String target) {
        Set<String> seen = new HashSet<>();
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>();
        queue.add(type + "#" + name);
        while (!queue.isEmpty()) {
            String key = queue.poll();
            if (key.equals(target)) {
                return true;
            }
            if (seen.add(key)) {
                for (Edge e : edges.getOrDefault(key, List.of())) {
                    queue.add(e.target() + "#" + e.targetName());
                }
            }
        }
        return false;
    }

    /** Every {@code type#name} from which the edges lead to {@code target}, {@code target} included. */
    Set<String> leadingTo(String target) {
        Map<String, List<String>> into = new HashMap<>();
        edges.forEach((from, out) -> out.forEach(e -> into.computeIfAbsent(e.target() + "#" + e.targetName(),
                k -> new ArrayList<>()).add(from)));
        Set<String> leading = new HashSet<>();
        java.util.ArrayDeque<String> queue = new java.util.ArrayDeque<>(List.of(target));
        while (!queue.isEmpty()) {
            String key = queue.poll();
            if (leading.add(key)) {
                queue.addAll(into.getOrDefault(key, List.of()));
            }
        }
        return leading;
    }

    List<Edge> from(String type, String name) {
        return edges.getOrDefault(type + "#" + name, List.of());
    }

    List<String> selfPermissions(String type) {
        return selfPermissions.getOrDefault(type, List.of());
    }

    /** True when {@code type#permission} includes {@code self} under unions only. */
    boolean selfIsExact(String type, String permission) {
        return !inexactSelf.contains(type + "#" + permission);
    }

    /**
     * Where SpiceDB's check hint for a caveated relationship on {@code type#relation} sits: at
     * the names in the rewrite of the permission looked up through which the relation enters
     * it on the same object (the relation itself, or a permission made of it such as
     * {@code comment = contributor} in {@code delete = comment - manage}), so that the other
     * side of an exclusion still evaluates the relationship's caveat; on the relation itself
     * where it is on another type or enters only through arrows.
     */
    Set<String> hintedNames(String resourceType, String permission, String type, String relation) {
        Permission target = type.equals(resourceType) ? schema.definitions().get(type).permissions().get(permission)
                : null;
        if (target == null) {
            return Set.of(relation);
        }
        Set<String> names = new TreeSet<>();
        for (String name : computedNames(target.rewrite(), new ArrayList<>())) {
            if (reachesOnSameObject(schema.definitions().get(type), name, relation, new HashSet<>())) {
                names.add(name);
            }
        }
        return names.isEmpty() ? Set.of(relation) : names;
    }

    /**
     * The relations and permissions through which a subject enters a rewrite on its own object:
     * not through arrows, and not through the subtracted side of an exclusion.
     */
    private static List<String> computedNames(Rewrite rewrite, List<String> out) {
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            out.add(c.relation());
        } else if (rewrite instanceof Rewrite.Union u) {
            u.children().forEach(child -> computedNames(child, out));
        } else if (rewrite instanceof Rewrite.Intersection i) {
            i.children().forEach(child -> computedNames(child, out));
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            // As in SpiceDB's reachability graph, a subject enters an exclusion through its base.
            computedNames(x.base(), out);
        }
        return out;
    }

    private static boolean reachesOnSameObject(ObjectDefinition definition, String name, String relation,
            Set<String> seen) {
        if (name.equals(relation)) {
            return true;
        }
        Permission p = definition.permissions().get(name);
        if (p == null || !seen.add(name)) {
            return false;
        }
        for (String next : computedNames(p.rewrite(), new ArrayList<>())) {
            if (reachesOnSameObject(definition, next, relation, seen)) {
                return true;
            }
        }
        return false;
    }
}
