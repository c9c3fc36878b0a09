package io.relata.server;

import io.relata.schema.AllowedSubjectType;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * SpiceDB's reachability graph, which its {@code ComputablePermissions} and
 * {@code DependentRelations} walk, over a compiled {@link Schema}. It is a port of
 * {@code pkg/schema/reachabilitygraph.go} and {@code reachabilitygraphbuilder.go}, quirks
 * included, so that both methods answer as SpiceDB does:
 *
 * <ul>
 *   <li>The graph of a relation has one entry per allowed subject type, keyed by
 *       {@code type#...}, {@code type#relation} or (wildcards) the type alone. The graph of a
 *       permission has one entry per name it refers to ({@code doc#viewer}) and, per arrow
 *       {@code parent->view}, one per subject type of {@code parent} that has a {@code view}
 *       ({@code folder#view}). An arrow's left side is not an entry: a change to
 *       {@code parent} is not seen as changing the permission.</li>
 *   <li>A {@code nil} among an operation's operands ends that operation's walk: operands
 *       after it are not entries ({@code nil + viewer} has none).</li>
 *   <li>Walking out from a resource, an arrow's left side is marked as met when the arrow is
 *       met; a relation already met is not walked again, so a left side's own subject
 *       relations are not walked.</li>
 *   <li>Walking in from a subject, the wildcard entries of the subject's type match whatever
 *       the subject's relation.</li>
 * </ul>
 *
 * {@code self} (which SpiceDB's graph builder does not know) is treated as an operand with
 * no entries.
 */
final class SchemaReachability {

    /** SpiceDB's relation name for "the object itself", as in {@code user#...}. */
    static final String ELLIPSIS = "...";

    /** A relation or permission: {@code namespace#relation}. */
    record Ref(String namespace, String relation) {
        String key() {
            return namespace + "#" + relation;
        }
    }

    /**
     * One way into a graph: a subject of the key's kind is in {@code target} (the relation
     * or permission whose graph it is); {@code tupleset} is the left side when it comes
     * through an arrow, else null.
     */
    private record Entrypoint(Ref target, String tupleset) {}

    /** Entrypoints keyed by the subject relation they come from. */
    private record Bucket(Ref subjectRelation, List<Entrypoint> entrypoints) {}

    /** The graph of one relation or permission. */
    private record Graph(Map<String, List<Entrypoint>> bySubjectType, Map<String, Bucket> bySubjectRelation) {}

    private final Schema schema;
    private final Map<String, Graph> graphs = new HashMap<>();

    SchemaReachability(Schema schema) {
        this.schema = schema;
    }

    /**
     * Every relation and permission met walking out from {@code resource} (SpiceDB's
     * {@code RelationsEncounteredForResource}), {@code resource} itself included, unordered.
     */
    Set<Ref> encounteredForResource(Ref resource) {
        Set<String> encountered = new LinkedHashSet<>();
        collect(resource, null, new ArrayList<>(), encountered);
        Set<Ref> out = new LinkedHashSet<>();
        for (String key : encountered) {
            int hash = key.lastIndexOf('#');
            out.add(new Ref(key.substring(0, hash), key.substring(hash + 1)));
        }
        return out;
    }

    /**
     * Every relation and permission a subject of kind {@code start} (relation
     * {@link #ELLIPSIS} for plain objects) may be found in, directly or transitively
     * (SpiceDB's {@code RelationsEncounteredForSubject}), unordered; it may include
     * {@code start} itself.
     */
    Set<Ref> encounteredForSubject(Ref start) {
        Set<Ref> all = new LinkedHashSet<>();
        Set<String> added = new HashSet<>();
        List<Ref> frontier = List.of(start);
        while (!frontier.isEmpty()) {
            List<Entrypoint> collected = new ArrayList<>();
            for (ObjectDefinition definition : schema.definitions().values()) {
                for (String name : members(definition)) {
                    for (Ref subject : frontier) {
                        if (subject.namespace().equals(definition.name()) && subject.relation().equals(name)) {
                            continue;
                        }
                        collect(new Ref(definition.name(), name), subject, collected, new HashSet<>());
                    }
                }
            }
            List<Ref> next = new ArrayList<>();
            for (Entrypoint entrypoint : collected) {
                if (added.add(entrypoint.target().key())) {
                    all.add(entrypoint.target());
                    next.add(entrypoint.target());
                }
            }
            frontier = next;
        }
        return all;
    }

    private static List<String> members(ObjectDefinition definition) {
        List<String> names = new ArrayList<>(definition.relations().keySet());
        names.addAll(definition.permissions().keySet());
        return names;
    }

    /** SpiceDB's {@code collectEntrypoints}; {@code subject} null collects every entrypoint. */
    private void collect(Ref resource, Ref subject, List<Entrypoint> collected, Set<String> encountered) {
        if (!encountered.add(resource.key())) {
            return;
        }
        Graph graph = graph(resource);
        if (subject != null) {
            add(graph.bySubjectType().getOrDefault(subject.namespace(), List.of()), collected, encountered);
            Bucket bucket = graph.bySubjectRelation().get(subject.key());
            if (bucket != null) {
                add(bucket.entrypoints(), collected, encountered);
            }
        } else {
            graph.bySubjectType().values().forEach(e -> add(e, collected, encountered));
            graph.bySubjectRelation().values().forEach(b -> add(b.entrypoints(), collected, encountered));
        }
        // In key order, as SpiceDB walks them (which relations a left side's mark stops depends on it).
        for (Bucket bucket : new TreeMap<>(graph.bySubjectRelation()).values()) {
            if (!bucket.subjectRelation().relation().equals(ELLIPSIS)) {
                collect(bucket.subjectRelation(), subject, collected, encountered);
            }
        }
    }

    private static void add(List<Entrypoint> entrypoints, List<Entrypoint> collected, Set<String> encountered) {
        for (Entrypoint e : entrypoints) {
            if (e.tupleset() != null) {
                encountered.add(new Ref(e.target().namespace(), e.tupleset()).key());
            }
            collected.add(e);
        }
    }

    // ---- building a graph (reachabilitygraphbuilder.go) ----------------------------------------

    private Graph graph(Ref ref) {
        return graphs.computeIfAbsent(ref.key(), k -> build(ref));
    }

    private Graph build(Ref ref) {
        ObjectDefinition definition = schema.definition(ref.namespace()).orElseThrow(
                () -> new IllegalStateException("no definition " + ref.namespace()));
        Graph graph = new Graph(new LinkedHashMap<>(), new LinkedHashMap<>());
        Relation relation = definition.relations().get(ref.relation());
        if (relation != null) {
            for (AllowedSubjectType allowed : relation.allowedTypes()) {
                if (allowed.subject().wildcard()) {
                    graph.bySubjectType().computeIfAbsent(allowed.subject().type(), t -> new ArrayList<>())
                            .add(new Entrypoint(ref, null));
                } else {
                    String subjectRelation = allowed.subject().relation() == null ? ELLIPSIS
                            : allowed.subject().relation();
                    entry(graph, new Ref(allowed.subject().type(), subjectRelation), new Entrypoint(ref, null));
                }
            }
            return graph;
        }
        Permission permission = definition.permissions().get(ref.relation());
        if (permission == null) {
            throw new IllegalStateException("no relation or permission " + ref.key());
        }
        rewrite(graph, ref, definition, permission.rewrite());
        return graph;
    }

    /** A permission's expression is always an operation in SpiceDB: a lone operand is a union of one. */
    private void rewrite(Graph graph, Ref target, ObjectDefinition definition, Rewrite rewrite) {
        List<Rewrite> operands;
        if (rewrite instanceof Rewrite.Union u) {
            operands = u.children();
        } else if (rewrite instanceof Rewrite.Intersection i) {
            operands = i.children();
        } else if (rewrite instanceof Rewrite.Exclusion x) {
            operands = List.of(x.base(), x.subtracted());
        } else {
            operands = List.of(rewrite);
        }
        for (Rewrite operand : operands) {
            if (operand instanceof Rewrite.Nil) {
                return; // as in SpiceDB: nil ends the operation's walk
            } else if (operand instanceof Rewrite.ComputedUserset c) {
                entry(graph, new Ref(definition.name(), c.relation()), new Entrypoint(target, null));
            } else if (operand instanceof Rewrite.TupleToUserset t) {
                Relation tupleset = definition.relations().get(t.tupleset());
                if (tupleset == null) {
                    continue; // the compiler allows only relations on an arrow's left
                }
                for (AllowedSubjectType allowed : tupleset.allowedTypes()) {
                    String type = allowed.subject().type();
                    if (schema.definition(type).map(d -> d.has(t.computed())).orElse(false)) {
                        entry(graph, new Ref(type, t.computed()), new Entrypoint(target, t.tupleset()));
                    }
                }
            } else if (operand instanceof Rewrite.Union || operand instanceof Rewrite.Intersection
                    || operand instanceof Rewrite.Exclusion) {
                rewrite(graph, target, definition, operand);
            }
            // Rewrite.Self: no entrypoints.
        }
    }

    private static void entry(Graph graph, Ref subjectRelation, Entrypoint entrypoint) {
        graph.bySubjectRelation().computeIfAbsent(subjectRelation.key(),
                k -> new Bucket(subjectRelation, new ArrayList<>())).entrypoints().add(entrypoint);
    }
}
