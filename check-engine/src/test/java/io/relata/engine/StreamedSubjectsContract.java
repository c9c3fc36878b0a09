package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A property: on random data for schemas that mix unions, usersets, arrows (`->` and
 * `.all()`), intersections, exclusions, caveats, wildcards and cycles, streamed lookup
 * subjects ({@link GraphCheckEngine#streamSubjects}) gives exactly what the whole subject set
 * computation ({@link GraphCheckEngine#lookupSubjects}, the oracle) gives: the same subjects,
 * permissionships, missing context and wildcard exclusions, each once; and paging with a
 * concrete limit and the cursors gives the same again, each page within its limit. Seeded, so
 * a failure names the seed that reproduces it. Each store runs this through its subclass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StreamedSubjectsContract {

    protected abstract TupleStore store();

    /** Unions only, wildcards included: every subject is proved by the walk. */
    static final String UNIONS = """
            definition user {}
            definition group {
                relation member: user | user:* | group#member
                permission everyone = member
            }
            definition folder {
                relation parent: folder
                relation viewer: user | group#everyone
                permission view = viewer + parent->view
            }
            definition doc {
                relation parent: folder
                relation owner: user
                relation viewer: user | user:* | group#everyone
                permission view = owner + viewer + parent->view
                permission edit = owner + parent->view
            }
            """;

    /** Set operations and caveats, no wildcard: subjects off the unions are checked. */
    static final String CHECKED = """
            caveat big(x int) {
                x > 1
            }
            definition user {}
            definition group {
                relation member: user | user with big | group#member | group#member with big
                relation banned: user | user with big
                permission allowed = member - banned
            }
            definition folder {
                relation parent: folder | folder with big
                relation viewer: user | group#member
                relation banned: user with big | group#member
                permission view = viewer + parent->view
                permission visible = view - banned
            }
            definition doc {
                relation parent: folder
                relation owner: user | user with big
                relation viewer: user | group#member | group#member with big
                relation editor: user | group#member
                permission view = owner + viewer + parent->view
                permission both = viewer & editor
                permission edit = (editor + owner) - parent->banned
                permission every = parent.all(view)
                permission mixed = (view & parent->visible) + owner
                permission allowed = viewer + parent->visible
            }
            """;

    /** A wildcard meets an exclusion and a caveat: computed whole, sent in id order. */
    static final String WHOLE = """
            caveat big(x int) {
                x > 1
            }
            definition user {}
            definition group {
                relation member: user | user:* | user with big | group#member
                relation banned: user | user:* | user with big
                permission allowed = member - banned
            }
            definition doc {
                relation viewer: user | user:* | group#allowed
                relation banned: user | group#allowed
                permission view = viewer - banned
                permission cav = viewer + banned
            }
            """;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (long seed = 1; seed <= 12; seed++) {
            out.add(Arguments.of("unions", seed));
            out.add(Arguments.of("checked", seed));
            out.add(Arguments.of("whole", seed));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void streamedSubjects_equalTheWholeComputation_andPagesGiveTheSame(String schemaName, long seed)
            throws Exception {
        String schema = switch (schemaName) {
            case "unions" -> UNIONS;
            case "checked" -> CHECKED;
            default -> WHOLE;
        };
        Random random = new Random(seed);
        TupleStore store = store();
        String tenant = "ls-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, schema);
        io.relata.schema.Schema compiled = io.relata.schema.SchemaCompiler.compile(schema).orThrow();
        List<Relationship> rows = data(compiled, random);
        Revision revision = store.bulkImport(tenant, rows.iterator());
        List<String> failures = new ArrayList<>();
        try (GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS)) {
            for (var definition : compiled.definitions().values()) {
                List<String> names = new ArrayList<>(definition.relations().keySet());
                names.addAll(definition.permissions().keySet());
                for (String name : names) {
                    for (int i = 0; i < 3; i++) {
                        ObjectRef resource = ObjectRef.of(definition.name(), id(definition.name(), i));
                        for (Map<String, Object> context : List.of(Map.<String, Object>of(), Map.<String, Object>of("x", 5),
                                Map.<String, Object>of("x", 0))) {
                            ask(engine, tenant, revision, resource, name, "user", null, context, random, failures);
                            if (!definition.name().equals("user")) {
                                ask(engine, tenant, revision, resource, name, "group", "member", context, random,
                                        failures);
                            }
                        }
                    }
                }
            }
        }
        assertThat(failures).as("seed %d, %d relationships", seed, rows.size()).isEmpty();
    }

    private static void ask(GraphCheckEngine engine, String tenant, Revision revision, ObjectRef resource,
            String name, String subjectType, String subjectRelation, Map<String, Object> context, Random random,
            List<String> failures) throws Exception {
        String question = resource + "#" + name + " for " + subjectType
                + (subjectRelation == null ? "" : "#" + subjectRelation) + " with " + context;
        Map<String, SubjectResult> oracle = new TreeMap<>();
        for (SubjectResult s : engine.lookupSubjects(tenant, revision, resource, name, subjectType, subjectRelation,
                context).get()) {
            oracle.put(s.id(), s);
        }
        for (int limit : List.of(0, 1 + random.nextInt(4))) {
            Map<String, SubjectResult> streamed = new TreeMap<>();
            String cursor = null;
            for (int page = 0; page < 500; page++) {
                List<SubjectResult> got = new ArrayList<>();
                String[] last = new String[1];
                engine.streamSubjects(tenant, revision, resource, name, subjectType, subjectRelation, context, cursor,
                        limit, (s, c) -> {
                            got.add(s);
                            last[0] = c;
                            return true;
                        });
                long concrete = got.stream().filter(s -> !s.id().equals("*")).count();
                if (limit > 0 && concrete > limit) {
                    failures.add(question + ": a page of concrete limit " + limit + " held " + got);
                }
                for (SubjectResult s : got) {
                    if (streamed.put(s.id(), s) != null) {
                        failures.add(question + " (limit " + limit + "): " + s.id() + " came twice");
                    }
                }
                if (limit == 0 || concrete < limit) {
                    break;
                }
                cursor = last[0];
            }
            if (!streamed.equals(oracle)) {
                failures.add(question + " (limit " + limit + "):\n    whole    " + oracle.values()
                        + "\n    streamed " + streamed.values());
            }
        }
    }

    private static String id(String type, int i) {
        return type.charAt(0) + String.valueOf(i);
    }

    private static final Map<String, Integer> COUNTS = Map.of("user", 8, "group", 6, "folder", 5, "doc", 3);

    /** Random relationships of every allowed type of every relation, caveated ones with the named caveat. */
    private static List<Relationship> data(io.relata.schema.Schema schema, Random random) {
        Map<String, Relationship> rows = new HashMap<>();
        for (var definition : schema.definitions().values()) {
            for (var relation : definition.relations().values()) {
                for (int i = 0; i < COUNTS.getOrDefault(definition.name(), 1); i++) {
                    int many = random.nextInt(4);
                    for (int k = 0; k < many; k++) {
                        var allowed = relation.allowedTypes().get(random.nextInt(relation.allowedTypes().size()));
                        var subject = allowed.subject();
                        String subjectId = subject.wildcard() ? "*"
                                : id(subject.type(), random.nextInt(COUNTS.getOrDefault(subject.type(), 1)));
                        String text = definition.name() + ":" + id(definition.name(), i) + "#" + relation.name()
                                + "@" + subject.type() + ":" + subjectId
                                + (subject.relation() == null ? "" : "#" + subject.relation());
                        String key = text;
                        if (allowed.caveat() != null) {
                            text += "[" + allowed.caveat() + "]";
                        }
                        rows.putIfAbsent(key, Relationship.parse(text));
                    }
                }
            }
        }
        return new ArrayList<>(rows.values());
    }
}
