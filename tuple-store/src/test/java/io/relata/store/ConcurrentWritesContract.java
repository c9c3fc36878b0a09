package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many writes to one tenant at once. A store may commit writes that wait for one another in
 * one transaction at one revision ({@link #groupsWrites()}); either way each write keeps its
 * own preconditions, validation and outcome, applies after the writes before it, and gets a
 * revision that includes it and everything before it.
 *
 * <p>Some tests line writes up behind a write whose validator blocks (it holds the tenant's
 * write lock, or in PostgreSQL the lead of the tenant's group commit, since a validator may
 * run there before the row lock is taken): the writes queued behind it then commit together
 * where the store groups writes, and one after another where it does not.
 */
public abstract class ConcurrentWritesContract {

    protected abstract TupleStore newStore(StoreOptions options);

    /** Whether writes that wait behind another commit together, at one revision. */
    protected abstract boolean groupsWrites();

    private TupleStore store;
    private ExecutorService pool;
    private String tenant;

    @BeforeEach
    void open() {
        store = newStore(StoreOptions.DEFAULTS);
        pool = Executors.newCachedThreadPool();
        tenant = "t-" + UUID.randomUUID();
        store.createTenant(tenant);
    }

    @AfterEach
    void close() {
        pool.shutdownNow();
        store.close();
    }

    private static RelationshipUpdate touch(String r) {
        return RelationshipUpdate.touch(Relationship.parse(r));
    }

    private static RelationshipUpdate delete(String r) {
        return RelationshipUpdate.delete(Relationship.parse(r));
    }

    private Set<String> live() {
        Set<String> out = new TreeSet<>();
        Cursor cursor = null;
        do {
            RelationshipPage page = store.read(tenant, RelationshipFilter.ofType("doc"), store.headRevision(tenant), cursor,
                    500);
            page.relationships().forEach(r -> out.add(r.toString()));
            cursor = page.next();
        } while (cursor != null);
        return out;
    }

    private static Throwable failure(Future<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    @Test
    void manyWritersWithPreconditions_exactlyThoseWhosePreconditionHoldsCommit_wholly() throws Exception {
        List<RelationshipUpdate> gates = new ArrayList<>();
        for (int i = 0; i < 40; i += 2) {
            gates.add(touch("doc:gate#viewer@user:k" + i));
        }
        store.write(tenant, gates);
        int writers = 40;
        CyclicBarrier start = new CyclicBarrier(writers);
        AtomicLong order = new AtomicLong();
        List<Future<long[]>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            int w = i;
            results.add(pool.submit(() -> {
                start.await();
                long[] applied = new long[1];
                Revision r = store.write(tenant, List.of(touch("doc:w" + w + "#viewer@user:a"),
                        touch("doc:w" + w + "#editor@user:a")),
                        List.of(Precondition.mustMatch(new RelationshipFilter("doc", "gate", null, "viewer",
                                new SubjectFilter("user", "k" + w, null)))),
                        Map.of(), context -> applied[0] = order.incrementAndGet());
                return new long[] {r.value(), applied[0]};
            }));
        }
        List<long[]> committed = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            if (i % 2 == 0) {
                long[] r = results.get(i).get(30, TimeUnit.SECONDS);
                committed.add(r);
                Revision at = Revision.of(r[0]);
                assertThat(store.read(tenant, RelationshipFilter.of("doc", "w" + i, null), at, null, 10).relationships())
                        .as("writer %d's token sees its own write", i).hasSize(2);
            } else {
                assertThat(failure(results.get(i))).as("writer %d", i).isInstanceOf(PreconditionFailedException.class);
            }
        }
        Set<String> expected = new TreeSet<>();
        for (RelationshipUpdate g : gates) {
            expected.add(g.relationship().toString());
        }
        for (int i = 0; i < writers; i += 2) {
            expected.add("doc:w" + i + "#editor@user:a");
            expected.add("doc:w" + i + "#viewer@user:a");
        }
        assertThat(live()).as("exactly the writes whose precondition held, each whole").isEqualTo(expected);
        committed.sort((a, b) -> Long.compare(a[1], b[1]));
        for (int i = 1; i < committed.size(); i++) {
            assertThat(committed.get(i)[0]).as("revisions follow the order writes applied in")
                    .isGreaterThanOrEqualTo(committed.get(i - 1)[0]);
        }
        assertThat(committed.get(committed.size() - 1)[0]).isEqualTo(store.headRevision(tenant).value());
    }

    /**
     * 16 writers, each writing new relationships one TOUCH at a time without preconditions
     * (so writes of one store go in groups, several in flight): a write answered before another
     * was sent has the lower revision, and reading at a write's revision sees exactly the writes
     * at that revision or before, its own included.
     */
    @Test
    void manyPlainWriters_revisionsFollowRealTime_andEachTokenSeesExactlyWhatCommittedBefore() throws Exception {
        int writers = 16;
        int each = 25;
        AtomicLong clock = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Future<List<long[]>>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            int w = i;
            results.add(pool.submit(() -> {
                start.await();
                List<long[]> mine = new ArrayList<>();
                for (int k = 0; k < each; k++) {
                    long sent = clock.incrementAndGet();
                    Revision r = store.write(tenant, List.of(touch("doc:p" + w + "#viewer@user:u" + k)));
                    mine.add(new long[] {sent, clock.incrementAndGet(), r.value(), w, k});
                }
                return mine;
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<List<long[]>> f : results) {
            all.addAll(f.get(60, TimeUnit.SECONDS));
        }
        // Real time: the highest revision answered before each write was sent is below its own.
        List<long[]> byAnswer = new ArrayList<>(all);
        byAnswer.sort((a, b) -> Long.compare(a[1], b[1]));
        List<long[]> bySent = new ArrayList<>(all);
        bySent.sort((a, b) -> Long.compare(a[0], b[0]));
        long highestAnswered = 0;
        int answered = 0;
        for (long[] write : bySent) {
            while (answered < byAnswer.size() && byAnswer.get(answered)[1] < write[0]) {
                highestAnswered = Math.max(highestAnswered, byAnswer.get(answered)[2]);
                answered++;
            }
            assertThat(write[2]).as("write p%d/%d sent after revision %d was answered", write[3], write[4],
                    highestAnswered).isGreaterThan(highestAnswered);
        }
        // Each revision: reading at it sees exactly the writes at it or before.
        Map<Long, Set<String>> upTo = new java.util.TreeMap<>();
        for (long[] write : all) {
            upTo.computeIfAbsent(write[2], r -> new TreeSet<>()).add("doc:p" + write[3] + "#viewer@user:u" + write[4]);
        }
        Set<String> before = new TreeSet<>();
        for (Map.Entry<Long, Set<String>> e : upTo.entrySet()) {
            before.addAll(e.getValue());
            Set<String> seen = new TreeSet<>();
            Cursor cursor = null;
            do {
                RelationshipPage page = store.read(tenant, RelationshipFilter.ofType("doc"), Revision.of(e.getKey()),
                        cursor, 500);
                page.relationships().forEach(r -> seen.add(r.toString()));
                cursor = page.next();
            } while (cursor != null);
            assertThat(seen).as("what revision %d sees", e.getKey()).isEqualTo(before);
        }
        assertThat(before).hasSize(writers * each);
    }

    @Test
    void manyWritersRacingForOneSlot_onlyTheFirstWins_laterWritesSeeEarlierOnes() throws Exception {
        int writers = 30;
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Future<Revision>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            int w = i;
            results.add(pool.submit(() -> {
                start.await();
                return store.write(tenant, List.of(touch("doc:slot#owner@user:u" + w)),
                        List.of(Precondition.mustNotMatch(RelationshipFilter.of("doc", "slot", "owner"))), Map.of());
            }));
        }
        int won = 0;
        for (Future<Revision> f : results) {
            Throwable t = failure(f);
            if (t == null) {
                won++;
            } else {
                assertThat(t).isInstanceOf(PreconditionFailedException.class);
            }
        }
        assertThat(won).isEqualTo(1);
        assertThat(live()).hasSize(1);
    }

    /** Runs {@code write} on another thread and returns once that thread waits behind the tenant's current write. */
    private <T> Future<T> queued(Callable<T> write) throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<T> f = pool.submit(() -> {
            thread.set(Thread.currentThread());
            return write.call();
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int waitingChecks = 0;
        while (waitingChecks < 5 && System.nanoTime() < deadline) {
            Thread t = thread.get();
            Thread.State s = t == null ? Thread.State.NEW : t.getState();
            waitingChecks = s == Thread.State.WAITING || s == Thread.State.BLOCKED ? waitingChecks + 1 : 0;
            Thread.sleep(10);
        }
        assertThat(f.isDone()).as("the write waits behind the blocked one").isFalse();
        return f;
    }

    /** Starts a write whose validator holds the tenant's write lock until {@code release} counts down. */
    private Future<Revision> blocker(CountDownLatch release) throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        Future<Revision> f = pool.submit(() -> store.write(tenant, List.of(touch("doc:blocker#viewer@user:b")), List.of(),
                Map.of(), context -> {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        return f;
    }

    @Test
    void touchThenDeleteOfOneRelationship_queuedTogether_endDeletedAsIfSequential() throws Exception {
        store.write(tenant, List.of(touch("doc:d#viewer@user:x"), touch("doc:e#viewer@user:y")));
        CountDownLatch release = new CountDownLatch(1);
        Future<Revision> first = blocker(release);
        Future<Revision> touched = queued(() -> store.write(tenant, List.of(
                RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:x").withCaveat(new Caveat("c", Map.of()))),
                touch("doc:new#viewer@user:z"))));
        Future<Revision> deleted = queued(() -> store.write(tenant, List.of(delete("doc:d#viewer@user:x"),
                delete("doc:new#viewer@user:z"))));
        Future<Revision> touchedAgain = queued(() -> store.write(tenant, List.of(touch("doc:e#viewer@user:y"))));
        Future<Revision> deletedAgain = queued(() -> store.write(tenant, List.of(delete("doc:e#viewer@user:y"))));
        Future<Revision> back = queued(() -> store.write(tenant, List.of(touch("doc:e#viewer@user:y"))));
        release.countDown();
        Revision before = first.get(30, TimeUnit.SECONDS);
        Revision last = back.get(30, TimeUnit.SECONDS);
        List<Revision> all = List.of(touched.get(), deleted.get(), touchedAgain.get(), deletedAgain.get(), last);
        if (groupsWrites()) {
            assertThat(all).as("the queued writes commit together").containsOnly(last);
        } else {
            assertThat(all).isSorted().doesNotHaveDuplicates();
        }
        assertThat(live()).containsExactly("doc:blocker#viewer@user:b", "doc:e#viewer@user:y");
        assertThat(store.read(tenant, RelationshipFilter.of("doc", "d", null), before, null, 10).relationships())
                .as("before the group").hasSize(1);
        // The change log, replayed, ends where the writes left: d and new deleted, e live.
        Map<String, RelationshipUpdate.Operation> net = new java.util.TreeMap<>();
        for (ChangeSet c : store.changesSince(tenant, before, 100)) {
            for (RelationshipUpdate u : c.updates()) {
                net.put(u.relationship().key().toString(), u.operation());
            }
        }
        assertThat(net).containsEntry("doc:d#viewer@user:x", RelationshipUpdate.Operation.DELETE)
                .containsEntry("doc:e#viewer@user:y", RelationshipUpdate.Operation.TOUCH)
                .doesNotContainEntry("doc:new#viewer@user:z", RelationshipUpdate.Operation.TOUCH);
    }

    @Test
    void failingWritesInAGroup_failAlone_withTheirOwnErrors_andWatchGivesEveryUpdateOfTheOthers() throws Exception {
        store.write(tenant, List.of(touch("doc:exists#viewer@user:x")));
        CountDownLatch release = new CountDownLatch(1);
        Future<Revision> first = blocker(release);
        IllegalStateException refusal = new IllegalStateException("refused by the validator");
        Future<Revision> a = queued(() -> store.write(tenant, List.of(touch("doc:a#viewer@user:1"),
                touch("doc:a#viewer@user:2"))));
        Future<Revision> refused = queued(() -> store.write(tenant, List.of(touch("doc:refused#viewer@user:1")), List.of(),
                Map.of(), context -> {
                    throw refusal;
                }));
        Future<Revision> exists = queued(() -> store.write(tenant, List.of(touch("doc:partial#viewer@user:1"),
                RelationshipUpdate.create(Relationship.parse("doc:exists#viewer@user:x")))));
        Future<Revision> unmet = queued(() -> store.write(tenant, List.of(touch("doc:unmet#viewer@user:1")),
                List.of(Precondition.mustMatch(RelationshipFilter.of("doc", "nothing", null))), Map.of()));
        Future<Revision> b = queued(() -> store.write(tenant, List.of(touch("doc:b#viewer@user:1"),
                delete("doc:exists#viewer@user:x"))));
        release.countDown();
        Revision before = first.get(30, TimeUnit.SECONDS);
        assertThat(failure(refused)).isSameAs(refusal);
        assertThat(failure(exists)).isInstanceOf(AlreadyExistsException.class);
        assertThat(failure(unmet)).isInstanceOf(PreconditionFailedException.class);
        Revision ra = a.get();
        Revision rb = b.get();
        if (groupsWrites()) {
            assertThat(rb).as("one revision for the group").isEqualTo(ra);
        }
        assertThat(live()).containsExactly("doc:a#viewer@user:1", "doc:a#viewer@user:2", "doc:b#viewer@user:1",
                "doc:blocker#viewer@user:b");
        List<String> watched = new ArrayList<>();
        for (ChangeSet c : store.changesSince(tenant, before, 100)) {
            c.updates().forEach(u -> watched.add(u.operation() + " " + u.relationship().key()));
        }
        assertThat(watched).containsExactlyInAnyOrder("TOUCH doc:a#viewer@user:1", "TOUCH doc:a#viewer@user:2",
                "TOUCH doc:b#viewer@user:1", "DELETE doc:exists#viewer@user:x");
        assertThat(store.headRevision(tenant)).isEqualTo(rb);
    }

    @Test
    void writesWithDifferentMetadata_neverShareARevision_equalOnesMay() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Future<Revision> first = blocker(release);
        Map<String, Object> m1 = Map.of("job", "one");
        Map<String, Object> m2 = Map.of("job", "two");
        Future<Revision> a = queued(() -> store.write(tenant, List.of(touch("doc:a#viewer@user:1")), List.of(), m1));
        Future<Revision> b = queued(() -> store.write(tenant, List.of(touch("doc:b#viewer@user:1")), List.of(), m1));
        Future<Revision> c = queued(() -> store.write(tenant, List.of(touch("doc:c#viewer@user:1")), List.of(), m2));
        Future<Revision> d = queued(() -> store.write(tenant, List.of(touch("doc:d#viewer@user:1")), List.of(), Map.of()));
        release.countDown();
        Revision before = first.get(30, TimeUnit.SECONDS);
        assertThat(c.get()).isNotIn(a.get(), b.get(), d.get());
        assertThat(d.get()).isNotIn(a.get(), b.get());
        if (groupsWrites()) {
            assertThat(b.get()).isEqualTo(a.get());
        }
        Map<Revision, Map<String, Object>> metadata = new java.util.HashMap<>();
        for (ChangeSet cs : store.changesSince(tenant, before, 100)) {
            metadata.put(cs.revision(), cs.metadata());
        }
        assertThat(metadata.get(a.get())).isEqualTo(m1);
        assertThat(metadata.get(b.get())).isEqualTo(m1);
        assertThat(metadata.get(c.get())).isEqualTo(m2);
        assertThat(metadata.get(d.get())).isEmpty();
    }

    @Test
    void aWriteThatFailsAlone_leavesNothing() {
        assertThatThrownBy(() -> store.write(tenant, List.of(touch("doc:x#viewer@user:1")),
                List.of(Precondition.mustMatch(RelationshipFilter.of("doc", "nothing", null))), Map.of()))
                .isInstanceOf(PreconditionFailedException.class);
        assertThat(live()).isEmpty();
        assertThat(store.headRevision(tenant)).isEqualTo(Revision.ZERO);
    }
}
