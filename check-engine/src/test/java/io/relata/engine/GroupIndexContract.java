package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.index.GroupIndexOptions;
import io.relata.engine.index.GroupIndexStats;
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
 * The nested-group index never changes an answer. Random writes and deletes of memberships
 * (plain, caveated, expiring, nested, nested with a caveat, through a team) while checks,
 * bulk checks, lookup resources and lookup subjects are asked at exact revisions, old and
 * new, with contexts that decide the caveat either way or not at all, and while the clock
 * lets memberships expire: an engine with the
 * index (waiting for it to catch up, or not waiting at all) answers each exactly as one
 * without it, errors included (with small depth limits the depth error too). Then the cases
 * the index must handle: an older revision (from its kept versions, then by the walk once they
 * are forgotten), a schema change, lost change-log history, a size limit, a tenant left out.
 * Each store runs this through its subclass.
 */
public abstract class GroupIndexContract {

    /** A store with {@code options} (a test clock among them). */
    protected abstract TupleStore store(StoreOptions options);

    private TupleStore store(TestClock clock) {
        return store(StoreOptions.DEFAULTS.withClock(clock));
    }

    /** How many random histories to try. */
    protected abstract int seeds();

    static final String SCHEMA = """
            use expiration

            caveat weekday(day string) {
                day != "sat"
            }

            definition user {}

            definition team {
                relation member: user
            }

            definition group {
                relation member: user | user with weekday | user with expiration | group#member | group#member with weekday | team#member
            }

            definition project {
                relation namespace: group
                relation developer: user | group#member
                permission view = developer + namespace->member
            }
            """;

