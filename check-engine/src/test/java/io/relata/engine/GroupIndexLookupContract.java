package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.index.GroupIndexOptions;
import io.relata.engine.index.GroupIndexes;
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

/**
 * Lookups with the nested-group index. Lookup resources with the index giving the reverse steps of {@code group#member}
 * from memory: the results come exactly as without the index, in the same order, with the same
 * permissionship, errors included, at exact revisions old and new while memberships are
 * written and deleted (plain, caveated, expiring, nested, nested with a caveat, through a
 * team); pages resumed from cursors continue the same order, also when the cursor was taken
 * with the index answering and is resumed without it (and the other way round); wide steps
 * that take several store pages page the same; a chain deeper than the depth limit gives what
 * the walk gives. Lookup subjects too, with the index giving groups' relationships: the same
 * subjects, caveats and errors. Each store runs this through its subclass.
 */
public abstract class GroupIndexLookupContract {

    /** A store with {@code options} (a test clock among them). */
    protected abstract TupleStore store(StoreOptions options);

    /** How many random histories to try. */
    protected abstract int seeds();

    private static final GroupIndexOptions WAITING = GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10));

    private TupleStore fresh(TestClock clock, String tenant) {
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
        store.createTenant(tenant);
        store.writeSchema(tenant, GroupIndexContract.SCHEMA);
        return store;
    }

    @Test
    void randomMembershipChanges_lookupsAtExactRevisions_comeAsWithoutTheIndex_inOrder_andPageAlike() throws Exception {
        long answered = 0;
        long left = 0;
        long subjectsAnswered = 0;
        long subjectsLeft = 0;
        for (int seed = 0; seed < seeds(); seed++) {
            for (int maxDepth : new int[] {50, 4}) {
                TestClock clock = new TestClock();
                String tenant = "gil-" + UUID.randomUUID();
                TupleStore store = fresh(clock, tenant);
                EngineOptions base = EngineOptions.DEFAULTS.withMaxDepth(maxDepth);
                try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                        GraphCheckEngine on = new GraphCheckEngine(store, base.withGroupIndex(WAITING))) {
                    Random random = new Random(seed * 17L + maxDepth);
                    List<Revision> revisions = new ArrayList<>();
                    List<Relationship> written = new ArrayList<>();
                    for (int step = 0; step < 30; step++) {
                        revisions.add(writeSomething(store, tenant, clock, random, written));
                        for (int q = 0; q < 4; q++) {
                            Revision at = random.nextInt(3) == 0 ? revisions.get(random.nextInt(revisions.size()))
                                    : revisions.get(revisions.size() - 1);
                            String type = random.nextBoolean() ? "project" : "group";
                            String permission = type.equals("project") ? "view" : "member";
                            SubjectRef subject = SubjectRef.parse(random.nextInt(4) == 0
                                    ? "group:g" + random.nextInt(9) + "#member" : "user:u" + random.nextInt(4));
                            Map<String, Object> context = switch (random.nextInt(3)) {
                                case 0 -> Map.of("day", "sat");
                                case 1 -> Map.of("day", "mon");
                                default -> Map.of();
                            };
                            String what = String.format("seed %d depth %d step %d: %s#%s for %s %s at %s", seed,
                                    maxDepth, step, type, permission, subject, context, at);
                            List<String> expected = all(off, tenant, at, type, permission, subject, context);
                            assertThat(all(on, tenant, at, type, permission, subject, context)).as(what)
                                    .isEqualTo(expected);
                            if (!expected.isEmpty() && !expected.get(0).startsWith("error")) {
                                int limit = 1 + random.nextInt(3);
                                assertThat(paged(on, on, tenant, at, type, permission, subject, context, limit))
                                        .as("%s, pages of %d", what, limit).isEqualTo(expected);
                                assertThat(paged(on, off, tenant, at, type, permission, subject, context, limit))
                                        .as("%s, pages of %d resumed without the index", what, limit)
                                        .isEqualTo(expected);
                                assertThat(paged(off, on, tenant, at, type, permission, subject, context, limit))
                                        .as("%s, pages of %d resumed with the index", what, limit)
                                        .isEqualTo(expected);
                            }
                            String resource = type + ":" + (type.equals("project") ? "p" + random.nextInt(3)
                                    : "g" + random.nextInt(9));
                            String relation = random.nextInt(4) == 0 ? "member" : null;
                            String subjectType = relation == null ? "user" : "group";
                            assertThat(subjects(on, tenant, at, resource, permission, subjectType, relation, context))
                                    .as("seed %d depth %d step %d: subjects %s of %s#%s %s at %s", seed, maxDepth, step,
                                            subjectType, resource, permission, context, at)
                                    .isEqualTo(subjects(off, tenant, at, resource, permission, subjectType, relation,
                                            context));
                        }
                    }
                    GroupIndexes index = on.groupIndex().orElseThrow();
                    answered += index.lookupStepsAnswered();
                    left += index.lookupStepsLeft();
                    subjectsAnswered += index.subjectReadsAnswered();
                    subjectsLeft += index.subjectReadsLeft();
                }
            }
        }
        // Both ways were taken: pages from the index, and pages it left to the store (caveats, expirations).
        assertThat(answered).as("reverse steps from the index").isPositive();
        assertThat(left).as("reverse steps left to the store").isPositive();
        assertThat(subjectsAnswered).as("lookup subjects' reads from the index").isPositive();
        assertThat(subjectsLeft).as("lookup subjects' reads left to the store").isPositive();
    }

    @Test
    void lookupSubjectsThroughATreeOfGroups_comeAsWithoutTheIndex_withFewerStoreReads() throws Exception {
        TestClock clock = new TestClock();
        String tenant = "gil-" + UUID.randomUUID();
        TupleStore store = fresh(clock, tenant);
        // group:r holds 4 groups, each 4 more, each 4 more (84 groups), 2 users in each; one
        // group has a caveated member, one an expiring one, one a wildcard.
        List<Relationship> data = new ArrayList<>();
        List<String> level = List.of("r");
        int users = 0;
        for (int depth = 0; depth < 3; depth++) {
            List<String> next = new ArrayList<>();
            for (String g : level) {
                for (int c = 0; c < 4; c++) {
                    String child = g + "-" + c;
                    next.add(child);
                    data.add(Relationship.parse("group:" + g + "#member@group:" + child + "#member"));
                    for (int u = 0; u < 2; u++) {
                        data.add(Relationship.parse("group:" + child + "#member@user:u" + users++));
                    }
                }
            }
            level = next;
        }
        data.add(Relationship.parse("group:r-1-2#member@user:cav[weekday]"));
        data.add(Relationship.parse("group:r-2-3-1#member@user:exp[expiration:" + clock.instant().plus(
                Duration.ofHours(1)) + "]"));
        data.add(Relationship.parse("group:r-3#member@user:*"));
        data.add(Relationship.parse("project:x#namespace@group:r"));
        store.bulkImport(tenant, data.iterator());
        Revision at = store.headRevision(tenant);
        try (GraphCheckEngine off = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withRelationshipCacheSize(0));
                GraphCheckEngine on = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withRelationshipCacheSize(0)
                        .withGroupIndex(WAITING))) {
            for (String[] q : new String[][] {{"project:x", "view", "user", null}, {"group:r", "member", "user", null},
                    {"group:r-2", "member", "group", "member"}}) {
                List<String> expected = subjects(off, tenant, at, q[0], q[1], q[2], q[3], Map.of());
                int readsOff = off.lastStoreCalls();
                assertThat(subjects(on, tenant, at, q[0], q[1], q[2], q[3], Map.of())).as("%s#%s", q[0], q[1])
                        .isEqualTo(expected);
                assertThat(on.lastStoreCalls()).as("store reads for %s#%s with the index (%d without)", q[0], q[1],
                        readsOff).isLessThan(readsOff);
            }
            assertThat(subjects(on, tenant, at, "project:x", "view", "user", null, Map.of()))
                    .as("users in the tree, the wildcard and the caveated and expiring members").hasSize(users + 3);
            // Past the expiration the store returns the expiring member no more, and neither does the index.
            clock.advance(Duration.ofHours(2));
            assertThat(subjects(on, tenant, at, "project:x", "view", "user", null, Map.of()))
                    .isEqualTo(subjects(off, tenant, at, "project:x", "view", "user", null, Map.of()))
                    .hasSize(users + 2);
            assertThat(on.groupIndex().orElseThrow().subjectReadsAnswered()).isPositive();
            assertThat(on.groupIndex().orElseThrow().subjectReadsLeft()).as("the groups with a caveat or an"
                    + " expiration were read from the store").isPositive();
        }
    }

    @Test
    void wideSteps_overSeveralStorePages_comeAndPageAsWithoutTheIndex_withFewerStoreReads() throws Exception {
        TestClock clock = new TestClock();
        String tenant = "gil-" + UUID.randomUUID();
        TupleStore store = fresh(clock, tenant);
        // ann is in 150 groups directly (more than a first page); each of the first 30 is nested in
        // 8 more, each of those in 2 more; a project under every group, one of them under a
        // caveated nesting.
        List<Relationship> data = new ArrayList<>();
        for (int g = 0; g < 150; g++) {
            data.add(Relationship.parse("group:d" + g + "#member@user:ann"));
            data.add(Relationship.parse("project:pd" + g + "#namespace@group:d" + g));
        }
        for (int g = 0; g < 30; g++) {
            for (int c = 0; c < 8; c++) {
                String mid = "m" + g + "-" + c;
                data.add(Relationship.parse("group:" + mid + "#member@group:d" + g + "#member"));
                data.add(Relationship.parse("project:p" + mid + "#namespace@group:" + mid));
                for (int t = 0; t < 2; t++) {
                    String top = "t" + g + "-" + c + "-" + t;
                    data.add(Relationship.parse("group:" + top + "#member@group:" + mid + "#member"));
                    data.add(Relationship.parse("project:p" + top + "#namespace@group:" + top));
                }
            }
        }
        store.bulkImport(tenant, data.iterator());
        Revision at = store.write(tenant, List.of(RelationshipUpdate.touch(
                Relationship.parse("group:late#member@group:d3#member"))));
        SubjectRef ann = SubjectRef.parse("user:ann");
        try (GraphCheckEngine off = new GraphCheckEngine(store);
                GraphCheckEngine on = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(WAITING))) {
            List<String> expected = all(off, tenant, at, "project", "view", ann, Map.of());
            int readsOff = off.lastStoreCalls();
            assertThat(expected).hasSize(150 + 30 * 8 * 3);
            assertThat(all(on, tenant, at, "project", "view", ann, Map.of())).isEqualTo(expected);
            int readsOn = on.lastStoreCalls();
            assertThat(readsOn).as("store reads with the index (%d without)", readsOff).isLessThan(readsOff);
            assertThat(all(on, tenant, at, "group", "member", ann, Map.of()))
                    .isEqualTo(all(off, tenant, at, "group", "member", ann, Map.of()));
            for (int limit : new int[] {37, 100, 101}) {
                assertThat(paged(on, off, tenant, at, "project", "view", ann, Map.of(), limit)).as("pages of %d", limit)
                        .isEqualTo(expected);
                assertThat(paged(off, on, tenant, at, "project", "view", ann, Map.of(), limit)).as("pages of %d", limit)
                        .isEqualTo(expected);
            }
            assertThat(on.groupIndex().orElseThrow().lookupStepsAnswered()).isPositive();
        }
    }

    @Test
    void aCursorTakenFromTheIndex_resumesOnTheStoreOnceTheIndexForgotItsRevision() throws Exception {
        TestClock clock = new TestClock();
        String tenant = "gil-" + UUID.randomUUID();
        TupleStore store = fresh(clock, tenant);
        List<Relationship> data = new ArrayList<>();
        for (int g = 0; g < 40; g++) {
            data.add(Relationship.parse("group:g" + g + "#member@group:g" + (g + 1) + "#member"));
            data.add(Relationship.parse("project:p" + g + "#namespace@group:g" + g));
        }
        data.add(Relationship.parse("group:g40#member@user:ann"));
        store.bulkImport(tenant, data.iterator());
        Revision before = store.write(tenant, List.of(RelationshipUpdate.touch(
                Relationship.parse("group:side#member@group:g20#member"))));
        SubjectRef ann = SubjectRef.parse("user:ann");
        try (GraphCheckEngine off = new GraphCheckEngine(store);
                GraphCheckEngine on = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(WAITING))) {
            List<String> expected = all(off, tenant, before, "project", "view", ann, Map.of());
            assertThat(expected).hasSize(40);
            LookupPage first = on.lookupResources(tenant, before, "project", "view", ann, Map.of(), null, 7).get();
            GroupIndexes index = on.groupIndex().orElseThrow();
            long fromIndex = index.lookupStepsAnswered();
            assertThat(fromIndex).as("the first page walked the index").isPositive();
            // The nesting changes, and past the history window the index no longer holds `before`.
            store.write(tenant, List.of(RelationshipUpdate.delete(
                    Relationship.parse("group:g10#member@group:g11#member"))));
            clock.advance(Duration.ofMinutes(5));
            Revision later = store.write(tenant, List.of(RelationshipUpdate.touch(
                    Relationship.parse("group:other#member@user:bob"))));
            assertThat(all(on, tenant, later, "project", "view", ann, Map.of()))
                    .isEqualTo(all(off, tenant, later, "project", "view", ann, Map.of()));
            long leftBefore = index.lookupStepsLeft();
            List<String> got = new ArrayList<>(first.results().stream().map(GroupIndexLookupContract::text).toList());
            String cursor = first.next();
            while (cursor != null) {
                LookupPage page = on.lookupResources(tenant, before, "project", "view", ann, Map.of(), cursor, 7).get();
                page.results().forEach(r -> got.add(text(r)));
                cursor = page.next();
            }
            assertThat(got).isEqualTo(expected);
            assertThat(index.lookupStepsLeft()).as("the resumed pages read the store").isGreaterThan(leftBefore);
        }
    }

    @Test
    void aChainDeeperThanTheDepthLimit_givesWhatTheWalkGives() throws Exception {
        TestClock clock = new TestClock();
        String tenant = "gil-" + UUID.randomUUID();
        TupleStore store = fresh(clock, tenant);
        List<Relationship> data = new ArrayList<>();
        for (int g = 0; g < 12; g++) {
            data.add(Relationship.parse("group:g" + g + "#member@group:g" + (g + 1) + "#member"));
            data.add(Relationship.parse("project:p" + g + "#namespace@group:g" + g));
        }
        data.add(Relationship.parse("group:g12#member@user:ann"));
        store.bulkImport(tenant, data.iterator());
        Revision at = store.headRevision(tenant);
        SubjectRef ann = SubjectRef.parse("user:ann");
        for (int maxDepth : new int[] {3, 6, 11, 12, 13}) {
            EngineOptions base = EngineOptions.DEFAULTS.withMaxDepth(maxDepth).withCacheSize(0)
                    .withRelationshipCacheSize(0);
            try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                    GraphCheckEngine on = new GraphCheckEngine(store, base.withGroupIndex(WAITING))) {
                for (String[] q : new String[][] {{"project", "view"}, {"group", "member"}}) {
                    assertThat(all(on, tenant, at, q[0], q[1], ann, Map.of())).as("depth %d %s#%s", maxDepth, q[0], q[1])
                            .isEqualTo(all(off, tenant, at, q[0], q[1], ann, Map.of()));
                }
                for (String resource : new String[] {"project:p0", "group:g0", "group:g5"}) {
                    String permission = resource.startsWith("project") ? "view" : "member";
                    assertThat(subjects(on, tenant, at, resource, permission, "user", null, Map.of()))
                            .as("depth %d subjects of %s", maxDepth, resource)
                            .isEqualTo(subjects(off, tenant, at, resource, permission, "user", null, Map.of()));
                }
                assertThat(on.groupIndex().orElseThrow().subjectReadsAnswered()).isPositive();
                assertThat(on.groupIndex().orElseThrow().lookupStepsAnswered()).isPositive();
            }
        }
    }

    private static Revision writeSomething(TupleStore store, String tenant, TestClock clock, Random random,
            List<Relationship> written) {
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
                Relationship r = someRelationship(random, clock.instant());
                written.add(r);
                u = RelationshipUpdate.touch(r);
            }
            if (keys.add(u.relationship().key())) {
                updates.add(u);
            }
        }
        return store.write(tenant, updates);
    }

    private static Relationship someRelationship(Random random, Instant now) {
        String group = "group:g" + random.nextInt(9);
        String other = "group:g" + random.nextInt(9);
        String user = "user:u" + random.nextInt(4);
        Instant soon = now.plus(Duration.ofMinutes(10 + random.nextInt(60)));
        return Relationship.parse(switch (random.nextInt(13)) {
            case 0, 1, 2 -> group + "#member@" + user;
            case 3 -> group + "#member@" + user + "[weekday]";
            case 4 -> group + "#member@" + user + "[expiration:" + soon + "]";
            case 5, 6, 7, 8 -> group + "#member@" + other + "#member";
            case 9 -> group + "#member@" + other + "#member[weekday]";
            case 10 -> random.nextBoolean() ? group + "#member@team:t0#member" : "team:t0#member@" + user;
            case 11 -> group + "#member@user:*";
            default -> "project:p" + random.nextInt(3) + (random.nextBoolean() ? "#namespace@" + group
                    : "#developer@" + group + "#member");
        });
    }

    static String text(LookupResult r) {
        return r.id() + " " + r.permissionship() + (r.missingContext().isEmpty() ? "" : " " + r.missingContext());
    }

    /** Every result in the order given (not sorted), or the error. */
    static List<String> all(GraphCheckEngine engine, String tenant, Revision at, String type, String permission,
            SubjectRef subject, Map<String, Object> context) {
        try {
            return engine.lookupResources(tenant, at, type, permission, subject, context, null, 0).get().results()
                    .stream().map(GroupIndexLookupContract::text).toList();
        } catch (java.util.concurrent.ExecutionException e) {
            return List.of("error " + (e.getCause() instanceof EngineException x ? x.reason() : e.getCause()));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Lookup subjects' results, in the order given, or the error. */
    private static List<String> subjects(GraphCheckEngine engine, String tenant, Revision at, String resource,
            String permission, String subjectType, String subjectRelation, Map<String, Object> context) {
        try {
            return engine.lookupSubjects(tenant, at, io.relata.store.ObjectRef.parse(resource), permission, subjectType,
                    subjectRelation, context).get().stream().map(Object::toString).toList();
        } catch (java.util.concurrent.ExecutionException e) {
            return List.of("error " + (e.getCause() instanceof EngineException x ? x.reason() : e.getCause()));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The first page from {@code first}, the rest resumed from cursors on {@code rest}, in order. */
    static List<String> paged(GraphCheckEngine first, GraphCheckEngine rest, String tenant, Revision at,
            String type, String permission, SubjectRef subject, Map<String, Object> context, int limit)
            throws Exception {
        List<String> out = new ArrayList<>();
        String cursor = null;
        GraphCheckEngine engine = first;
        for (int pages = 0; pages < 10_000; pages++) {
            LookupPage page = engine.lookupResources(tenant, at, type, permission, subject, context, cursor, limit).get();
            page.results().forEach(r -> out.add(text(r)));
            cursor = page.next();
            if (cursor == null) {
                return out;
            }
            engine = rest;
        }
        throw new AssertionError("no end of pages");
    }
}
