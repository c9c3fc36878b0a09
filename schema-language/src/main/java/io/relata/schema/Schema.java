package io.relata.schema;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A compiled, valid schema: what the engine evaluates. Immutable and safe to share between
 * threads. Built only by {@link SchemaCompiler}, so every name it refers to exists.
 *
 * <p>Equality is structural: two schemas are equal when they define the same types,
 * relations, permissions (same rewrite trees) and caveats, with the same docs.
 */
public final class Schema {

    private final Map<String, ObjectDefinition> definitions;
    private final Map<String, CaveatDefinition> caveats;
    private final Set<String> features;
    private final Map<String, Set<SubjectType>> reachingCache = new ConcurrentHashMap<>();

    Schema(Map<String, ObjectDefinition> definitions, Map<String, CaveatDefinition> caveats, Set<String> features) {
        this.definitions = Collections.unmodifiableMap(new LinkedHashMap<>(definitions));
        this.caveats = Collections.unmodifiableMap(new LinkedHashMap<>(caveats));
        this.features = Collections.unmodifiableSet(new TreeSet<>(features));
    }

    /** Object definitions by type name, in schema order. */
    public Map<String, ObjectDefinition> definitions() {
        return definitions;
    }

    /** Caveats by name, in schema order. */
    public Map<String, CaveatDefinition> caveats() {
        return caveats;
    }

    /** The {@code use} flags the schema turns on, such as {@code expiration}. */
    public Set<String> features() {
        return features;
    }

    public Optional<ObjectDefinition> definition(String type) {
        return Optional.ofNullable(definitions.get(type));
    }

    public Optional<CaveatDefinition> caveat(String name) {
        return Optional.ofNullable(caveats.get(name));
    }

    /**
     * The kinds of subject that can hold {@code relationOrPermission} on objects of
     * {@code type}: every subject type a relationship on the way may name, directly or
     * through subject relations ({@code group#member} brings in the types of
     * {@code group#member}), computed usersets and arrows. Lookups start from these: a
     * subject whose kind is not among them can never be granted.
     *
     * <p>The answer is an upper bound (an intersection or exclusion may still deny) and is
     * computed once per question. Cycles in the schema are followed once.
     *
     * @throws IllegalArgumentException if the type or the relation does not exist
     */
    public Set<SubjectType> subjectTypesReaching(String type, String relationOrPermission) {
        ObjectDefinition definition = definitions.get(type);
        if (definition == null || !definition.has(relationOrPermission)) {
            throw new IllegalArgumentException("no relation or permission " + type + "#" + relationOrPermission);
        }
        return reachingCache.computeIfAbsent(type + "#" + relationOrPermission,
                key -> Collections.unmodifiableSet(computeReaching(type, relationOrPermission)));
    }

    private Set<SubjectType> computeReaching(String type, String name) {
        Set<SubjectType> out = new TreeSet<>();
        Set<String> visited = new HashSet<>();
        Deque<String[]> work = new ArrayDeque<>();
        work.push(new String[] {type, name});
        while (!work.isEmpty()) {
            String[] item = work.pop();
            if (!visited.add(item[0] + "#" + item[1])) {
                continue;
            }
            ObjectDefinition definition = definitions.get(item[0]);
            if (definition == null) {
                continue;
            }
            Relation relation = definition.relations().get(item[1]);
            if (relation != null) {
                for (AllowedSubjectType allowed : relation.allowedTypes()) {
                    out.add(allowed.subject());
                    if (allowed.subject().relation() != null) {
                        work.push(new String[] {allowed.subject().type(), allowed.subject().relation()});
                    }
                }
                continue;
            }
            Permission permission = definition.permissions().get(item[1]);
            if (permission != null) {
                collect(definition, permission.rewrite(), out, work);
            }
        }
        return out;
    }

    private void collect(ObjectDefinition definition, Rewrite rewrite, Set<SubjectType> out, Deque<String[]> work) {
        if (rewrite instanceof Rewrite.Union u) {
            u.children().forEach(c -> collect(definition, c, out, work));
        } else if (rewrite instanceof Rewrite.Intersection i) {
            i.children().forEach(c -> collect(definition, c, out, work));
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            collect(definition, x.base(), out, work);
        } else if (rewrite instanceof Rewrite.ComputedUserset c) {
            work.push(new String[] {definition.name(), c.relation()});
        } else if (rewrite instanceof Rewrite.TupleToUserset t) {
            Relation tupleset = definition.relations().get(t.tupleset());
            if (tupleset != null) {
                for (AllowedSubjectType allowed : tupleset.allowedTypes()) {
                    ObjectDefinition target = definitions.get(allowed.subject().type());
                    if (target != null && target.has(t.computed())) {
                        work.push(new String[] {target.name(), t.computed()});
                    }
                }
            }
        } else if (rewrite instanceof Rewrite.Self) {
            out.add(SubjectType.object(definition.name()));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s
                && definitions.equals(s.definitions)
                && caveats.equals(s.caveats)
                && features.equals(s.features);
    }

    @Override
    public int hashCode() {
        return definitions.hashCode() * 31 + caveats.hashCode();
    }

    @Override
    public String toString() {
        return "Schema" + definitions.keySet() + (caveats.isEmpty() ? "" : " caveats " + caveats.keySet());
    }
}
