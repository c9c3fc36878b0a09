package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lookup subjects streamed from the engine on a real store: subjects reach the sink while the
 * walk is still reading, a sink that blocks holds the work and one that stops ends it, a
 * resumed page checks no subject before its cursor, and a concrete limit counts every subject
 * but the wildcard. Each store runs this through its subclass.
 */
public abstract class SubjectStreamContract {

    protected abstract TupleStore store();

    private static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user | group#member
            }
            definition doc {
                relation viewer: user | group#member
                relation open: user:*
                relation banned: user
                permission view = viewer
                permission visible = viewer - banned
                permission everyone = open + viewer
            }
            """;

    /** Users u00000..: USERS on doc:big#viewer directly, the last GROUP of them also (and GROUP more) through group:g. */
    private static final int USERS = 12_000;
    private static final int GROUP = 2_000;
    /** Viewers of doc:gated, all but the last 10 (in id order) banned. */
    private static final int MOSTLY_BANNED = 1_000;

    private String tenant;
    private Revision revision;
    private GatedTupleStore gated;
    private GraphCheckEngine engine;

    @BeforeEach
    void load() {
        TupleStore store = store();
        tenant = "subjects-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        List<Relationship> rows = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            rows.add(Relationship.parse(String.format("doc:big#viewer@user:u%05d", i)));
            if (i % 3 == 0) {
                rows.add(Relationship.parse(String.format("doc:big#banned@user:u%05d", i)));
            }
        }
        for (int i = USERS - GROUP; i < USERS + GROUP; i++) {
            rows.add(Relationship.parse(String.format("group:g#member@user:u%05d", i)));
        }
        rows.add(Relationship.parse("doc:big#viewer@group:g#member"));
        for (int i = 0; i < MOSTLY_BANNED; i++) {
            rows.add(Relationship.parse(String.format("doc:gated#viewer@user:a%04d", i)));
            if (i < MOSTLY_BANNED - 10) {
                rows.add(Relationship.parse(String.format("doc:gated#banned@user:a%04d", i)));
            }
        }
        rows.add(Relationship.parse("doc:big#open@user:*"));
        revision = store.bulkImport(tenant, rows.iterator());
        gated = new GatedTupleStore(store);
        engine = new GraphCheckEngine(gated, EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0));
    }

    @AfterEach
    void close() {
        gated.open();
        engine.close();
    }

    private List<String> streamed(String permission, String cursor, int limit) {
        List<String> out = new ArrayList<>();
        engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), permission, "user", null, Map.of(), cursor,
                limit, (s, c) -> out.add(s.id()));
        return out;
    }

    private List<String> whole(String permission) throws Exception {
        return engine.lookupSubjects(tenant, revision, ObjectRef.parse("doc:big"), permission, "user", null, Map.of())
                .get().stream().map(SubjectResult::id).toList();
    }

    @Test
    void aSmallLimitOverMostlyRefusedCandidates_checksThemInGrowingBatches() {
        int before = gated.reads();
        List<String> out = new ArrayList<>();
        engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:gated"), "visible", "user", null, Map.of(), null, 1,
                (s, c) -> out.add(s.id()));
        int reads = gated.reads() - before;
        assertThat(out).containsExactly(String.format("a%04d", MOSTLY_BANNED - 10));
        // Each batch's check reads the question's relationships: one batch a refused candidate would read
        // them about 1,000 times; batches that grow with the refusals, a dozen times.
        assertThat(reads).as("store reads for one result behind 990 refused candidates").isLessThan(100);
    }

    @Test
    void theFirstSubjects_reachTheSink_whileTheWalkIsStillReading() throws Exception {
        List<String> received = Collections.synchronizedList(new ArrayList<>());
        gated.shutAfter(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread lookup = new Thread(() -> {
            try {
                engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "view", "user", null, Map.of(),
                        null, 0, (s, c) -> received.add(s.id()));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        lookup.start();

        gated.awaitHeldRead();
        // The second read is held: the walk is not over, and the first page's subjects are out.
        assertThat(lookup.isAlive()).isTrue();
        assertThat(received).isNotEmpty().hasSizeLessThanOrEqualTo(SubjectWalk.FIRST_PAGE);

        gated.open();
        lookup.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(failed.get()).isNull();
        assertThat(received).hasSize(USERS + GROUP).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(whole("view"));
    }

    @Test
    void aSinkThatBlocks_holdsTheWork_andOneThatStops_endsIt() throws Exception {
        int before = gated.reads();
        streamed("view", null, 0);
        int fullReads = gated.reads() - before;
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int[] taken = new int[1];
        int start = gated.reads();
        Thread lookup = new Thread(() -> engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "view",
                "user", null, Map.of(), null, 0, (s, c) -> {
                    taken[0]++;
                    inSink.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false; // the client went away
                }));
        lookup.start();
        assertThat(inSink.await(60, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        int whileHeld = gated.reads() - start;
        release.countDown();
        lookup.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(fullReads).isGreaterThan(3);
        assertThat(whileHeld).isEqualTo(1);
        assertThat(gated.reads() - start).isEqualTo(whileHeld);
        assertThat(taken[0]).isEqualTo(1);
    }

    @Test
    void aResumedPage_checksNoSubjectBeforeItsCursor_andPagesGiveTheWholeAnswer() throws Exception {
        // `visible` has an exclusion: every subject is checked, so checks count subjects.
        long start = engine.lookupChecks();
        List<String> full = streamed("visible", null, 0);
        assertThat(engine.lookupChecks() - start).isEqualTo(USERS + GROUP);
        assertThat(full).containsExactlyInAnyOrderElementsOf(whole("visible"));

        List<String> paged = new ArrayList<>();
        List<Long> checksPerPage = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 1_000; page++) {
            long before = engine.lookupChecks();
            String[] last = new String[1];
            List<String> ids = new ArrayList<>();
            engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "visible", "user", null, Map.of(),
                    cursor, 500, (s, c) -> {
                        ids.add(s.id());
                        last[0] = c;
                        return true;
                    });
            checksPerPage.add(engine.lookupChecks() - before);
            paged.addAll(ids);
            if (ids.size() < 500) {
                break;
            }
            cursor = last[0];
        }
        assertThat(paged).isEqualTo(full);
        // 500 results take about 750 candidates (a third of the direct ones are banned), and the last batch
        // of a page may check some more than it sends; a page that re-checked what came before would check
        // 750 more for every page before it.
        assertThat(checksPerPage.subList(0, checksPerPage.size() - 1))
                .allSatisfy(checks -> assertThat(checks).isBetween(500L, 1_100L));
    }

    @Test
    void aConcreteLimit_countsEverySubjectButTheWildcard_andTheWildcardComesOnce() throws Exception {
        int before = gated.reads();
        streamed("everyone", null, 0);
        int wholeReads = gated.reads() - before;
        List<String> all = new ArrayList<>();
        String cursor = null;
        int wildcards = 0;
        for (int page = 0; page < 1_000; page++) {
            int pageStart = gated.reads();
            List<String> ids = new ArrayList<>();
            String[] last = new String[1];
            engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "everyone", "user", null, Map.of(),
                    cursor, 1_000, (s, c) -> {
                        ids.add(s.id());
                        last[0] = c;
                        return true;
                    });
            long concrete = ids.stream().filter(id -> !id.equals("*")).count();
            if (page == 0) {
                // The first page reads what its thousand subjects need, not the whole answer.
                assertThat(gated.reads() - pageStart).isLessThan(wholeReads);
            }
            wildcards += ids.size() - concrete;
            all.addAll(ids);
            if (concrete < 1_000) {
                assertThat(concrete).isEqualTo((USERS + GROUP) % 1_000);
                break;
            }
            cursor = last[0];
        }
        assertThat(wildcards).isEqualTo(1);
        assertThat(all).hasSize(USERS + GROUP + 1).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(whole("everyone"));
    }

    @Test
    void pagesResumedFromTheLastCursor_continueThePausedWalk_readingNoMoreThanOneWalk() {
        // `view` is a union: the walk proves every subject, so reads are the walk's own.
        int before = gated.reads();
        List<String> full = streamed("view", null, 0);
        int fullReads = gated.reads() - before;

        long resumedBefore = engine.lookupPagesResumed();
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        before = gated.reads();
        do {
            String[] last = new String[1];
            int[] got = new int[1];
            engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "view", "user", null, Map.of(),
                    cursor, 500, (s, c) -> {
                        paged.add(s.id());
                        last[0] = c;
                        got[0]++;
                        return true;
                    });
            cursor = got[0] == 500 ? last[0] : null;
            pages++;
        } while (cursor != null && pages < 1_000);
        int pagedReads = gated.reads() - before;

        assertThat(paged).isEqualTo(full).hasSize(USERS + GROUP);
        // Every page after the first continued the walk the page before it paused; replaying each page's
        // walk up to its cursor would read the relation's pages again for every page before it.
        assertThat(pagedReads).as("store reads of %d pages", pages).isLessThanOrEqualTo(fullReads);
        assertThat(engine.lookupPagesResumed() - resumedBefore).isEqualTo(pages - 1);
    }

    @Test
    void aCursorResumedTwice_orAnEarlierResultsCursor_replaysTheWalk_withTheSameResults() {
        List<String> full = streamed("visible", null, 0);
        List<String> cursors = new ArrayList<>();
        engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "visible", "user", null, Map.of(), null,
                40, (s, c) -> cursors.add(c));
        String lastOfPage = cursors.get(39);
        String earlier = cursors.get(9);
        long replayedBefore = engine.lookupPagesReplayed();
        long resumedBefore = engine.lookupPagesResumed();

        List<String> first = streamed("visible", lastOfPage, 30);
        List<String> again = streamed("visible", lastOfPage, 30); // the paused walk has moved on: replayed
        List<String> fromEarlier = streamed("visible", earlier, 30);

        assertThat(first).isEqualTo(full.subList(40, 70));
        assertThat(again).isEqualTo(first);
        assertThat(fromEarlier).isEqualTo(full.subList(10, 40));
        assertThat(engine.lookupPagesResumed() - resumedBefore).isEqualTo(1);
        assertThat(engine.lookupPagesReplayed() - replayedBefore).isEqualTo(2);
    }

    @Test
    void anotherLookup_cannotTakeThePausedWalk() {
        List<String> cursors = new ArrayList<>();
        engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "view", "user", null, Map.of(), null, 20,
                (s, c) -> cursors.add(c));
        String paused = cursors.get(19);
        long resumedBefore = engine.lookupPagesResumed();

        // Another permission (here the same subjects in the same order) and another context replay their own walk.
        List<String> visible = streamed("visible", paused, 5);
        List<String> withContext = new ArrayList<>();
        engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "view", "user", null, Map.of("k", 1),
                paused, 5, (s, c) -> withContext.add(s.id()));
        assertThat(engine.lookupPagesResumed() - resumedBefore).isZero();
        // The walk stayed paused for its own lookup, which continues it.
        List<String> own = streamed("view", paused, 5);
        assertThat(engine.lookupPagesResumed() - resumedBefore).isEqualTo(1);
        assertThat(own).isEqualTo(withContext).isEqualTo(streamed("view", null, 25).subList(20, 25));
        assertThat(visible).hasSize(5).allSatisfy(id -> assertThat(id).isGreaterThan("u00019"));
        // Another resource's walk names no such place.
        assertThatThrownBy(() -> engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:gated"), "view", "user",
                null, Map.of(), paused, 5, (s, c) -> true)).isInstanceOf(EngineException.class);
    }

    @Test
    void cursorsThatNameNoPlaceInTheLookup_areRefused() {
        String[] cursor = new String[1];
        engine.streamSubjects(tenant, revision, ObjectRef.parse("doc:big"), "view", "user", null, Map.of(), null, 3,
                (s, c) -> {
                    cursor[0] = c;
                    return true;
                });
        for (String bad : List.of("garbage", "after:u00001", "3:", cursor[0].replaceFirst("\\d+:", "4:"),
                "99999999:u00001")) {
            assertThatThrownBy(() -> streamed("view", bad, 3)).as(bad).isInstanceOfSatisfying(EngineException.class,
                    e -> assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT));
        }
    }
}