    private static final GroupIndexOptions WAITING = GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10));
    private static final GroupIndexOptions NOT_WAITING = GroupIndexOptions.ON.withCatchUpWait(Duration.ZERO)
            .withRefreshInterval(Duration.ofMillis(5));

    static List<Integer> maxDepths() {
        return List.of(50, 3, 5);
    }

    @ParameterizedTest(name = "max depth {0}")
    @MethodSource("maxDepths")
    void randomWritesAndDeletes_checkedAtExactRevisions_answerAsWithoutTheIndex(int maxDepth) throws Exception {
        // With a small depth limit, sub-results are not shared across requests, so that each
        // check walks as a fresh one would on both engines (what a cache holds decides where a
        // walk stops, and with it where the depth error comes).
        EngineOptions base = EngineOptions.DEFAULTS.withMaxDepth(maxDepth);
        if (maxDepth < 50) {
            base = base.withCacheSize(0).withRelationshipCacheSize(0);
        }
        long answered = 0;
        long unknown = 0;
        for (int seed = 0; seed < seeds(); seed++) {
            TestClock clock = new TestClock();
            TupleStore store = store(clock);
            String tenant = "gi-" + UUID.randomUUID();
            store.createTenant(tenant);
            store.writeSchema(tenant, SCHEMA);
            try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                    GraphCheckEngine waiting = new GraphCheckEngine(store, base.withGroupIndex(WAITING));
                    GraphCheckEngine notWaiting = new GraphCheckEngine(store, base.withGroupIndex(NOT_WAITING))) {
                History h = new History(new Random(seed * 31L + maxDepth), store, tenant, clock);
                for (int step = 0; step < 40; step++) {
                    h.writeSomething();
                    for (int q = 0; q < 12; q++) {
                        Revision at = h.someRevision();
                        CheckRequest request = h.someQuestion();
                        String expected = answer(off, tenant, at, request);
                        assertThat(answer(waiting, tenant, at, request)).as("seed %d step %d: %s at %s (index, waiting)",
                                seed, step, request, at).isEqualTo(expected);
                        assertThat(answer(notWaiting, tenant, at, request)).as("seed %d step %d: %s at %s (index, not"
                                + " waiting)", seed, step, request, at).isEqualTo(expected);
                    }
                    Revision at = h.someRevision();
                    List<CheckRequest> bulk = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        bulk.add(h.someQuestion());
                    }
                    assertThat(bulk(waiting, tenant, at, bulk)).as("seed %d step %d: bulk at %s", seed, step, at)
                            .isEqualTo(bulk(off, tenant, at, bulk));
                    CheckRequest lookup = h.someQuestion();
                    String resourceType = lookup.resource().type();
                    String permission = lookup.permission();
                    assertThat(lookups(waiting, tenant, at, resourceType, permission, lookup))
                            .as("seed %d step %d: lookups for %s at %s", seed, step, lookup, at)
                            .isEqualTo(lookups(off, tenant, at, resourceType, permission, lookup));
                }
                answered += waiting.groupIndex().orElseThrow().answered();

                unknown += waiting.groupIndex().orElseThrow().unknown();
            }
        }
        // Both ways were taken: answers from the index, and questions it left to the walk.
        assertThat(answered).as("answered by the index").isPositive();
        assertThat(unknown).as("left to the walk").isPositive();
    }

    @Test
    void anOlderRevision_isAnsweredFromTheHistory_andWalksOnceTheHistoryIsForgotten() {
        TestClock clock = new TestClock();
        TupleStore store = store(clock);
        String tenant = "gi-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision before = write(store, tenant, "group:top#member@group:mid#member", "group:mid#member@user:ann",
                "project:p#namespace@group:top");
        try (GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(WAITING))) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            assertThat(engine.checkNow(tenant, before, CheckRequest.of("project:p", "view", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(index.answered()).isEqualTo(1);
            Revision after = store.write(tenant, List.of(RelationshipUpdate.delete(
                    Relationship.parse("group:mid#member@user:ann"))));
            assertThat(engine.checkNow(tenant, after, CheckRequest.of("project:p", "view", "user:ann")))
                    .isEqualTo(CheckResult.NO);
            assertThat(index.answered()).as("the index caught up to the deletion and answered").isEqualTo(2);
            // At the revision before the deletion ann was still a member: the index answers from
            // the version the deletion closed. (Questions the first check did not put in the
            // sub-result cache: the index answered group:top as a whole.)
            assertThat(engine.checkNow(tenant, before, CheckRequest.of("group:mid", "member", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, before, CheckRequest.of("group:top", "member", "user:bob")))
                    .isEqualTo(CheckResult.NO);
            assertThat(index.answered()).as("answered at the older revision").isEqualTo(4);
            // Past the history window the closed version is forgotten: the older revision walks, and is right.
            clock.advance(Duration.ofMinutes(2));
            Revision later = write(store, tenant, "group:mid#member@user:bob");
            assertThat(engine.checkNow(tenant, later, CheckRequest.of("group:top", "member", "user:bob")))
                    .isEqualTo(CheckResult.HAS);
            long unknownBefore = index.unknown();
            assertThat(engine.checkNow(tenant, before, CheckRequest.of("group:top", "member", "group:mid#member")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, before, CheckRequest.of("group:mid", "member", "user:cid")))
                    .isEqualTo(CheckResult.NO);
            assertThat(index.unknown()).as("left to the walk").isEqualTo(unknownBefore + 2);
        }
    }

    @Test
    void aSchemaChange_rebuildsTheIndex_andAnswersFollowTheNewSchema() throws Exception {
        TestClock clock = new TestClock();
        TupleStore store = store(clock);
        String tenant = "gi-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision first = write(store, tenant, "group:top#member@group:mid#member", "group:mid#member@user:ann");
        try (GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(WAITING));
                GraphCheckEngine off = new GraphCheckEngine(store)) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            assertThat(engine.checkNow(tenant, first, CheckRequest.of("group:top", "member", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            // The new schema nests groups through another relation: member is no longer recursive, manager is.
            Revision changed = store.writeSchema(tenant, SCHEMA.replace("relation member: user |",
                    "relation manager: user | group#manager\n    relation member: user |"));
            Revision second = write(store, tenant, "group:top#manager@group:mid#manager", "group:mid#manager@user:bob");
            for (String question : List.of("group:top#member@user:ann", "group:top#manager@user:bob",
                    "group:top#manager@user:ann", "group:mid#manager@user:bob")) {
                String[] parts = question.split("[#@]");
                CheckRequest request = CheckRequest.of(parts[0], parts[1], parts[2]);
                for (Revision at : List.of(first, changed, second)) {
                    if (!at.equals(first) || !parts[1].equals("manager")) {
                        assertThat(answer(engine, tenant, at, request)).as("%s at %s", question, at)
                                .isEqualTo(answer(off, tenant, at, request));
                    }
                }
            }
            GroupIndexStats stats = index.stats().get(0);
            assertThat(stats.state()).isEqualTo("ready");
            assertThat(stats.appliedUpTo()).as("rebuilt after the schema change").isGreaterThanOrEqualTo(second.value());
            assertThat(index.answered()).as("answers from the rebuilt index").isGreaterThan(1);
        }
    }

    @Test
    void expiringMembershipsLongExpired_areDroppedFromTheIndex_andAnswersStayAsWithoutIt() throws Exception {
        TestClock clock = new TestClock();
        TupleStore store = store(clock);
        String tenant = "gi-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision plain = write(store, tenant, "group:a#member@group:b#member", "group:b#member@user:ann");
        Instant expires = clock.instant().plus(Duration.ofMinutes(5));
        List<String> temporary = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            temporary.add("group:" + (i % 2 == 0 ? "a" : "b") + "#member@user:t" + i + "[expiration:" + expires + "]");
        }
        write(store, tenant, temporary.toArray(String[]::new));
        EngineOptions options = EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0);
        try (GraphCheckEngine off = new GraphCheckEngine(store, options);
                GraphCheckEngine on = new GraphCheckEngine(store,
                        options.withGroupIndex(WAITING.withRefreshInterval(Duration.ofMillis(5))))) {
            GroupIndexes index = on.groupIndex().orElseThrow();
            Revision head = store.headRevision(tenant);
            List<CheckRequest> questions = new ArrayList<>();
            for (String user : List.of("user:ann", "user:t0", "user:t1", "user:t299", "user:bob")) {
                questions.add(CheckRequest.of("group:a", "member", user));
                questions.add(CheckRequest.of("group:b", "member", user));
            }
            for (CheckRequest q : questions) {
                assertThat(answer(on, tenant, head, q)).as("%s", q).isEqualTo(answer(off, tenant, head, q));
            }
            assertThat(index.stats().get(0).relationships()).as("the temporary ones held back").isEqualTo(302);
            // Past the expiration and the history window: the background refresh drops them.
            clock.advance(Duration.ofMinutes(5).plus(GroupIndexOptions.ON.history()).plusSeconds(1));
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (index.stats().get(0).relationships() > 2 && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(index.stats().get(0).relationships()).as("back to the plain ones").isEqualTo(2);
            long answeredBefore = index.answered();
            for (Revision at : List.of(plain, head)) {
                for (CheckRequest q : questions) {
                    assertThat(answer(on, tenant, at, q)).as("%s at %s", q, at).isEqualTo(answer(off, tenant, at, q));
                }
            }
            assertThat(index.answered()).as("answered from the index once they are gone")
                    .isGreaterThan(answeredBefore);
        }
    }

    @Test
    void pastItsSizeLimit_theIndexTurnsItselfOff_andChecksWalkTheGraph() {
        TestClock clock = new TestClock();
        TupleStore store = store(clock);
        String tenant = "gi-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision small = write(store, tenant, "group:a#member@group:b#member", "group:b#member@user:ann");
        try (GraphCheckEngine engine = new GraphCheckEngine(store,
                EngineOptions.DEFAULTS.withGroupIndex(WAITING.withMaxEdgesPerTenant(3)))) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            assertThat(engine.checkNow(tenant, small, CheckRequest.of("group:a", "member", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(index.answered()).isEqualTo(1);
            Revision large = write(store, tenant, "group:b#member@group:c#member", "group:c#member@user:bob");
            assertThat(engine.checkNow(tenant, large, CheckRequest.of("group:a", "member", "user:bob")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, large, CheckRequest.of("group:a", "member", "user:cid")))
                    .isEqualTo(CheckResult.NO);
            assertThat(index.answered()).as("nothing answered past the limit").isEqualTo(1);
            assertThat(index.stats().get(0).state()).isEqualTo("disabled");
            assertThat(index.stats().get(0).relationships()).isZero();
        }
    }

    @Test
    void historyCollectedBeforeTheIndexReadIt_rebuildsTheIndex_andAnswersStayRight() {
        TestClock clock = new TestClock();
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock).withGcWindow(Duration.ofMinutes(1)));
        String tenant = "gi-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision first = write(store, tenant, "group:top#member@group:mid#member", "group:mid#member@user:ann");
        // No background refresh during the test: only questions move the index.
        GroupIndexOptions options = WAITING.withRefreshInterval(Duration.ofHours(1));
        try (GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(options))) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            assertThat(engine.checkNow(tenant, first, CheckRequest.of("group:top", "member", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(index.stats().get(0).appliedUpTo()).isEqualTo(first.value());
            store.write(tenant, List.of(RelationshipUpdate.delete(Relationship.parse("group:mid#member@user:ann"))));
            clock.advance(Duration.ofMinutes(10));
            Revision last = write(store, tenant, "group:mid#member@user:bob");
            clock.advance(Duration.ofMinutes(10));
            store.collectGarbage();
            assertThat(store.oldestReadableRevision(tenant)).as("history the index needs is gone").isGreaterThan(first);
            // The index cannot read the change log after its revision: it rebuilds, and meanwhile the walk answers.
            assertThat(engine.checkNow(tenant, last, CheckRequest.of("group:top", "member", "user:ann")))
                    .isEqualTo(CheckResult.NO);
            assertThat(engine.checkNow(tenant, last, CheckRequest.of("group:top", "member", "user:bob")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, last, CheckRequest.of("group:top", "member", "user:cid")))
                    .isEqualTo(CheckResult.NO);
            GroupIndexStats stats = index.stats().get(0);
            assertThat(stats.state()).isEqualTo("ready");
            assertThat(stats.appliedUpTo()).as("rebuilt at the head").isEqualTo(last.value());
            assertThat(index.answered()).as("the rebuilt index answered").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aTenantTheOptionsLeaveOut_isNotIndexed_andItsChecksWalk() {
        TestClock clock = new TestClock();
        TupleStore store = store(clock);
        String tenant = "gi-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        Revision at = write(store, tenant, "group:top#member@group:mid#member", "group:mid#member@user:ann");
        try (GraphCheckEngine engine = new GraphCheckEngine(store,
                EngineOptions.DEFAULTS.withGroupIndex(WAITING.withTenants(List.of("another-" + tenant))))) {
            GroupIndexes index = engine.groupIndex().orElseThrow();
            assertThat(engine.checkNow(tenant, at, CheckRequest.of("group:top", "member", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow(tenant, at, CheckRequest.of("group:top", "member", "user:bob")))
                    .isEqualTo(CheckResult.NO);
            assertThat(index.answered()).isZero();
            assertThat(index.stats()).as("no index kept for it").isEmpty();
        }
    }

    private static Revision write(TupleStore store, String tenant, String... relationships) {
        List<RelationshipUpdate> updates = new ArrayList<>();
        for (String r : relationships) {
            updates.add(RelationshipUpdate.touch(Relationship.parse(r)));
        }
        return store.write(tenant, updates);
    }

    private static String answer(GraphCheckEngine engine, String tenant, Revision at, CheckRequest request) {
        try {
            return engine.check(tenant, at, request).get().toString();
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof EngineException x ? "error " + x.reason() : "error " + e.getCause();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Lookup resources of the question's type and permission for its subject, and lookup subjects of its resource. */
    private static List<String> lookups(GraphCheckEngine engine, String tenant, Revision at, String type,
            String permission, CheckRequest q) {
        List<String> out = new ArrayList<>();
        try {
            engine.lookupResources(tenant, at, type, permission, q.subject(), q.context(), null, 0).get().results()
                    .stream().map(Object::toString).sorted().forEach(out::add);
        } catch (java.util.concurrent.ExecutionException e) {
            out.add("error " + (e.getCause() instanceof EngineException x ? x.reason() : e.getCause()));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        out.add("--");
        try {
            engine.lookupSubjects(tenant, at, q.resource(), permission, "user", null, q.context()).get()
                    .stream().map(Object::toString).sorted().forEach(out::add);
        } catch (java.util.concurrent.ExecutionException e) {
            out.add("error " + (e.getCause() instanceof EngineException x ? x.reason() : e.getCause()));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return out;
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
        private static final int GROUPS = 9;
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
            return "user:u" + random.nextInt(4);
        }

        Relationship someRelationship() {
            Instant soon = clock.instant().plus(Duration.ofMinutes(10 + random.nextInt(60)));
            return Relationship.parse(switch (random.nextInt(12)) {
                case 0, 1, 2 -> group() + "#member@" + user();
                case 3 -> group() + "#member@" + user() + "[weekday]";
                case 4 -> group() + "#member@" + user() + "[expiration:" + soon + "]";
                case 5, 6, 7, 8 -> group() + "#member@" + group() + "#member";
                case 9 -> group() + "#member@" + group() + "#member[weekday]";
                case 10 -> random.nextBoolean() ? group() + "#member@team:t0#member" : "team:t0#member@" + user();
                default -> "project:p" + random.nextInt(2) + (random.nextBoolean() ? "#namespace@" + group()
                        : "#developer@" + group() + "#member");
            });
        }

        void writeSomething() {
            if (random.nextInt(8) == 0) {
                clock.advance(Duration.ofMinutes(20));
            }
            List<RelationshipUpdate> updates = new ArrayList<>();
            java.util.Set<Relationship> keys = new java.util.HashSet<>();
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
            CheckRequest request = switch (random.nextInt(5)) {
                case 0 -> new CheckRequest(ObjectRef.parse("project:p" + random.nextInt(2)), "view",
                        SubjectRef.parse(user()), Map.of());
                case 1 -> new CheckRequest(ObjectRef.parse(group()), "member",
                        SubjectRef.parse(group() + "#member"), Map.of());
                default -> new CheckRequest(ObjectRef.parse(group()), "member", SubjectRef.parse(user()), Map.of());
            };
            return switch (random.nextInt(3)) {
                case 0 -> request.withContext(Map.of("day", "sat"));
                case 1 -> request.withContext(Map.of("day", "mon"));
                default -> request;
            };
        }
    }
}
