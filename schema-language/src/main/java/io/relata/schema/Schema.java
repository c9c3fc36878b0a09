package io.relata.schema;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
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
 * relations, permissions (same rewrite trees) and caveats, with the same docs and comments.
 */
public final class Schema {

    private final Map<String, ObjectDefinition> definitions;
    private final Map<String, CaveatDefinition> caveats;
    private final Set<String> features;
    private final Map<String, Composite> composites;
    private final Map<List<String>, Composite> compositesByChain = new LinkedHashMap<>();
    private final Map<String, Reach> reachCache = new ConcurrentHashMap<>();

    Schema(Map<String, ObjectDefinition> definitions, Map<String, CaveatDefinition> caveats, Set<String> features) {
        this(definitions, caveats, features, Map.of());
    }

    Schema(Map<String, ObjectDefinition> definitions, Map<String, CaveatDefinition> caveats, Set<String> features,
            Map<String, Composite> composites) {
        this.definitions = Collections.unmodifiableMap(new LinkedHashMap<>(definitions));
        this.caveats = Collections.unmodifiableMap(new LinkedHashMap<>(caveats));
        this.features = Collections.unmodifiableSet(new TreeSet<>(features));
        this.composites = Collections.unmodifiableMap(new LinkedHashMap<>(composites));
        for (Composite c : this.composites.values()) {
            compositesByChain.putIfAbsent(c.chain(), c);
        }
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

    /** Relata's composite principals by name, in schema order (empty for every SpiceDB schema). */
    public Map<String, Composite> composites() {
        return composites;
    }

    /**
     * The composite declared for this chain of principal types, in this order; each chain is
     * declared at most once, so a request is matched by the types of its principals.
     */
    public Optional<Composite> compositeFor(List<String> chainTypes) {
        return Optional.ofNullable(compositesByChain.get(chainTypes));
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
        return reach(type, relationOrPermission).subjectTypes();
    }

    /**
     * Per object type, the relations that answering {@code relationOrPermission} on objects of
     * {@code type} may read: relations named on the way, the left sides of arrows, and subject
     * relations, through every branch (the subtracted side of an exclusion too). The check
     * engine reads them together, one query per object instead of one per relation. Computed
     * once per question.
     *
     * @throws IllegalArgumentException if the type or the relation does not exist
     */
    public Map<String, Set<String>> relationsRead(String type, String relationOrPermission) {
        return reach(type, relationOrPermission).relationsRead();
    }

    /** What a question reaches: the subject types that may hold it, and the relations read on the way. */
    private record Reach(Set<SubjectType> subjectTypes, Map<String, Set<String>> relationsRead) {}

    private Reach reach(String type, String name) {
        ObjectDefinition definition = definitions.get(type);
        if (definition == null || !definition.has(name)) {
            throw new IllegalArgumentException("no relation or permission " + type + "#" + name);
        }
        return reachCache.computeIfAbsent(type + "#" + name, key -> computeReach(type, name));
    }

    /** One walk of the schema from {@code type#name}; cycles are followed once. */
    private Reach computeReach(String type, String name) {
        Set<SubjectType> subjectTypes = new TreeSet<>();
        Map<String, Set<String>> read = new LinkedHashMap<>();
        Set<String> visited = new HashSet<>();
        Deque<Step> work = new ArrayDeque<>();
        work.push(new Step(type, name, true));
        while (!work.isEmpty()) {
            Step step = work.pop();
            if (!visited.add(step.type() + "#" + step.name() + "#" + step.grants())) {
                continue;
            }
            ObjectDefinition definition = definitions.get(step.type());
            if (definition == null) {
                continue;
            }
            Relation relation = definition.relations().get(step.name());
            if (relation != null) {
                read.computeIfAbsent(step.type(), k -> new TreeSet<>()).add(step.name());
                for (AllowedSubjectType allowed : relation.allowedTypes()) {
                    if (step.grants()) {
                        subjectTypes.add(allowed.subject());
                    }
                    if (allowed.subject().relation() != null) {
                        work.push(new Step(allowed.subject().type(), allowed.subject().relation(), step.grants()));
                    }
                }
                continue;
            }
            Permission permission = definition.permissions().get(step.name());
            if (permission != null) {
                collect(definition, permission.rewrite(), step.grants(), subjectTypes, read, work);
            }
        }
        Map<String, Set<String>> frozen = new LinkedHashMap<>();
        read.forEach((t, relations) -> frozen.put(t, Collections.unmodifiableSet(relations)));
        return new Reach(Collections.unmodifiableSet(subjectTypes), Collections.unmodifiableMap(frozen));
    }

    /** A relation or permission to visit; {@code grants} is false under the subtracted side of an exclusion. */
    private record Step(String type, String name, boolean grants) {}

    private void collect(ObjectDefinition definition, Rewrite rewrite, boolean grants, Set<SubjectType> subjectTypes,
            Map<String, Set<String>> read, Deque<Step> work) {
        if (rewrite instanceof Rewrite.Union u) {
            u.children().forEach(c -> collect(definition, c, grants, subjectTypes, read, work));
        } else if (rewrite instanceof Rewrite.Intersection i) {
            i.children().forEach(c -> collect(definition, c, grants, subjectTypes, read, work));
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            // The subtracted side is read, but it never grants.
            collect(definition, x.base(), grants, subjectTypes, read, work);
            collect(definition, x.subtracted(), false, subjectTypes, read, work);
        } else if (rewrite instanceof Rewrite.ComputedUserset c) {
            work.push(new Step(definition.name(), c.relation(), grants));
        } else if (rewrite instanceof Rewrite.TupleToUserset t) {
            Relation tupleset = definition.relations().get(t.tupleset());
            if (tupleset != null) {
                read.computeIfAbsent(definition.name(), k -> new TreeSet<>()).add(t.tupleset());
                for (AllowedSubjectType allowed : tupleset.allowedTypes()) {
                    ObjectDefinition target = definitions.get(allowed.subject().type());
                    if (target != null && target.has(t.computed())) {
                        work.push(new Step(target.name(), t.computed(), grants));
                    }
                }
            }
        } else if (rewrite instanceof Rewrite.Self && grants) {
            subjectTypes.add(SubjectType.object(definition.name()));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s
                && definitions.equals(s.definitions)
                && caveats.equals(s.caveats)
                && features.equals(s.features)
                && composites.equals(s.composites);
    }

    @Override
    public int hashCode() {
        return definitions.hashCode() * 31 + caveats.hashCode();
    }

    @Override
    public String toString() {
        return "Schema" + definitions.keySet() + (caveats.isEmpty() ? "" : " caveats " + caveats.keySet())
                + (composites.isEmpty() ? "" : " composites " + composites.keySet());
    }
}
