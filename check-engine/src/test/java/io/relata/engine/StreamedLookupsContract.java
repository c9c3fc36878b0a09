package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lookups streamed from the engine on a real store: results reach the sink while the walk is
 * still reading, a sink that stops taking results stops the work, a page resumed from a
 * cursor checks nothing before it, and pages never repeat a resource. Each store runs this
 * through its subclass.
 */
public abstract class StreamedLookupsContract {

    protected abstract TupleStore store();

    /**
     * With a caveat that no path to {@code doc} passes through ({@code badge#holder}): a caveat
     * elsewhere in the schema must not stop the lookups of {@code doc} from streaming.
     */
    private static final String SCHEMA = """
            caveat level_ok(level int) {
                level > 2
            }
            definition user {}
            definition badge {
                relation holder: user with level_ok
                permission show = holder
            }
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
                relation viewer: user | group#member
                relation banned: user
                permission view = viewer + parent->view
                permission visible = view - banned
            }
            definition note {
                relation viewer: user | user:*
                relation banned: user
                permission visible = viewer - banned
            }
            """;

    /** Docs of user:u: 3,000 direct, 1,000 of them also through group g, 1,500 through folder f (500 only so). */
    private static final int DOCS = 3_500;

    private String tenant;
    private Revision revision;
    private GatedTupleStore gated;
    private GraphCheckEngine engine;

