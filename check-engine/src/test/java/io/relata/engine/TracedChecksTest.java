package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Traced checks report every sub-problem with the answer a check of it gives, and explanations
 * give the shortest granting chain, the closest miss and what an exclusion took away. On both
 * stores.
 */
class TracedChecksTest {

    static final String SCHEMA = """
            caveat on_vpn(vpn bool) {
                vpn
            }

            definition user {}

            definition group {
                relation member: user | group#member | user with on_vpn
            }

            definition folder {
                relation parent: folder
                relation viewer: user | group#member
                permission view = viewer + parent->view
            }

            definition doc {
                relation parent: folder
                relation viewer: user | group#member
                relation banned: user
                permission view = (viewer + parent->view) - banned
            }
            """;

    /**
     * alice reaches doc:d in four relationships through nested groups (asked first) and in
     * two through the folder; eve through two nested folders; carol is banned; dave only on the VPN;
     * zoe is a viewer herself. The nested groups form a cycle (g3 holds g1).
     */
    static final List<String> DATA = List.of(
            "doc:d#viewer@group:g1#member",
            "group:g1#member@group:g2#member",
            "group:g2#member@group:g3#member",
            "group:g3#member@user:alice",
            "doc:d#parent@folder:f1",
            "folder:f1#viewer@user:alice",
            "folder:f1#parent@folder:f2",
            "folder:f2#viewer@user:eve",
            "folder:f1#viewer@user:carol",
            "doc:d#banned@user:carol",
            "doc:d#viewer@group:vpn#member",
            "group:vpn#member@user:dave[on_vpn]",
            "doc:d#viewer@user:zoe",
            "group:g3#member@group:g1#member");

