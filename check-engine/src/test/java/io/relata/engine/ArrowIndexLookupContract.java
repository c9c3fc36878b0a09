package io.relata.engine;

import static io.relata.engine.GroupIndexLookupContract.all;
import static io.relata.engine.GroupIndexLookupContract.paged;
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
 * Lookup resources with the nested-group index giving the reverse steps over a self-typed
 * arrow's relation ({@code group#parent} under {@code view = member + parent->view}, projects
 * under groups as in GitLab) from memory, next to those over a recursive relation of the same
 * type ({@code group#member}, which also allows plain groups): while {@code parent} edges are
 * written and deleted at random (plain, caveated, expiring; subtrees moved in one write;
 * cycles), the results at exact revisions, old and new, come exactly as without the index, in
 * the same order, errors included; pages resumed from cursors continue the same order with the
 * index on, off, or changing between pages; a wide tree whose steps take several store pages
 * pages the same with fewer store reads. Each store runs this through its subclass.
 */
public abstract class ArrowIndexLookupContract {

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
                relation member: user | user with weekday | user with expiration | group | group#member
                relation banned: user
                permission view = member + parent->view
                permission guest = member - banned + parent->guest
                permission child_of = parent
            }

            definition project {
                relation namespace: group
                relation owner: user
                permission view = owner + namespace->view
                permission guest = namespace->guest
            }
            """;

    private static final GroupIndexOptions WAITING = GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10));
    private static final int GROUPS = 10;

    private TupleStore fresh(TestClock clock, String tenant) {
        TupleStore store = store(StoreOptions.DEFAULTS.withClock(clock));
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        return store;
    }

    @Test
    void randomParentEdges_lookupsAtExactRevisions_comeAsWithoutTheIndex_inOrder_andPageAlike() throws Exception {
        long answered = 0;
        long left = 0;
        for (int seed = 0; seed < seeds(); seed++) {
            for (int maxDepth : new int[] {50, 4}) {
                TestClock clock = new TestClock();
                String tenant = "ail-" + UUID.randomUUID();
                TupleStore store = fresh(clock, tenant);
                EngineOptions base = EngineOptions.DEFAULTS.withMaxDepth(maxDepth);
                try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                        GraphCheckEngine on = new GraphCheckEngine(store, base.withGroupIndex(WAITING))) {
                    Random random = new Random(seed * 31L + maxDepth);
                    List<Revision> revisions = new ArrayList<>();
                    List<Relationship> written = new ArrayList<>();
                    for (int step = 0; step < 30; step++) {
                        revisions.add(writeSomething(store, tenant, clock, random, written));
                        for (int q = 0; q < 4; q++) {
                            Revision at = random.nextInt(3) == 0 ? revisions.get(random.nextInt(revisions.size()))
                                    : revisions.get(revisions.size() - 1);
                            String[] lookup = switch (random.nextInt(6)) {
                                case 0, 1 -> new String[] {"group", "view"};
                                case 2 -> new String[] {"group", "guest"};
                                case 3 -> new String[] {"project", "guest"};
                                default -> new String[] {"project", "view"};
                            };
                            String subject = switch (random.nextInt(6)) {
                                case 0 -> "group:g" + random.nextInt(GROUPS);
                                case 1 -> "group:g" + random.nextInt(GROUPS) + "#member";
                                default -> "user:u" + random.nextInt(4);
                            };
                            if (subject.startsWith("group") && random.nextBoolean()) {
                                // The groups whose parent is the subject: the arrow's step as the seed.
                                lookup = new String[] {"group", "child_of"};
                                subject = "group:g" + random.nextInt(GROUPS);
                            }
                            Map<String, Object> context = switch (random.nextInt(3)) {
                                case 0 -> Map.of("day", "sat");
                                case 1 -> Map.of("day", "mon");
                                default -> Map.of();
                            };
                            SubjectRef who = SubjectRef.parse(subject);
                            String what = String.format("seed %d depth %d step %d: %s#%s for %s %s at %s", seed,
                                    maxDepth, step, lookup[0], lookup[1], subject, context, at);
                            List<String> expected = all(off, tenant, at, lookup[0], lookup[1], who, context);
                            assertThat(all(on, tenant, at, lookup[0], lookup[1], who, context)).as(what)
                                    .isEqualTo(expected);
                            if (!expected.isEmpty() && !expected.get(0).startsWith("error")) {
                                // A page's candidates are checked as a page (a depth error may come on a
                                // later one): the pages without the index are the reference.
                                int limit = 1 + random.nextInt(3);
                                List<String> pages = pages(off, off, tenant, at, lookup, who, context, limit);
                                assertThat(pages(on, on, tenant, at, lookup, who, context, limit))
                                        .as("%s, pages of %d", what, limit).isEqualTo(pages);
                                assertThat(pages(on, off, tenant, at, lookup, who, context, limit))
                                        .as("%s, pages of %d resumed without the index", what, limit)
                                        .isEqualTo(pages);
                                assertThat(pages(off, on, tenant, at, lookup, who, context, limit))
                                        .as("%s, pages of %d resumed with the index", what, limit)
                                        .isEqualTo(pages);
                                if (!pages.get(pages.size() - 1).startsWith("error")) {
                                    assertThat(pages).as("%s, pages of %d", what, limit).isEqualTo(expected);
                                }
                            }
                        }
                    }
                    GroupIndexes index = on.groupIndex().orElseThrow();
                    answered += index.arrowLookupStepsAnswered();
                    left += index.arrowLookupStepsLeft();
                }
            }
        }
        System.out.println("arrow lookup steps: " + answered + " from the index, " + left + " left to the store");
        // Both ways were taken: pages of `parent` from the index, and pages it left to the store.
        assertThat(answered).as("reverse steps over parent from the index").isPositive();
        assertThat(left).as("reverse steps over parent left to the store (caveated, expiring)").isPositive();
    }

    @Test
    void aWideTreeOfSubgroups_overSeveralStorePages_comesAndPagesAsWithoutTheIndex_withFewerStoreReads()
            throws Exception {
        TestClock clock = new TestClock();
        String tenant = "ail-" + UUID.randomUUID();
        TupleStore store = fresh(clock, tenant);
        // ann is a member of r; 150 subgroups under r (more than a first page), 8 under each of
        // the first 30, 2 under each of those; a project under every group; one subgroup under a
        // caveated parent edge, one under an expiring one.
        List<Relationship> data = new ArrayList<>();
        data.add(Relationship.parse("group:r#member@user:ann"));
        for (int g = 0; g < 150; g++) {
            data.add(Relationship.parse("group:d" + g + "#parent@group:r"));
            data.add(Relationship.parse("project:pd" + g + "#namespace@group:d" + g));
        }
        for (int g = 0; g < 30; g++) {
            for (int c = 0; c < 8; c++) {
                String mid = "m" + g + "-" + c;
                data.add(Relationship.parse("group:" + mid + "#parent@group:d" + g));
                data.add(Relationship.parse("project:p" + mid + "#namespace@group:" + mid));
                for (int t = 0; t < 2; t++) {
                    String low = "l" + g + "-" + c + "-" + t;
                    data.add(Relationship.parse("group:" + low + "#parent@group:" + mid));
                    data.add(Relationship.parse("project:p" + low + "#namespace@group:" + low));
                }
            }
        }
        data.add(Relationship.parse("group:cav#parent@group:m4-2[weekday]"));
        data.add(Relationship.parse("group:exp#parent@group:l7-1-0[expiration:"
                + clock.instant().plus(Duration.ofHours(1)) + "]"));
        store.bulkImport(tenant, data.iterator());
        Revision at = store.write(tenant, List.of(RelationshipUpdate.touch(
                Relationship.parse("group:late#parent@group:d3"))));
        SubjectRef ann = SubjectRef.parse("user:ann");
        try (GraphCheckEngine off = new GraphCheckEngine(store);
                GraphCheckEngine on = new GraphCheckEngine(store, EngineOptions.DEFAULTS.withGroupIndex(WAITING))) {
            List<String> expected = all(off, tenant, at, "project", "view", ann, Map.of());
            int readsOff = off.lastStoreCalls();
            assertThat(expected).hasSize(150 + 30 * 8 * 3);
            assertThat(all(on, tenant, at, "project", "view", ann, Map.of())).isEqualTo(expected);
            int readsOn = on.lastStoreCalls();
            assertThat(readsOn).as("store reads with the index (%d without)", readsOff).isLessThan(readsOff);
            List<String> groups = all(off, tenant, at, "group", "view", ann, Map.of());
            assertThat(groups).as("r, its subgroups, late, cav (conditional), exp").hasSize(1 + 150 + 30 * 8 * 3 + 3);
            assertThat(all(on, tenant, at, "group", "view", ann, Map.of())).isEqualTo(groups);
            for (int limit : new int[] {37, 100, 101}) {
                assertThat(paged(on, off, tenant, at, "project", "view", ann, Map.of(), limit)).as("pages of %d", limit)
                        .isEqualTo(expected);
                assertThat(paged(off, on, tenant, at, "group", "view", ann, Map.of(), limit)).as("pages of %d", limit)
                        .isEqualTo(groups);
            }
            GroupIndexes index = on.groupIndex().orElseThrow();
            assertThat(index.arrowLookupStepsAnswered()).as("steps over parent from the index").isPositive();
            assertThat(index.arrowLookupStepsLeft()).as("the pages reaching the caveated and expiring edges")
                    .isPositive();
            // Past the expiration neither the store nor the index names exp any more.
            clock.advance(Duration.ofHours(2));
            Revision later = store.write(tenant, List.of(RelationshipUpdate.touch(
                    Relationship.parse("group:other#member@user:bob"))));
            List<String> afterExpiry = all(off, tenant, later, "group", "view", ann, Map.of());
            assertThat(afterExpiry).hasSize(groups.size() - 1);
            assertThat(all(on, tenant, later, "group", "view", ann, Map.of())).isEqualTo(afterExpiry);
        }
    }

    /** {@link GroupIndexLookupContract#paged}, or the results up to an error and the error. */
    private static List<String> pages(GraphCheckEngine first, GraphCheckEngine rest, String tenant, Revision at,
            String[] lookup, SubjectRef subject, Map<String, Object> context, int limit) throws Exception {
        List<String> out = new ArrayList<>();
        String cursor = null;
        GraphCheckEngine engine = first;
        for (int n = 0; n < 10_000; n++) {
            LookupPage page;
            try {
                page = engine.lookupResources(tenant, at, lookup[0], lookup[1], subject, context, cursor, limit).get();
            } catch (java.util.concurrent.ExecutionException e) {
                out.add("error " + (e.getCause() instanceof EngineException x ? x.reason() : e.getCause()));
                return out;
            }
            page.results().forEach(r -> out.add(GroupIndexLookupContract.text(r)));
            cursor = page.next();
            if (cursor == null) {
                return out;
            }
            engine = rest;
        }
        throw new AssertionError("no end of pages");
    }

    private static Revision writeSomething(TupleStore store, String tenant, TestClock clock, Random random,
            List<Relationship> written) {
        if (random.nextInt(8) == 0) {
            clock.advance(Duration.ofMinutes(20));
        }
        List<RelationshipUpdate> updates = new ArrayList<>();
        java.util.Set<Relationship> keys = new java.util.HashSet<>();
        if (random.nextInt(4) == 0) {
            // A move: a group's parent relationships deleted, a new one written, in one revision.
            String g = "group:g" + random.nextInt(GROUPS);
            for (Relationship r : List.copyOf(written)) {
                if (r.relation().equals("parent") && r.resource().toString().equals(g) && keys.add(r.key())) {
                    updates.add(RelationshipUpdate.delete(r));
                    written.remove(r);
                }
            }
            Relationship r = Relationship.parse(g + "#parent@group:g" + random.nextInt(GROUPS));
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
        String group = "group:g" + random.nextInt(GROUPS);
        String other = "group:g" + random.nextInt(GROUPS);
        String user = "user:u" + random.nextInt(4);
        Instant soon = now.plus(Duration.ofMinutes(10 + random.nextInt(60)));
        return Relationship.parse(switch (random.nextInt(16)) {
            case 0, 1 -> group + "#member@" + user;
            case 2 -> group + "#member@" + user + "[weekday]";
            case 3 -> group + "#member@" + user + "[expiration:" + soon + "]";
            case 4 -> group + "#member@" + other;
            case 5 -> group + "#member@" + other + "#member";
            case 6 -> group + "#banned@" + user;
            case 7 -> group + "#parent@" + other + "[weekday]";
            case 8 -> group + "#parent@" + other + "[expiration:" + soon + "]";
            case 9 -> "project:p" + random.nextInt(4) + "#owner@" + user;
            case 10, 11 -> "project:p" + random.nextInt(4) + "#namespace@" + group;
            default -> group + "#parent@" + other;
        });
    }
}