    @BeforeEach
    void load() {
        TupleStore store = store();
        tenant = "stream-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        List<Relationship> rows = new ArrayList<>();
        rows.add(Relationship.parse("group:g#member@user:u"));
        rows.add(Relationship.parse("folder:f#viewer@user:u"));
        for (int i = 0; i < DOCS; i++) {
            String doc = String.format("doc:d%04d", i);
            if (i < 3_000) {
                rows.add(Relationship.parse(doc + "#viewer@user:u"));
            }
            if (i < 1_000) {
                rows.add(Relationship.parse(doc + "#viewer@group:g#member"));
            }
            if (i >= 2_000) {
                rows.add(Relationship.parse(doc + "#parent@folder:f"));
            }
            if (i % 3 == 0) {
                rows.add(Relationship.parse(doc + "#banned@user:u"));
            }
        }
        for (int i = 0; i < 5; i++) {
            rows.add(Relationship.parse("note:open#viewer@user:w" + i));
        }
        rows.add(Relationship.parse("note:open#viewer@user:*"));
        rows.add(Relationship.parse("note:open#banned@user:w2"));
        revision = store.bulkImport(tenant, rows.iterator());
        gated = new GatedTupleStore(store);
        // No caches: every read the lookup needs goes to the store, where the test counts it.
        engine = new GraphCheckEngine(gated, EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0));
    }

    @AfterEach
    void close() {
        gated.open();
        engine.close();
    }

    private List<String> all(String permission) {
        List<String> out = new ArrayList<>();
        engine.streamResources(tenant, revision, "doc", permission, SubjectRef.parse("user:u"), Map.of(), null, 0,
                (r, cursor) -> out.add(r.id()));
        return out;
    }

    @Test
    void theFirstResults_reachTheSink_whileTheWalkIsStillReading() throws Exception {
        List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        gated.shutAfter(6);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread lookup = new Thread(() -> {
            try {
                engine.streamResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"), Map.of(), null, 0,
                        (r, cursor) -> received.add(r.id()));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        lookup.start();

        gated.awaitHeldRead();
        // The seventh read is held at the gate: the lookup is not over, and results are already out.
        assertThat(lookup.isAlive()).isTrue();
        int early = received.size();
        assertThat(early).isPositive().isLessThan(DOCS);

        gated.open();
        lookup.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(failed.get()).isNull();
        assertThat(gated.reads()).as("the whole lookup needs more reads than were let through").isGreaterThan(7);
        assertThat(received).hasSize(DOCS).doesNotHaveDuplicates();
    }

    @Test
    void aCaveatOffTheWalk_leavesTheLookupStreaming() throws Exception {
        // The schema declares a caveat, on badge#holder, which no path to doc#visible crosses.
        List<String> received = java.util.Collections.synchronizedList(new ArrayList<>());
        gated.shutAfter(5);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread lookup = new Thread(() -> {
            try {
                engine.streamResources(tenant, revision, "doc", "visible", SubjectRef.parse("user:u"), Map.of(), null,
                        0, (r, cursor) -> received.add(r.id()));
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        lookup.start();

        gated.awaitHeldRead();
        // A read is held: the walk is not over, and checked results have already reached the sink.
        assertThat(lookup.isAlive()).isTrue();
        assertThat(received).isNotEmpty().hasSizeLessThan(DOCS - (DOCS + 2) / 3);

        gated.open();
        lookup.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(failed.get()).isNull();
        assertThat(received).hasSize(DOCS - (DOCS + 2) / 3).doesNotHaveDuplicates();
    }

    @Test
    void aSinkThatStopsTakingResults_holdsTheWork_andEndingItEndsTheWork() throws Exception {
        int fullReads = readsOf(() -> all("view"));
        CountDownLatch inSink = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        int[] readsWhileHeld = new int[1];
        int before = gated.reads();
        int[] taken = new int[1];
        Thread lookup = new Thread(() -> engine.streamResources(tenant, revision, "doc", "view",
                SubjectRef.parse("user:u"), Map.of(), null, 0, (r, cursor) -> {
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
        readsWhileHeld[0] = gated.reads() - before;
        release.countDown();
        lookup.join(TimeUnit.SECONDS.toMillis(60));

        // While the first result waits in the sink, the lookup has read a few pages, not the
        // whole answer; once the sink says stop, it reads nothing more and sends nothing more.
        assertThat(readsWhileHeld[0]).isLessThan(fullReads / 2);
        assertThat(gated.reads() - before).isEqualTo(readsWhileHeld[0]);
        assertThat(taken[0]).isEqualTo(1);
    }

    private int readsOf(Runnable work) {
        int before = gated.reads();
        work.run();
        return gated.reads() - before;
    }

    @Test
    void aResumedPage_checksNoCandidateBeforeItsCursor() {
        // `visible` has an exclusion: every candidate is checked, so checks count candidates.
        long start = engine.lookupChecks();
        List<String> full = all("visible");
        long fullChecks = engine.lookupChecks() - start;
        assertThat(full).hasSize(DOCS - (DOCS + 2) / 3);
        assertThat(fullChecks).isEqualTo(DOCS);

        List<String> paged = new ArrayList<>();
        List<Long> checksPerPage = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            long before = engine.lookupChecks();
            String[] last = new String[1];
            engine.streamResources(tenant, revision, "doc", "visible", SubjectRef.parse("user:u"), Map.of(), cursor, 50,
                    (r, c) -> {
                        paged.add(r.id());
                        last[0] = c;
                        return true;
                    });
            checksPerPage.add(engine.lookupChecks() - before);
            cursor = last[0];
        }

        assertThat(paged).isEqualTo(full.subList(0, 500));
        // 50 results take about 75 candidates (a third are banned), in batches of at most 50;
        // a page that re-checked what came before would check 75 more for every page before it.
        assertThat(checksPerPage).allSatisfy(checks -> assertThat(checks).isBetween(50L, 125L));
    }

    @Test
    void theReplayOfAFarCursor_isNotChargedToTheResumedPagesDeadline() throws Exception {
        List<String> full = all("view");
        String[] cursor = new String[1];
        engine.streamResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"), Map.of(), null, 1_000,
                (r, c) -> {
                    cursor[0] = c;
                    return true;
                });
        // An engine whose deadline is shorter than the time the replay of that cursor is held up.
        long deadlineMillis = 500;
        GraphCheckEngine strict = new GraphCheckEngine(gated, EngineOptions.DEFAULTS.withCacheSize(0)
                .withRelationshipCacheSize(0).withDeadline(java.time.Duration.ofMillis(deadlineMillis)));
        List<String> resumed = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try {
            gated.shutAfter(0);
            Thread lookup = new Thread(() -> {
                try {
                    strict.streamResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"), Map.of(),
                            cursor[0], 50, (r, c) -> resumed.add(r.id()));
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            lookup.start();
            // The resumed page's first read is the replay's (nothing is checked before the cursor).
            gated.awaitHeldRead();
            Thread.sleep(2 * deadlineMillis);
            gated.open();
            lookup.join(TimeUnit.SECONDS.toMillis(60));
        } finally {
            strict.close();
        }
        assertThat(failed.get()).isNull();
        assertThat(resumed).isEqualTo(full.subList(1_000, 1_050));
    }

    @Test
    void pagesThroughManyPaths_giveEachResourceOnce_andTheWholeAnswer() throws Exception {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < DOCS; i++) {
            expected.add(String.format("d%04d", i));
        }
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            LookupPage page = engine.lookupResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"),
                    Map.of(), cursor, 97).get();
            assertThat(page.results().size()).isLessThanOrEqualTo(97);
            page.results().forEach(r -> paged.add(r.id()));
            cursor = page.next();
            pages++;
        } while (cursor != null && pages < 100);

        assertThat(paged).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(paged).isEqualTo(all("view"));
    }

    @Test
    void pagesResumedFromTheLastCursor_continueThePausedWalk_readingNothingTwice() {
        int before = gated.reads();
        List<String> full = all("view");
        int fullReads = gated.reads() - before;

        long resumedBefore = engine.lookupPagesResumed();
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        before = gated.reads();
        do {
            String[] last = new String[1];
            int[] got = new int[1];
            engine.streamResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"), Map.of(), cursor, 50,
                    (r, c) -> {
                        paged.add(r.id());
                        last[0] = c;
                        got[0]++;
                        return true;
                    });
            cursor = got[0] == 50 ? last[0] : null;
            pages++;
        } while (cursor != null && pages < 200);
        int pagedReads = gated.reads() - before;

        assertThat(paged).isEqualTo(full);
        // Every page after the first continued the walk the page before it paused: together they read
        // what one walk reads. Replaying each page's walk up to its cursor would read 70 times as much.
        assertThat(engine.lookupPagesResumed() - resumedBefore).isEqualTo(pages - 1);
        assertThat(pagedReads).isLessThanOrEqualTo(fullReads);
    }

    @Test
    void manySmallPagesNeverResumed_keepAtMost500PausedWalks() {
        for (int i = 0; i < 600; i++) {
            page("view", null, 1);
        }
        assertThat(engine.lookupWalksPaused()).isLessThanOrEqualTo(500);
    }

    @Test
    void aCursorResumedTwice_orAnEarlierResultsCursor_replaysTheWalk_withTheSameResults() {
        List<String> full = all("visible");
        List<String> cursors = new ArrayList<>();
        engine.streamResources(tenant, revision, "doc", "visible", SubjectRef.parse("user:u"), Map.of(), null, 40,
                (r, c) -> cursors.add(c));
        String lastOfPage = cursors.get(39);
        String earlier = cursors.get(9);
        long replayedBefore = engine.lookupPagesReplayed();

        List<String> first = page("visible", lastOfPage, 30);
        List<String> again = page("visible", lastOfPage, 30); // the paused walk has moved on: replayed
        List<String> fromEarlier = page("visible", earlier, 30);

        assertThat(first).isEqualTo(full.subList(40, 70));
        assertThat(again).isEqualTo(first);
        assertThat(fromEarlier).isEqualTo(full.subList(10, 40));
        assertThat(engine.lookupPagesReplayed() - replayedBefore).isEqualTo(2);
        // Another subject's lookup cannot take the paused walk: its own walk names no such place.
        String paused = cursors.get(39);
        assertThatThrownBy(() -> engine.streamResources(tenant, revision, "doc", "visible",
                SubjectRef.parse("user:someone-else"), Map.of(), paused, 5, (r, c) -> true))
                .isInstanceOf(EngineException.class);
    }

    private List<String> page(String permission, String cursor, int limit) {
        List<String> out = new ArrayList<>();
        engine.streamResources(tenant, revision, "doc", permission, SubjectRef.parse("user:u"), Map.of(), cursor, limit,
                (r, c) -> out.add(r.id()));
        return out;
    }

    @Test
    void cursorsThatNameNoPlaceInTheLookup_areRefused() {
        String[] cursor = new String[1];
        engine.streamResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"), Map.of(), null, 3,
                (r, c) -> {
                    cursor[0] = c;
                    return true;
                });
        for (String bad : List.of("garbage", "-1:d0001", "3:", cursor[0].replaceFirst("\\d+:", "4:"),
                "99999999:d0001")) {
            assertThatThrownBy(() -> engine.streamResources(tenant, revision, "doc", "view", SubjectRef.parse("user:u"),
                    Map.of(), bad, 3, (r, c) -> true)).as(bad).isInstanceOfSatisfying(EngineException.class,
                            e -> assertThat(e.reason()).isEqualTo(EngineException.Reason.INVALID_ARGUMENT));
        }
    }

    @Test
    void lookupSubjects_pagesByConcreteLimit_withTheWildcardOnce() {
        List<String> seen = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 5; page++) {
            List<String> ids = new ArrayList<>();
            String[] last = new String[1];
            engine.streamSubjects(tenant, revision, ObjectRef.parse("note:open"), "visible", "user", null, Map.of(),
                    cursor, 2, (s, c) -> {
                        ids.add(s.id());
                        last[0] = c;
                        return true;
                    });
            assertThat(ids.stream().filter(id -> !id.equals("*"))).hasSizeLessThanOrEqualTo(2);
            seen.addAll(ids);
            if (last[0] == null) {
                break;
            }
            cursor = last[0];
        }
        // user:* leaves out w2 (banned); w2 is no concrete result either.
        assertThat(seen).containsExactly("*", "w0", "w1", "w3", "w4");
        assertThatThrownBy(() -> engine.streamSubjects(tenant, revision, ObjectRef.parse("note:open"), "visible", "user",
                null, Map.of(), "w1", 2, (s, c) -> true)).isInstanceOf(EngineException.class);
    }
}
