package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rewrite kind, and the tricky combinations, as table rows: schema, relationships, checks. */
class RewriteKindsTest {

    record Row(String schema, List<String> relationships, List<String> checks) {}

    /** A check line: {@code resource#permission@subject => HAS|NO|CONDITIONAL[missing,...] [with {json}]}. */
    private static Arguments row(String name, String schema, List<String> relationships, String... checks) {
        return Arguments.of(Named.of(name, new Row(schema, relationships, List.of(checks))));
    }

    private static final String USERS = "definition user {}\n";

    /** {@code self}: a user may view itself; a document's reader may view it through its owner. */
    private static final String SELF = """
            use self

            definition user {
                relation friend: user
                permission view = self + friend
                permission view_others = friend - self
            }

            definition doc {
                relation owner: user
                permission read = owner->view
            }
            """;

    private static final List<String> SELF_RELATIONSHIPS = List.of("user:ann#friend@user:bob",
            "user:cat#friend@user:ann", "user:ann#friend@user:ann", "doc:d#owner@user:ann");

    static Stream<Arguments> rows() {
        String docs = USERS + """
                definition group {
                    relation member: user | group#member
                }
                definition folder {
                    relation parent: folder
                    relation viewer: user | group#member
                    permission view = viewer + parent->view
                }
                definition doc {
                    relation parent: folder
                    relation owner: user
                    relation editor: user | group#member
                    relation viewer: user | user:* | group#member
                    relation banned: user | user:*
                    relation approver: folder
                    permission edit = owner + editor
                    permission view = (viewer + edit + parent->view) - banned
                    permission view_any = parent.any(view)
                    permission view_all = approver.all(view)
                    permission strict = edit & parent->view
                    permission nothing = nil
                }
                """;
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            chain.add("group:g" + i + "#member@group:g" + (i + 1) + "#member");
        }
        chain.add("group:g30#member@user:deep");
        return Stream.of(
                row("direct", docs, List.of("doc:d#owner@user:ann"),
                        "doc:d#owner@user:ann => HAS", "doc:d#owner@user:bob => NO"),
                row("computedUserset", docs, List.of("doc:d#owner@user:ann"),
                        "doc:d#edit@user:ann => HAS", "doc:d#edit@user:bob => NO"),
                row("subjectRelation", docs, List.of("doc:d#editor@group:eng#member", "group:eng#member@user:ann"),
                        "doc:d#edit@user:ann => HAS", "doc:d#edit@user:bob => NO",
                        "doc:d#edit@group:eng#member => HAS", "group:eng#member@group:eng#member => HAS"),
                row("arrowThroughFolders", docs,
                        List.of("doc:d#parent@folder:f2", "folder:f2#parent@folder:f1", "folder:f1#viewer@user:ann"),
                        "doc:d#view@user:ann => HAS", "doc:d#view_any@user:ann => HAS", "doc:d#view@user:bob => NO"),
                row("wildcard", docs, List.of("doc:d#viewer@user:*"),
                        "doc:d#view@user:anyone => HAS", "doc:d#view@group:eng#member => NO"),
                row("exclusionWithWildcard_deniesExcludedUser", docs,
                        List.of("doc:d#viewer@user:*", "doc:d#banned@user:mallory"),
                        "doc:d#view@user:ann => HAS", "doc:d#view@user:mallory => NO"),
                row("exclusionOfAWildcard_deniesEveryone", docs,
                        List.of("doc:d#owner@user:ann", "doc:d#banned@user:*"),
                        "doc:d#view@user:ann => NO", "doc:d#edit@user:ann => HAS"),
                row("intersectionThroughArrows", docs,
                        List.of("doc:d#owner@user:ann", "doc:d#owner@user:bob", "doc:d#parent@folder:f",
                                "folder:f#viewer@user:ann"),
                        "doc:d#strict@user:ann => HAS", "doc:d#strict@user:bob => NO"),
                row("allArrow_needsEverySubject", docs,
                        List.of("doc:d#approver@folder:f1", "doc:d#approver@folder:f2", "folder:f1#viewer@user:ann",
                                "folder:f2#viewer@user:ann", "folder:f1#viewer@user:bob"),
                        "doc:d#view_all@user:ann => HAS", "doc:d#view_all@user:bob => NO"),
                row("allArrow_withNoSubjects_isNo", docs, List.of("doc:d#owner@user:ann"),
                        "doc:d#view_all@user:ann => NO"),
                row("nil", docs, List.of("doc:d#owner@user:ann"), "doc:d#nothing@user:ann => NO"),
                row("thirtyLevelGroupNesting", docs, chain,
                        "group:g0#member@user:deep => HAS", "group:g0#member@user:other => NO",
                        "group:g0#member@group:g17#member => HAS"),
                row("cycleInTheData_ends", docs,
                        List.of("group:a#member@group:b#member", "group:b#member@group:c#member",
                                "group:c#member@group:a#member", "group:c#member@user:ann"),
                        "group:a#member@user:ann => HAS", "group:b#member@user:bob => NO",
                        "group:a#member@group:a#member => HAS"),
                row("caveatWithPartialContext", USERS + """
                        caveat in_window(now int, start int, stop int) {
                            now >= start && now < stop
                        }
                        definition doc {
                            relation viewer: user with in_window
                            permission view = viewer
                        }
                        """, List.of("doc:d#viewer@user:ann[in_window:{\"start\":10}]"),
                        "doc:d#view@user:ann => CONDITIONAL[now,stop]",
                        "doc:d#view@user:ann => CONDITIONAL[stop] with {\"now\":12}",
                        "doc:d#view@user:ann => HAS with {\"now\":12,\"stop\":20}",
                        "doc:d#view@user:ann => NO with {\"now\":5}",
                        "doc:d#view@user:ann => NO with {\"now\":5,\"stop\":20}"),
                row("caveatInAnExclusion", USERS + """
                        caveat on_vpn(vpn bool) {
                            vpn
                        }
                        definition doc {
                            relation viewer: user
                            relation blocked: user with on_vpn
                            permission view = viewer - blocked
                        }
                        """, List.of("doc:d#viewer@user:ann", "doc:d#blocked@user:ann[on_vpn]"),
                        "doc:d#view@user:ann => CONDITIONAL[vpn]",
                        "doc:d#view@user:ann => NO with {\"vpn\":true}",
                        "doc:d#view@user:ann => HAS with {\"vpn\":false}"),
                row("relationshipContextWinsOverRequest", USERS + """
                        caveat level_ok(level int, required int) {
                            level >= required
                        }
                        definition doc {
                            relation viewer: user with level_ok
                        }
                        """, List.of("doc:d#viewer@user:ann[level_ok:{\"required\":3}]"),
                        "doc:d#viewer@user:ann => HAS with {\"level\":5,\"required\":9}"),
                row("self_grantsTheObjectItself_andNoOtherObject", SELF, SELF_RELATIONSHIPS,
                        "user:ann#view@user:ann => HAS", "user:bob#view@user:bob => HAS",
                        "user:ann#view@user:bob => HAS", "user:bob#view@user:ann => NO",
                        "user:ann#view@user:dan => NO", "user:dan#view@user:dan => HAS",
                        "user:ann#view_others@user:ann => NO", "user:ann#view_others@user:bob => HAS",
                        "doc:d#read@user:ann => HAS", "doc:d#read@user:bob => HAS", "doc:d#read@user:cat => NO"),
                row("expiredRelationship_isInvisible", "use expiration\n" + USERS + """
                        definition doc {
                            relation viewer: user with expiration
                        }
                        """, List.of("doc:d#viewer@user:ann[expiration:2000-01-01T00:00:00Z]",
                                "doc:d#viewer@user:bob[expiration:2999-01-01T00:00:00Z]"),
                        "doc:d#viewer@user:ann => NO", "doc:d#viewer@user:bob => HAS"));
    }

    @ParameterizedTest
    @MethodSource("rows")
    void answersAsTheTableSays(Row row) throws Exception {
        try (TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("t");
            store.writeSchema("t", row.schema());
            Revision revision = store.write("t", row.relationships().stream()
                    .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());
            for (String line : row.checks()) {
                String[] parts = line.split(" => ");
                String[] outcome = parts[1].split(" with ", 2);
                Map<String, Object> context = outcome.length > 1 ? io.relata.store.Json.readObject(outcome[1]) : Map.of();
                Relationship question = Relationship.parse(parts[0]);
                CheckResult result = engine.check("t", revision, new CheckRequest(question.resource(), question.relation(),
                        question.subject(), context)).get();
                String got = result.permissionship() + (result.missingContext().isEmpty() ? ""
                        : "[" + String.join(",", result.missingContext()) + "]");
                assertThat(got).as(line).isEqualTo(outcome[0]);
            }
        }
    }

    @Test
    void self_inExpandAndLookups_isTheObjectItself() throws Exception {
        try (TupleStore store = new MemoryTupleStore(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("t");
            store.writeSchema("t", SELF);
            Revision revision = store.write("t", SELF_RELATIONSHIPS.stream()
                    .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());

            assertThat(ExpandTreeTest.render(engine.expand("t", revision, ObjectRef.parse("user:ann"), "view").get()))
                    .isEqualTo("user:ann#view union(user:ann#view {user:ann}, user:ann#friend {user:ann, user:bob})");
            assertThat(ExpandTreeTest.render(engine.expand("t", revision, ObjectRef.parse("user:dan"), "view").get()))
                    .isEqualTo("user:dan#view union(user:dan#view {user:dan}, user:dan#friend {})");

            // ann views herself and cat (a friend); bob views himself and is ann's friend.
            assertThat(resources(engine, revision, "user", "view", "user:ann")).containsExactly("ann", "cat");
            assertThat(resources(engine, revision, "user", "view", "user:bob")).containsExactly("ann", "bob");
            assertThat(resources(engine, revision, "user", "view", "user:dan")).containsExactly("dan");
            assertThat(resources(engine, revision, "user", "view_others", "user:ann")).containsExactly("cat");
            assertThat(resources(engine, revision, "doc", "read", "user:ann")).containsExactly("d");
            assertThat(resources(engine, revision, "doc", "read", "user:cat")).isEmpty();

            assertThat(subjects(engine, revision, "user:ann", "view")).containsExactly("ann", "bob");
            assertThat(subjects(engine, revision, "user:dan", "view")).containsExactly("dan");
            assertThat(subjects(engine, revision, "user:ann", "view_others")).containsExactly("bob");
            assertThat(subjects(engine, revision, "doc:d", "read")).containsExactly("ann", "bob");
        }
    }

    private static List<String> resources(GraphCheckEngine engine, Revision revision, String type, String permission,
            String subject) throws Exception {
        return engine.lookupResources("t", revision, type, permission, io.relata.store.SubjectRef.parse(subject),
                Map.of(), null, 0).get().results().stream().map(LookupResult::id).sorted().toList();
    }

    private static List<String> subjects(GraphCheckEngine engine, Revision revision, String resource,
            String permission) throws Exception {
        return engine.lookupSubjects("t", revision, ObjectRef.parse(resource), permission, "user", null, Map.of()).get()
                .stream().map(SubjectResult::id).sorted().toList();
    }

    @Test
    void depthLimit_endsWithAnErrorNamingTheResourceAndPermission() throws Exception {
        try (TupleStore store = new MemoryTupleStore();
                GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withMaxDepth(5))) {
            store.createTenant("t");
            store.writeSchema("t", USERS + "definition group {\n relation member: user | group#member\n}\n");
            List<RelationshipUpdate> chain = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                chain.add(RelationshipUpdate.touch(Relationship.parse("group:g" + i + "#member@group:g" + (i + 1) + "#member")));
            }
            Revision revision = store.write("t", chain);

            assertThatThrownBy(() -> engine.check("t", revision, CheckRequest.of("group:g0", "member", "user:x")).get())
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(EngineException.class, e -> {
                        assertThat(e.reason()).isEqualTo(EngineException.Reason.DEPTH_EXCEEDED);
                        assertThat(e.getMessage()).contains("group:g").contains("#member").contains("5 levels");
                    });
        }
    }

    @Test
    void deadline_isHonoured() throws Exception {
        try (TupleStore store = new MemoryTupleStore();
                GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withDeadline(Duration.ZERO))) {
            store.createTenant("t");
            store.writeSchema("t", USERS + "definition doc {\n relation viewer: user\n}\n");
            Revision revision = store.write("t", List.of(RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:a"))));

            assertThatThrownBy(() -> engine.check("t", revision, CheckRequest.of("doc:d", "viewer", "user:a")).get())
                    .cause().isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.reason()).isEqualTo(EngineException.Reason.DEADLINE_EXCEEDED));
        }
    }

    @Test
    void badQuestions_getClearErrors() throws Exception {
        try (TupleStore store = new MemoryTupleStore(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("t");
            assertThatThrownBy(() -> engine.check("t", Revision.ZERO, CheckRequest.of("doc:d", "view", "user:a")).get())
                    .cause().hasMessageContaining("no schema");
            store.writeSchema("t", USERS + "definition doc {\n relation viewer: user\n}\n");
            Revision r = store.headRevision("t");
            assertThatThrownBy(() -> engine.check("t", r, CheckRequest.of("doc:d", "edit", "user:a")).get())
                    .cause().hasMessageContaining("`doc` has no relation or permission `edit`");
            assertThatThrownBy(() -> engine.check("t", r, CheckRequest.of("folder:f", "viewer", "user:a")).get())
                    .cause().hasMessageContaining("no definition `folder`");
            assertThatThrownBy(() -> engine.check("t", r, CheckRequest.of("doc:d", "viewer", "user:*")).get())
                    .cause().isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT));
        }
    }
}