    static Stream<Arguments> stores() {
        return Stream.of(
                Arguments.of(Named.<Supplier<TupleStore>>of("memory", MemoryTupleStore::new)),
                Arguments.of(Named.<Supplier<TupleStore>>of("postgres",
                        () -> new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS))));
    }

    private record Setup(String tenant, Revision revision) {}

    private static Setup load(TupleStore store) {
        String tenant = "traced-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision revision = store.write(tenant, DATA.stream()
                .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());
        return new Setup(tenant, revision);
    }

    private static EngineOptions uncached() {
        return EngineOptions.DEFAULTS.withCacheSize(0);
    }

    /**
     * With the sub-result cache on, as servers run, a first traced check still shows every level
     * it was answered from: the check that gives the answer runs after the walk, so its cache
     * entries do not turn the walk's sub-problems into cached leaves.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void aTracedCheck_withTheCacheOn_showsEveryLevel(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS)) {
            Setup s = load(store);
            CheckRequest request = new CheckRequest(ObjectRef.parse("group:g1"), "member", SubjectRef.parse("user:alice"),
                    Map.of());
            TracedCheck traced = engine.checkTraced(s.tenant(), s.revision(), request).get();
            assertThat(traced.result().permissionship()).isEqualTo(Permissionship.HAS);
            assertThat(depth(traced.trace())).as("levels of g1 > g2 > g3 > alice").isGreaterThanOrEqualTo(3);
            assertThat(traced.trace().flatten().filter(CheckTrace::cached).count()).isZero();
        }
    }

    private static int depth(CheckTrace trace) {
        return 1 + trace.subProblems().stream().mapToInt(TracedChecksTest::depth).max().orElse(0);
    }

    /**
     * Where the recording walk (one resource at a time, cycles cut as NO, the best single branch)
     * would reach another answer than the batched check (a caveated cycle under an exclusion, a
     * union of two conditional branches, a short path beside a long one past the depth limit),
     * a traced check still answers as the check does, errors included.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void aTracedCheck_answersAsTheCheck_whereTheWalkWouldNot(Supplier<TupleStore> stores) throws Exception {
        String schema = """
                caveat c(x int) {
                    x == 1
                }
                caveat d(y int) {
                    y == 1
                }
                definition user {}
                definition group {
                    relation member: user | group#member
                }
                definition doc {
                    relation viewer: user | user with c
                    relation editor: user with d
                    relation parent: doc | doc with c
                    permission view = viewer - parent->view
                    permission read = viewer + editor
                }
                """;
        try (TupleStore store = stores.get();
                GraphCheckEngine engine = new GraphCheckEngine(store, uncached().withMaxDepth(5))) {
            String tenant = "traced-agree-" + UUID.randomUUID();
            store.createTenant(tenant);
            store.writeSchema(tenant, schema);
            Revision revision = store.write(tenant, Stream.of(
                    "doc:a#viewer@user:ann", "doc:a#parent@doc:a[c]",
                    "doc:b#viewer@user:ann[c]", "doc:b#editor@user:ann[d]",
                    "group:g0#member@group:a1#member", "group:a1#member@group:a2#member",
                    "group:a2#member@group:a3#member", "group:a3#member@group:a4#member",
                    "group:a4#member@group:a5#member", "group:a5#member@group:l#member",
                    "group:g0#member@group:z#member", "group:z#member@group:a5#member",
                    "group:l#member@user:ann")
                    .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());
            for (String question : List.of("doc:a#view@user:ann", "doc:b#read@user:ann", "group:g0#member@user:ann")) {
                Relationship q = Relationship.parse(question);
                CheckRequest request = new CheckRequest(q.resource(), q.relation(), q.subject(), Map.of());
                CheckResult checked = engine.check(tenant, revision, request).get();
                TracedCheck traced = engine.checkTraced(tenant, revision, request).get();
                assertThat(traced.result()).as(question).isEqualTo(checked);
                assertThat(traced.trace().result()).as(question + ", the trace's root").isEqualTo(checked);
            }
            Relationship q = Relationship.parse("doc:b#read@user:ann");
            assertThat(engine.check(tenant, revision, new CheckRequest(q.resource(), q.relation(), q.subject(), Map.of()))
                    .get().missingContext()).containsExactly("x", "y");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void everySubProblemOfATrace_answersAsACheckOfItDoes(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store, uncached())) {
            Setup s = load(store);
            for (String subject : List.of("user:alice", "user:eve", "user:carol", "user:dave", "user:zoe", "user:nobody")) {
                CheckRequest request = new CheckRequest(ObjectRef.parse("doc:d"), "view", SubjectRef.parse(subject),
                        Map.of());
                TracedCheck traced = engine.checkTraced(s.tenant(), s.revision(), request).get();
                assertThat(traced.result()).as(subject).isEqualTo(engine.check(s.tenant(), s.revision(), request).get());
                assertThat(traced.trace().resource()).isEqualTo(ObjectRef.parse("doc:d"));
                assertThat(traced.trace().permission()).isTrue();
                traced.trace().flatten().filter(t -> !t.cycle()).forEach(t -> {
                    CheckResult direct = engine.checkNow(s.tenant(), s.revision(),
                            new CheckRequest(t.resource(), t.relation(), t.subject(), Map.of()));
                    assertThat(t.result()).as(subject + " at " + t.resource() + "#" + t.relation()).isEqualTo(direct);
                });
            }
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void traceOfNestedArrows_descendsThroughEachFolder(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store, uncached())) {
            Setup s = load(store);
            TracedCheck eve = engine.checkTraced(s.tenant(), s.revision(), CheckRequest.of("doc:d", "view", "user:eve"))
                    .get();
            assertThat(eve.result().permissionship()).isEqualTo(Permissionship.HAS);
            CheckTrace f1 = only(eve.trace(), "folder:f1", "view");
            CheckTrace f2 = only(f1, "folder:f2", "view");
            CheckTrace viewer = only(f2, "folder:f2", "viewer");
            assertThat(viewer.permission()).isFalse();
            assertThat(viewer.result().permissionship()).isEqualTo(Permissionship.HAS);
            assertThat(viewer.subProblems()).isEmpty();
            // The subject sets under doc:d#viewer were asked first, and said NO.
            CheckTrace docViewer = only(eve.trace(), "doc:d", "viewer");
            assertThat(docViewer.result().permissionship()).isEqualTo(Permissionship.NO);
            assertThat(docViewer.subProblems()).extracting(t -> t.resource().toString())
                    .containsExactly("group:g1", "group:vpn");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void conditionalTrace_namesTheCaveatAndTheMissingParameter(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store, uncached())) {
            Setup s = load(store);
            TracedCheck dave = engine.checkTraced(s.tenant(), s.revision(), CheckRequest.of("doc:d", "view", "user:dave"))
                    .get();
            assertThat(dave.result().permissionship()).isEqualTo(Permissionship.CONDITIONAL);
            assertThat(dave.result().missingContext()).containsExactly("vpn");
            CheckTrace vpn = only(only(dave.trace(), "doc:d", "viewer"), "group:vpn", "member");
            assertThat(vpn.caveat()).isEqualTo("on_vpn");
            assertThat(vpn.result().missingContext()).containsExactly("vpn");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void traceAfterAnUntracedCheck_marksCachedSubProblemsButNeverTheRoot(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Setup s = load(store);
            for (String subject : List.of("user:alice", "user:zoe")) {
                CheckRequest request = CheckRequest.of("doc:d", "view", subject);
                engine.check(s.tenant(), s.revision(), request).get();
                TracedCheck traced = engine.checkTraced(s.tenant(), s.revision(), request).get();
                assertThat(traced.trace().cached()).isFalse();
                assertThat(traced.trace().flatten().filter(CheckTrace::cached)).as(subject).isNotEmpty()
                        .allSatisfy(t -> assertThat(t.subProblems()).isEmpty());
                // A cached sub-problem counts with its cached answer.
                assertThat(traced.result().permissionship()).as(subject).isEqualTo(Permissionship.HAS);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void explain_givesTheShortestChain_notTheFirstFound(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Setup s = load(store);
            Explanation why = engine.explain(s.tenant(), s.revision(), CheckRequest.of("doc:d", "view", "user:alice"))
                    .get();
            assertThat(why.result().permissionship()).isEqualTo(Permissionship.HAS);
            assertThat(why.complete()).isTrue();
            assertThat(why.chain()).extracting(Explanation.Hop::relationship)
                    .containsExactly("doc:d#parent@folder:f1", "folder:f1#viewer@user:alice");
            assertThat(why.chain().get(0).rule()).isEqualTo("doc#view = (viewer + parent->view) - banned");
            assertThat(why.chain().get(0).via()).isEqualTo("parent->view");
            assertThat(why.chain().get(1).rule()).isEqualTo("folder#viewer: user | group#member");
            assertThat(why.missing()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void explainNo_givesTheMissThatReachesFurthest(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Setup s = load(store);
            Explanation why = engine.explain(s.tenant(), s.revision(), CheckRequest.of("doc:d", "view", "user:bob"))
                    .get();
            assertThat(why.result().permissionship()).isEqualTo(Permissionship.NO);
            assertThat(why.chain()).extracting(Explanation.Hop::relationship).containsExactly(
                    "doc:d#viewer@group:g1#member", "group:g1#member@group:g2#member", "group:g2#member@group:g3#member");
            assertThat(why.missing()).extracting(Explanation.Hop::relationship).containsExactly("group:g3#member@user:bob");
            assertThat(why.excludedBy()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void explainNoThroughAnExclusion_namesWhatTookItAway(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Setup s = load(store);
            Explanation why = engine.explain(s.tenant(), s.revision(), CheckRequest.of("doc:d", "view", "user:carol"))
                    .get();
            assertThat(why.result().permissionship()).isEqualTo(Permissionship.NO);
            assertThat(why.excludedBy()).extracting(Explanation.Hop::relationship)
                    .containsExactly("doc:d#banned@user:carol");
            assertThat(why.chain()).extracting(Explanation.Hop::relationship)
                    .containsExactly("doc:d#parent@folder:f1", "folder:f1#viewer@user:carol");
            assertThat(why.missing()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void explainConditional_givesTheChainAndItsCaveat(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Setup s = load(store);
            Explanation why = engine.explain(s.tenant(), s.revision(), CheckRequest.of("doc:d", "view", "user:dave"))
                    .get();
            assertThat(why.result().permissionship()).isEqualTo(Permissionship.CONDITIONAL);
            assertThat(why.result().missingContext()).containsExactly("vpn");
            assertThat(why.chain()).extracting(Explanation.Hop::relationship)
                    .containsExactly("doc:d#viewer@group:vpn#member", "group:vpn#member@user:dave[on_vpn]");
            assertThat(why.caveats()).containsExactly("on_vpn");
        }
    }

    @ParameterizedTest
    @MethodSource("stores")
    void explainPastItsSearchLimit_keepsTheAnswerAndSaysItIsIncomplete(Supplier<TupleStore> stores) throws Exception {
        try (TupleStore store = stores.get(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            Setup s = load(store);
            CheckRequest alice = CheckRequest.of("doc:d", "view", "user:alice");
            Explanation bounded = engine.explain(s.tenant(), s.revision(), alice, 3).get();
            assertThat(bounded.result().permissionship()).isEqualTo(Permissionship.HAS);
            assertThat(bounded.complete()).isFalse();
            assertThat(engine.explain(s.tenant(), s.revision(), alice, 1000).get().complete()).isTrue();
        }
    }

    /** The one sub-problem of {@code parent} asking {@code relation} on {@code resource}. */
    static CheckTrace only(CheckTrace parent, String resource, String relation) {
        List<CheckTrace> found = parent.subProblems().stream()
                .filter(t -> t.resource().toString().equals(resource) && t.relation().equals(relation)).toList();
        assertThat(found).as(resource + "#" + relation + " under " + parent.resource() + "#" + parent.relation())
                .hasSize(1);
        return found.get(0);
    }
}
