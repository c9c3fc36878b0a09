package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.index.GroupIndexOptions;
import io.relata.engine.index.GroupIndexes;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.SubjectRef;
import io.relata.store.TestClock;
import io.relata.store.TupleStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The group index's graphs of arrows' relations ({@code group#parent} under
 * {@code permission view = member + parent->view}) never change an answer. Random writes and
 * deletes of {@code parent} relationships (plain, caveated, expiring; subtrees moved from one
 * parent to another in one write; cycles) and of memberships and bans, while checks of
 * permissions of that shape (the rest of the union before the arrow, after it, with an
 * exclusion, with another such permission inside) are asked at exact revisions, old and new,
 * with contexts that decide the caveat either way or not at all, and while the clock lets
 * relationships expire: an engine with the index answers each exactly as one without it,
 * errors included (with small depth limits the depth error too). Each store runs this
 * through its subclass.
 */
public abstract class ArrowIndexContract {

    /** A store with {@code options} (a test clock among them). */
    protected abstract TupleStore store(StoreOptions options);

    /** How many random histories to try. */
    protected abstract int seeds();

    static final String SCHEMA = """
            use expiration

            caveat weekday(day string) {
                day != "sat"
            }

            definition user {}

            definition group {
                relation parent: group | group with weekday | group with expiration
                relation member: user | user with weekday
                relation banned: user
                permission view = member + parent->view
                permission guest = member - banned + parent->guest
                permission after = parent->after + member
                permission high = banned + view + parent->high
                permission nothing = parent->nothing
            }

            definition project {
                relation namespace: group
                permission view = namespace->view + namespace->high
            }
            """;

    private static final GroupIndexOptions WAITING = GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10));

    static List<Integer> maxDepths() {
        return List.of(50, 3, 6);
    }

    @ParameterizedTest(name = "max depth {0}")
    @MethodSource("maxDepths")
    void randomParentEdges_checkedAtExactRevisions_answerAsWithoutTheIndex(int maxDepth) throws Exception {
        // With a small depth limit, sub-results are not shared across requests, so that each
        // check walks as a fresh one would on both engines.
        EngineOptions base = EngineOptions.DEFAULTS.withMaxDepth(maxDepth);
        if (maxDepth < 50) {
            base = base.withCacheSize(0).withRelationshipCacheSize(0);
        }
        long answered = 0;
        long unknown = 0;
        int errors = 0;
        for (int seed = 0; seed < seeds(); seed++) {
            TestClock clock = new TestClock();
            TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
            String tenant = "ai-" + UUID.randomUUID();
            store.createTenant(tenant);
            store.writeSchema(tenant, SCHEMA);
            try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                    GraphCheckEngine on = new GraphCheckEngine(store, base.withGroupIndex(WAITING))) {
                History h = new History(new Random(seed * 17L + maxDepth), store, tenant, clock);
                for (int step = 0; step < 40; step++) {
                    h.writeSomething();
                    for (int q = 0; q < 12; q++) {
                        Revision at = h.someRevision();
                        CheckRequest request = h.someQuestion();
                        String expected = answer(off, tenant, at, request);
                        errors += expected.startsWith("error") ? 1 : 0;
                        assertThat(answer(on, tenant, at, request)).as("seed %d step %d: %s at %s", seed, step,
                                request, at).isEqualTo(expected);
                    }
                    Revision at = h.someRevision();
                    List<CheckRequest> bulk = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        bulk.add(h.someQuestion());
                    }
                    assertThat(bulk(on, tenant, at, bulk)).as("seed %d step %d: bulk at %s", seed, step, at)
                            .isEqualTo(bulk(off, tenant, at, bulk));
                }
                answered += on.groupIndex().orElseThrow().reachAnswered();
                unknown += on.groupIndex().orElseThrow().reachUnknown();
            }
        }
        System.out.println("arrow index, max depth " + maxDepth + ": " + answered + " answered, " + unknown
                + " left to the walk, " + errors + " errors expected");
        assertThat(answered).as("answered by the index").isPositive();
        assertThat(unknown).as("left to the walk (caveated or expiring parents)").isPositive();
        if (maxDepth == 3) {
            assertThat(errors).as("depth errors compared").isPositive();
        }
    }

    @Test
    void aMovedSubtree_isSeenAtEachRevision_fromTheIndex() {
        TestClock clock = new TestClock();
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
        String tenant = "ai-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision before = write(store, tenant, "group:a#parent@group:top", "group:b#parent@group:a",
                "group:top#member@user:ann", "group:other#member@user:bob");
        try (GraphCheckEngine engine = new GraphCheckEngine(store,
                EngineOptions.DEFAULTS.withCacheSize(0).withGroupIndex(WAITING))) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            CheckRequest ann = CheckRequest.of("group:b", "view", "user:ann");
            CheckRequest bob = CheckRequest.of("group:b", "view", "user:bob");
            assertThat(engine.checkNow(tenant, before, ann)).isEqualTo(CheckResult.HAS);
            // Move a (and b below it) from top to other in one write.
            Revision moved = store.write(tenant, List.of(
                    RelationshipUpdate.delete(Relationship.parse("group:a#parent@group:top")),
                    RelationshipUpdate.touch(Relationship.parse("group:a#parent@group:other"))));
            assertThat(engine.checkNow(tenant, moved, ann)).isEqualTo(CheckResult.NO);
            assertThat(engine.checkNow(tenant, moved, bob)).isEqualTo(CheckResult.HAS);
            // The revision before the move, from the versions the index keeps.
            assertThat(engine.checkNow(tenant, before, bob)).isEqualTo(CheckResult.NO);
            // A cycle: other under b. Everyone in the cycle sees bob, no one ann.
            Revision cycle = write(store, tenant, "group:other#parent@group:b");
            assertThat(engine.checkNow(tenant, cycle, CheckRequest.of("group:other", "view", "user:bob")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, cycle, CheckRequest.of("group:a", "view", "user:ann")))
                    .isEqualTo(CheckResult.NO);
            assertThat(index.reachAnswered()).as("every check answered from the index").isEqualTo(6);
            assertThat(index.reachUnknown()).isZero();
        }
    }

    @Test
    void aParentGraphWiderThanTheReachCap_isLeftToTheWalk_andAnswersAsWithoutTheIndex() {
        TestClock clock = new TestClock();
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
        String tenant = "ai-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        write(store, tenant, "group:a#member@user:ann", "group:small#parent@group:top", "group:top#member@user:bob");
        int parents = GroupIndexes.MAX_REACH_GROUPS + 1;
        for (int from = 0; from < parents; from += 1_000) {
            List<String> batch = new ArrayList<>();
            for (int i = from; i < Math.min(parents, from + 1_000); i++) {
                batch.add("group:a#parent@group:p" + i);
            }
            write(store, tenant, batch.toArray(String[]::new));
        }
        Revision at = store.headRevision(tenant);
        EngineOptions options = EngineOptions.DEFAULTS.withCacheSize(0);
        try (GraphCheckEngine off = new GraphCheckEngine(store, options);
                GraphCheckEngine on = new GraphCheckEngine(store, options.withGroupIndex(WAITING))) {
            GroupIndexes index = on.groupIndex().orElseThrow();
            CheckRequest wide = CheckRequest.of("group:a", "view", "user:ann");
            assertThat(answer(on, tenant, at, wide)).isEqualTo(answer(off, tenant, at, wide)).startsWith("HAS");
            assertThat(index.reachAnswered()).as("not answered from the index").isZero();
            assertThat(index.reachUnknown()).as("left to the walk").isEqualTo(1);
            CheckRequest narrow = CheckRequest.of("group:small", "view", "user:bob");
            assertThat(answer(on, tenant, at, narrow)).isEqualTo(answer(off, tenant, at, narrow)).startsWith("HAS");
            assertThat(index.reachAnswered()).as("a narrow graph still answered").isEqualTo(1);
        }
    }

    @Test
    void aCaveatedParent_leavesTheCheckToTheWalk_whichEvaluatesTheCaveat() {
        TestClock clock = new TestClock();
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
        String tenant = "ai-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision at = write(store, tenant, "group:a#parent@group:top[weekday]", "group:top#member@user:ann");
        try (GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(WAITING))) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            CheckRequest ann = CheckRequest.of("group:a", "view", "user:ann");
            assertThat(engine.checkNow(tenant, at, ann.withContext(Map.of("day", "sat")))).isEqualTo(CheckResult.NO);
            assertThat(engine.checkNow(tenant, at, ann.withContext(Map.of("day", "mon")))).isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, at, ann).permissionship()).isEqualTo(Permissionship.CONDITIONAL);
            assertThat(index.reachAnswered()).isZero();
            assertThat(index.reachUnknown()).isEqualTo(3);
        }
    }

    @Test
    void aChainDeeperThanTheLimit_failsAsTheWalkDoes_andOneWithinItIsAnswered() {
        TestClock clock = new TestClock();
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
        String tenant = "ai-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        List<String> chain = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            chain.add("group:c" + (i + 1) + "#parent@group:c" + i);
        }
        chain.add("group:c0#member@user:ann");
        Revision at = write(store, tenant, chain.toArray(String[]::new));
        EngineOptions shallow = EngineOptions.DEFAULTS.withMaxDepth(8).withCacheSize(0);
        try (GraphCheckEngine off = new GraphCheckEngine(store, shallow);
                GraphCheckEngine on = new GraphCheckEngine(store, shallow.withGroupIndex(WAITING))) {
            for (int i = 0; i <= 12; i++) {
                for (String user : List.of("user:ann", "user:bob")) {
                    for (String permission : List.of("view", "nothing")) {
                        CheckRequest q = CheckRequest.of("group:c" + i, permission, user);
                        assertThat(answer(on, tenant, at, q)).as("%s", q).isEqualTo(answer(off, tenant, at, q));
                    }
                }
            }
            assertThat(answer(off, tenant, at, CheckRequest.of("group:c12", "view", "user:bob")))
                    .isEqualTo("error DEPTH_EXCEEDED");
            assertThat(answer(off, tenant, at, CheckRequest.of("group:c6", "view", "user:ann"))).startsWith("HAS");
            assertThat(answer(off, tenant, at, CheckRequest.of("group:c12", "nothing", "user:ann")))
                    .isEqualTo("error DEPTH_EXCEEDED");
            assertThat(on.groupIndex().orElseThrow().reachAnswered()).as("answered from the index").isPositive();
        }
    }

    private static Revision write(TupleStore store, String tenant, String... relationships) {
        List<RelationshipUpdate> updates = new ArrayList<>();
        for (String r : relationships) {
            updates.add(RelationshipUpdate.touch(Relationship.parse(r)));
        }
        return store.write(tenant, updates);
    }

    static String answer(GraphCheckEngine engine, String tenant, Revision at, CheckRequest request) {
        try {
            CheckResult r = engine.check(tenant, at, request).get();
            return r.permissionship() + " " + r;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof EngineException x ? "error " + x.reason() : "error " + e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> bulk(GraphCheckEngine engine, String tenant, Revision at, List<CheckRequest> requests)
            throws Exception {
        List<String> out = new ArrayList<>();
        for (BulkCheckResult r : engine.checkBulk(tenant, at, requests).get()) {
            out.add(r.error() != null ? "error " + r.error().reason() : r.result().toString());
        }
        return out;
    }

    /** A random history of one tenant: its revisions, and questions to ask at them. */
    private static final class History {
        private static final int GROUPS = 8;
        private final Random random;
        private final TupleStore store;
        private final String tenant;
        private final TestClock clock;
        private final List<Revision> revisions = new ArrayList<>();
        private final List<Relationship> written = new ArrayList<>();

        History(Random random, TupleStore store, String tenant, TestClock clock) {
            this.random = random;
            this.store = store;
            this.tenant = tenant;
            this.clock = clock;
            revisions.add(store.headRevision(tenant));
        }

        private String group() {
            return "group:g" + random.nextInt(GROUPS);
        }

        private String user() {
            return "user:u" + random.nextInt(3);
        }

        Relationship someRelationship() {
            Instant soon = clock.instant().plus(Duration.ofMinutes(10 + random.nextInt(60)));
            return Relationship.parse(switch (random.nextInt(14)) {
                case 0, 1 -> group() + "#member@" + user();
                case 2 -> group() + "#member@" + user() + "[weekday]";
                case 3 -> group() + "#banned@" + user();
                case 4 -> group() + "#parent@" + group() + "[weekday]";
                case 5 -> group() + "#parent@" + group() + "[expiration:" + soon + "]";
                case 6 -> "project:p" + random.nextInt(2) + "#namespace@" + group();
                default -> group() + "#parent@" + group();
            });
        }

        void writeSomething() {
            if (random.nextInt(8) == 0) {
                clock.advance(Duration.ofMinutes(20));
            }
            List<RelationshipUpdate> updates = new ArrayList<>();
            java.util.Set<Relationship> keys = new java.util.HashSet<>();
            if (random.nextInt(4) == 0) {
                // A move: a group's parent relationships deleted, a new one written, in one revision.
                String g = group();
                for (Relationship r : List.copyOf(written)) {
                    if (r.relation().equals("parent") && r.resource().toString().equals(g) && keys.add(r.key())) {
                        updates.add(RelationshipUpdate.delete(r));
                        written.remove(r);
                    }
                }
                Relationship r = Relationship.parse(g + "#parent@" + group());
                if (keys.add(r.key())) {
                    written.add(r);
                    updates.add(RelationshipUpdate.touch(r));
                }
            }
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                RelationshipUpdate u;
                if (!written.isEmpty() && random.nextInt(3) == 0) {
                    u = RelationshipUpdate.delete(written.remove(random.nextInt(written.size())));
                } else {
                    Relationship r = someRelationship();
                    written.add(r);
                    u = RelationshipUpdate.touch(r);
                }
                if (keys.add(u.relationship().key())) {
                    updates.add(u);
                }
            }
            revisions.add(store.write(tenant, updates));
        }

        /** The newest revision most of the time, else an older one. */
        Revision someRevision() {
            return random.nextInt(3) == 0 ? revisions.get(random.nextInt(revisions.size()))
                    : revisions.get(revisions.size() - 1);
        }

        CheckRequest someQuestion() {
            String permission = List.of("view", "guest", "after", "high", "nothing").get(random.nextInt(5));
            CheckRequest request = random.nextInt(5) == 0
                    ? new CheckRequest(ObjectRef.parse("project:p" + random.nextInt(2)), "view",
                            SubjectRef.parse(user()), Map.of())
                    : new CheckRequest(ObjectRef.parse(group()), permission, SubjectRef.parse(user()), Map.of());
            return switch (random.nextInt(3)) {
                case 0 -> request.withContext(Map.of("day", "sat"));
                case 1 -> request.withContext(Map.of("day", "mon"));
                default -> request;
            };
        }
    }
}
