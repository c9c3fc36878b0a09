package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * Nesting as deep as the depth limit allows, asked in every way (check, bulk check, lookup
 * resources, lookup subjects) and in every order on a fresh engine: every way gives the same,
 * right answer, or the depth-limit error; never a wrong answer, and never a wrong answer left
 * in the cache for the next question. Each store runs this through its subclass.
 */
public abstract class DeepNestingContract {

    protected abstract TupleStore store();

    /** The options of every engine this suite makes (a subclass turns the nested-group index on). */
    protected EngineOptions options() {
        return EngineOptions.DEFAULTS;
    }

    /** Makes each engine of this suite (a subclass may keep them to see what they did). */
    protected GraphCheckEngine newEngine(TupleStore store, EngineOptions options) {
        return new GraphCheckEngine(store, options);
    }

    private static final String GROUPS = """
            definition user {}
            definition group {
                relation member: user | group#member
                relation banned: user
                permission allowed = member - banned
            }
            definition folder {
                relation parent: folder
                relation viewer: user | group#member
                relation banned: user
                permission view = viewer + parent->view
                permission visible = view - banned
            }
            definition doc {
                relation parent: folder
                permission view = parent->view
            }
            """;

    private String tenant;
    private Revision revision;

    private Revision write(String schema, List<String> relationships) {
        TupleStore store = store();
        tenant = "deep-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, schema);
        List<RelationshipUpdate> updates = relationships.stream()
                .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList();
        for (int i = 0; i < updates.size(); i += store.options().maxUpdatesPerWrite()) {
            store.write(tenant, updates.subList(i, Math.min(updates.size(), i + store.options().maxUpdatesPerWrite())));
        }
        revision = store.headRevision(tenant);
        return revision;
    }

    /** {@code group:g0#member@group:g1#member}, ..., {@code group:g(n-1)#member@user:deep}: n groups. */
    private static List<String> groupChain(int groups) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 1 < groups; i++) {
            out.add("group:g" + i + "#member@group:g" + (i + 1) + "#member");
        }
        out.add("group:g" + (groups - 1) + "#member@user:deep");
        return out;
    }

    private static List<String> ids(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private List<String> lookup(GraphCheckEngine engine, String type, String permission, String subject)
            throws Exception {
        return engine.lookupResources(tenant, revision, type, permission, SubjectRef.parse(subject), Map.of(), null, 0)
                .get().results().stream().map(LookupResult::id).sorted().toList();
    }

    private Permissionship check(GraphCheckEngine engine, String resource, String permission, String subject)
            throws Exception {
        return engine.check(tenant, revision, CheckRequest.of(resource, permission, subject)).get().permissionship();
    }

    private List<Permissionship> bulk(GraphCheckEngine engine, String type, List<String> ids, String permission,
            String subject) throws Exception {
        List<CheckRequest> requests = ids.stream()
                .map(id -> CheckRequest.of(type + ":" + id, permission, subject)).toList();
        List<Permissionship> out = new ArrayList<>();
        for (BulkCheckResult r : engine.checkBulk(tenant, revision, requests).get()) {
            assertThat(r.error()).as("bulk item %s", r.request()).isNull();
            out.add(r.result().permissionship());
        }
        return out;
    }

    private static List<Permissionship> all(Permissionship p, int n) {
        return java.util.Collections.nCopies(n, p);
    }

    @Test
    void subjectSetChain_lookupFirstOnAFreshEngine_findsEveryGroup_andChecksAfterItAgree() throws Exception {
        write(GROUPS, groupChain(46));
        List<String> groups = ids("g", 46);
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertThat(lookup(engine, "group", "member", "user:deep")).containsExactlyInAnyOrderElementsOf(groups);
            assertThat(check(engine, "group:g0", "member", "user:deep")).isEqualTo(Permissionship.HAS);
            assertThat(bulk(engine, "group", groups, "member", "user:deep")).isEqualTo(all(Permissionship.HAS, 46));
            assertThat(bulk(engine, "group", groups, "member", "user:other")).isEqualTo(all(Permissionship.NO, 46));
        }
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertThat(bulk(engine, "group", groups, "member", "user:deep")).isEqualTo(all(Permissionship.HAS, 46));
            assertThat(check(engine, "group:g0", "member", "user:deep")).isEqualTo(Permissionship.HAS);
            assertThat(lookup(engine, "group", "member", "user:deep")).containsExactlyInAnyOrderElementsOf(groups);
        }
    }

    @Test
    void exclusionOverASubjectSetChain_leavesOutOnlyTheBannedGroup() throws Exception {
        List<String> data = new ArrayList<>(groupChain(46));
        data.add("group:g20#banned@user:deep");
        write(GROUPS, data);
        List<String> groups = ids("g", 46);
        List<String> allowed = new ArrayList<>(groups);
        allowed.remove("g20");
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertThat(lookup(engine, "group", "allowed", "user:deep")).containsExactlyInAnyOrderElementsOf(allowed);
            assertThat(check(engine, "group:g0", "allowed", "user:deep")).isEqualTo(Permissionship.HAS);
            assertThat(check(engine, "group:g20", "allowed", "user:deep")).isEqualTo(Permissionship.NO);
            List<Permissionship> expected = new ArrayList<>(all(Permissionship.HAS, 46));
            expected.set(20, Permissionship.NO);
            assertThat(bulk(engine, "group", groups, "allowed", "user:deep")).isEqualTo(expected);
        }
    }

    @Test
    void arrowChain_lookupFirstOnAFreshEngine_findsEveryFolder_andChecksAfterItAgree() throws Exception {
        List<String> data = new ArrayList<>();
        for (int i = 0; i + 1 < 45; i++) {
            data.add("folder:f" + i + "#parent@folder:f" + (i + 1));
        }
        data.add("folder:f44#viewer@user:deep");
        data.add("folder:f30#banned@user:deep");
        data.add("doc:d#parent@folder:f0");
        write(GROUPS, data);
        List<String> folders = ids("f", 45);
        List<String> visible = new ArrayList<>(folders);
        visible.remove("f30");
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertThat(lookup(engine, "folder", "view", "user:deep")).containsExactlyInAnyOrderElementsOf(folders);
            assertThat(lookup(engine, "folder", "visible", "user:deep")).containsExactlyInAnyOrderElementsOf(visible);
            assertThat(check(engine, "folder:f0", "view", "user:deep")).isEqualTo(Permissionship.HAS);
            assertThat(check(engine, "doc:d", "view", "user:deep")).isEqualTo(Permissionship.HAS);
            assertThat(bulk(engine, "folder", folders, "view", "user:deep")).isEqualTo(all(Permissionship.HAS, 45));
        }
    }

    @Test
    void pastTheDepthLimit_aCheckEndsWithTheDepthError_aBatchSettlesRight_andAShallowItemGetsItsAnswer()
            throws Exception {
        write(GROUPS, groupChain(61));
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertDepthExceeded(() -> engine.check(tenant, revision, CheckRequest.of("group:g0", "member", "user:deep"))
                    .get());
            List<BulkCheckResult> results = engine.checkBulk(tenant, revision, List.of(
                    CheckRequest.of("group:g0", "member", "user:deep"),
                    CheckRequest.of("group:g55", "member", "user:deep"))).get();
            assertThat(results.get(0).error()).isNotNull();
            assertThat(results.get(0).error().reason()).isEqualTo(EngineException.Reason.DEPTH_EXCEEDED);
            assertThat(results.get(1).error()).isNull();
            assertThat(results.get(1).result().permissionship()).isEqualTo(Permissionship.HAS);
            // What the failed questions computed on the way was not cached as an answer.
            assertDepthExceeded(() -> engine.check(tenant, revision, CheckRequest.of("group:g0", "member", "user:deep"))
                    .get());
            assertThat(check(engine, "group:g10", "member", "user:deep")).isEqualTo(Permissionship.HAS);
        }
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            // The lookup's walk proves g60 .. g10 (within 50 levels, counted as a check counts
            // them) and leaves g9 .. g0 to a check, which, as the check of g0 above, goes
            // deeper than 50 levels: the lookup ends with the depth error too, and caches no
            // answer for what it could not finish.
            assertDepthExceeded(() -> engine.lookupResources(tenant, revision, "group", "member",
                    SubjectRef.parse("user:deep"), Map.of(), null, 0).get());
            assertDepthExceeded(() -> engine.check(tenant, revision, CheckRequest.of("group:g0", "member", "user:deep"))
                    .get());
            assertThat(check(engine, "group:g10", "member", "user:deep")).isEqualTo(Permissionship.HAS);
        }
    }

    @Test
    void aWideBatchWhoseMembersNestPastTheLimit_stillFindsTheShallowMember() throws Exception {
        // doc:d names 51 groups; each contains the next, and the last holds the user: the
        // answer is one level down, though the batch-mates form a 51-link chain.
        String schema = GROUPS + """
                definition doc2 {
                    relation viewer: group#member
                }
                """;
        List<String> data = new ArrayList<>();
        for (int i = 1; i <= 51; i++) {
            data.add("doc2:d#viewer@group:g" + i + "#member");
            if (i < 51) {
                data.add("group:g" + i + "#member@group:g" + (i + 1) + "#member");
            }
        }
        data.add("group:g51#member@user:u");
        write(schema, data);
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertThat(check(engine, "doc2:d", "viewer", "user:u")).isEqualTo(Permissionship.HAS);
            assertThat(check(engine, "doc2:d", "viewer", "user:other")).isEqualTo(Permissionship.NO);
            assertThat(lookup(engine, "doc2", "viewer", "user:u")).containsExactly("d");
        }
    }

    @Test
    void aCycleThroughAnExclusion_endsWithTheDepthError_neverAnAnswer() throws Exception {
        String schema = """
                definition user {}
                definition group {
                    relation member: user | group#allowed
                    relation banned: user | group#allowed
                    permission allowed = member - banned
                }
                """;
        write(schema, List.of("group:a#member@user:u", "group:a#banned@group:a#allowed"));
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            assertDepthExceeded(() -> engine.check(tenant, revision, CheckRequest.of("group:a", "allowed", "user:u"))
                    .get());
            assertDepthExceeded(() -> engine.lookupResources(tenant, revision, "group", "allowed",
                    SubjectRef.parse("user:u"), Map.of(), null, 0).get());
        }
    }

    @Test
    void lookupSubjectsOnALattice_computesEachGroupOnce_readingEachLayerInOneQuery() throws Exception {
        int layers = 20;
        List<String> data = new ArrayList<>();
        for (int layer = 0; layer + 1 < layers; layer++) {
            for (String from : List.of("a", "b")) {
                for (String to : List.of("a", "b")) {
                    data.add("group:" + from + layer + "#member@group:" + to + (layer + 1) + "#member");
                }
            }
        }
        data.add("group:a" + (layers - 1) + "#member@user:deep");
        data.add("group:b" + (layers - 1) + "#member@user:other");
        data.add("group:a" + (layers / 2) + "#member@user:middle");
        write(GROUPS, data);
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        try (GraphCheckEngine counted = new GraphCheckEngine(countingReads(store(), reads))) {
            List<String> subjects = counted.lookupSubjects(tenant, revision, ObjectRef.parse("group:b0"), "member",
                    "user", null, Map.of()).get().stream().map(SubjectResult::id).sorted().toList();
            assertThat(subjects).containsExactly("deep", "middle", "other");
            assertThat(reads.get()).as("store queries for %d layers", layers).isLessThanOrEqualTo(layers + 1);
            assertThat(counted.lastStoreCalls()).isEqualTo(reads.get());
        }
        try (GraphCheckEngine engine = newEngine(store(), options())) {
            List<String> subjects = engine.lookupSubjects(tenant, revision, ObjectRef.parse("group:b0"), "member",
                    "user", null, Map.of()).get().stream().map(SubjectResult::id).sorted().toList();
            assertThat(subjects).containsExactly("deep", "middle", "other");
            List<String> groups = new ArrayList<>();
            for (int layer = 0; layer < layers; layer++) {
                groups.add("a" + layer);
                groups.add("b" + layer);
            }
            groups.remove("b" + (layers - 1));
            assertThat(lookup(engine, "group", "member", "user:deep")).containsExactlyInAnyOrderElementsOf(groups);
            assertThat(check(engine, "group:a0", "member", "user:middle")).isEqualTo(Permissionship.HAS);
            assertThat(check(engine, "group:a" + (layers / 2 + 1), "member", "user:middle"))
                    .isEqualTo(Permissionship.NO);
        }
    }

    @Test
    void aroundTheDepthLimit_aLookupAgreesWithTheCheckOfEachResource() throws Exception {
        // Folders f0 <- f1 <- ... <- f5 (parent arrows), f5 viewed by user:u directly and f3
        // through groups g0 <- g1 <- g2 (usersets), f1 banned; docs d0..d5 under the folders.
        // The checks reach the user from 1 to about 10 levels down, so the limits below put
        // every resource on either side of the limit, and exactly at it.
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            data.add("folder:f" + i + "#parent@folder:f" + (i + 1));
        }
        data.add("folder:f5#viewer@user:u");
        data.add("folder:f3#viewer@group:g0#member");
        data.add("group:g0#member@group:g1#member");
        data.add("group:g1#member@group:g2#member");
        data.add("group:g2#member@user:u");
        data.add("folder:f1#banned@user:u");
        for (int i = 0; i < 6; i++) {
            data.add("doc:d" + i + "#parent@folder:f" + i);
        }
        write(GROUPS, data);
        Map<String, List<String>> universe = Map.of("folder", ids("f", 6), "doc", ids("d", 6), "group", ids("g", 3));
        List<String[]> questions = List.of(new String[] {"folder", "view"}, new String[] {"folder", "visible"},
                new String[] {"doc", "view"}, new String[] {"group", "member"}, new String[] {"group", "allowed"});
        int answeredBoth = 0;
        for (int maxDepth = 1; maxDepth <= 14; maxDepth++) {
            EngineOptions options = options().withMaxDepth(maxDepth);
            for (String[] q : questions) {
                // Each resource checked on its own, on a fresh engine (no cache shared with the lookup).
                Map<String, Permissionship> checked = new java.util.HashMap<>();
                boolean anyCheckFailed = false;
                try (GraphCheckEngine engine = newEngine(store(), options)) {
                    for (String id : universe.get(q[0])) {
                        try {
                            checked.put(id, check(engine, q[0] + ":" + id, q[1], "user:u"));
                        } catch (ExecutionException e) {
                            assertThat(e.getCause()).isInstanceOfSatisfying(EngineException.class, x -> assertThat(
                                    x.reason()).isEqualTo(EngineException.Reason.DEPTH_EXCEEDED));
                            anyCheckFailed = true;
                        }
                    }
                }
                String where = q[0] + "#" + q[1] + " at maxDepth " + maxDepth + ", checks " + checked;
                try (GraphCheckEngine engine = newEngine(store(), options)) {
                    List<String> found;
                    try {
                        found = lookup(engine, q[0], q[1], "user:u");
                    } catch (ExecutionException e) {
                        // The lookup gives the depth error only where a check of a resource gives it too.
                        assertThat(e.getCause()).as(where).isInstanceOfSatisfying(EngineException.class,
                                x -> assertThat(x.reason()).isEqualTo(EngineException.Reason.DEPTH_EXCEEDED));
                        assertThat(anyCheckFailed).as(where).isTrue();
                        continue;
                    }
                    // Every resource whose check answers is in the lookup exactly when the check says so
                    // (one whose check ends with the depth error may still be found: the lookup checks
                    // its candidates as one batch, which does not nest as deep).
                    checked.forEach((id, p) -> assertThat(found.contains(id)).as(where + ": " + id)
                            .isEqualTo(p != Permissionship.NO));
                    if (!anyCheckFailed) {
                        answeredBoth++;
                    }
                }
            }
        }
        assertThat(answeredBoth).as("questions answered by every check and the lookup").isPositive();
    }

    @Test
    void theWalkProvesAResource_exactlyWhenItsCheckIsWithinTheDepthLimit() throws Exception {
        // folder:f0 -> f1 -> ... -> f5 (parent arrows), f5 viewed by user:u: the check of f0#view
        // goes 5 arrow hops and one computed step (view = viewer + ...) down: depth 6.
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            data.add("folder:f" + i + "#parent@folder:f" + (i + 1));
        }
        data.add("folder:f5#viewer@user:u");
        write(GROUPS, data);
        try (GraphCheckEngine engine = newEngine(store(), options().withMaxDepth(6))) {
            assertThat(check(engine, "folder:f0", "view", "user:u")).isEqualTo(Permissionship.HAS);
            long before = engine.lookupChecks();
            assertThat(lookup(engine, "folder", "view", "user:u")).containsExactlyInAnyOrderElementsOf(ids("f", 6));
            // Every path is within the limit as the check counts it: the walk proves every folder.
            assertThat(engine.lookupChecks() - before).isZero();
        }
        try (GraphCheckEngine engine = newEngine(store(), options().withMaxDepth(5))) {
            assertDepthExceeded(() -> engine.check(tenant, revision, CheckRequest.of("folder:f0", "view", "user:u"))
                    .get());
            assertThat(check(engine, "folder:f1", "view", "user:u")).isEqualTo(Permissionship.HAS);
            long before = engine.lookupChecks();
            lookup(engine, "folder", "view", "user:u");
            // f0 lies past the limit: the walk leaves it to a check; the others it proves.
            assertThat(engine.lookupChecks() - before).isEqualTo(1);
        }
    }

    /** The store itself, counting the engine's forward reads ({@code subjectsOf}). */
    private static TupleStore countingReads(TupleStore store, java.util.concurrent.atomic.AtomicInteger reads) {
        return (TupleStore) java.lang.reflect.Proxy.newProxyInstance(TupleStore.class.getClassLoader(),
                new Class<?>[] {TupleStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("subjectsOf")) {
                        reads.incrementAndGet();
                    }
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static void assertDepthExceeded(Call call) {
        assertThatThrownBy(call::run).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(EngineException.class,
                        e -> assertThat(e.reason()).isEqualTo(EngineException.Reason.DEPTH_EXCEEDED));
    }
}
