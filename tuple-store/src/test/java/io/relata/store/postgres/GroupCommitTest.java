package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreUnavailableException;
import io.relata.store.WriteValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The queue of {@link GroupCommit}: bounds of a group and of the queue, and the hand-off of the lead. */
class GroupCommitTest {

    private static GroupCommit.Pending write(Map<String, Object> metadata) {
        return new GroupCommit.Pending(List.of(RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:u"))),
                List.of(), metadata, WriteValidator.NONE);
    }

    /** Commits each group at the next revision, after {@code release} when it is the first group. */
    private static final class Recording implements GroupCommit.Committer {
        final List<List<GroupCommit.Pending>> groups = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong revision = new AtomicLong();

        @Override
        public void commit(long tenantId, List<GroupCommit.Pending> group, Runnable committing) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            groups.add(group);
            Revision r = Revision.of(revision.incrementAndGet());
            group.forEach(p -> p.result.complete(r));
        }
    }

    private static void awaitQueued(GroupCommit commit, List<Future<Revision>> futures, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (commit.queued(1) < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(commit.queued(1)).isEqualTo(count);
    }

    @Test
    void writesQueuedBehindACommit_areTakenInGroupsOfAtMostTheBound_splitByMetadata() throws Exception {
        Recording committer = new Recording();
        GroupCommit commit = new GroupCommit(committer);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<Future<Revision>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            assertThat(committer.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 120; i++) {
                futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            }
            awaitQueued(commit, futures, 120);
            futures.add(pool.submit(() -> commit.submit(1, write(Map.of("other", "metadata")))));
            awaitQueued(commit, futures, 121);
            committer.release.countDown();
            for (Future<Revision> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            List<Integer> sizes = committer.groups.stream().map(List::size).toList();
            assertThat(sizes).containsExactly(1, 50, 50, 20, 1);
            assertThat(committer.groups.get(4).get(0).metadata).isEqualTo(Map.of("other", "metadata"));
            assertThat(commit.queued(1)).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFullQueue_refusesTheNextWrite_withAClearError() throws Exception {
        Recording committer = new Recording();
        GroupCommit commit = new GroupCommit(committer, 3);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<Future<Revision>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            assertThat(committer.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 3; i++) {
                futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            }
            awaitQueued(commit, futures, 3);
            assertThatThrownBy(() -> commit.submit(1, write(Map.of()))).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("too many writes");
            assertThat(commit.queued(2)).as("another tenant has its own queue").isZero();
            committer.release.countDown();
            for (Future<Revision> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(commit.submit(1, write(Map.of()))).as("a write once the queue drained").isNotNull();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCommitterThatThrows_failsItsGroup_andTheNextWriteStillCommits() {
        RuntimeException broken = new IllegalStateException("broken");
        AtomicLong calls = new AtomicLong();
        GroupCommit commit = new GroupCommit((tenant, group, committing) -> {
            if (calls.incrementAndGet() == 1) {
                throw broken;
            }
            group.forEach(p -> p.result.complete(Revision.of(7)));
        });
        assertThatThrownBy(() -> commit.submit(1, write(Map.of()))).isSameAs(broken);
        assertThat(commit.submit(1, write(Map.of()))).isEqualTo(Revision.of(7));
    }

    @Test
    void theNextGroupStarts_whenTheGroupBeforeCommits_notWhenItIsAnswered() throws Exception {
        CountDownLatch firstCommitting = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        AtomicLong calls = new AtomicLong();
        GroupCommit commit = new GroupCommit((tenant, group, committing) -> {
            long call = calls.incrementAndGet();
            order.add("start " + call);
            committing.run();
            if (call == 1) {
                firstCommitting.countDown();
                try {
                    releaseFirst.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                secondStarted.countDown();
            }
            order.add("answer " + call);
            group.forEach(p -> p.result.complete(Revision.of(call)));
        });
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            Future<Revision> first = pool.submit(() -> commit.submit(1, write(Map.of())));
            assertThat(firstCommitting.await(10, TimeUnit.SECONDS)).isTrue();
            Future<Revision> second = pool.submit(() -> commit.submit(1, write(Map.of())));
            assertThat(secondStarted.await(10, TimeUnit.SECONDS)).as("the second group ran while the first was"
                    + " still committing").isTrue();
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(Revision.of(2));
            assertThat(first.isDone()).isFalse();
            releaseFirst.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(Revision.of(1));
            assertThat(order).startsWith("start 1", "start 2");
        } finally {
            releaseFirst.countDown();
            pool.shutdownNow();
        }
    }

    /**
     * Says it commits at once, then waits for {@code release} before answering: the groups it
     * was given and how many were committing at most at one time.
     */
    private static final class Committing implements GroupCommit.Committer {
        final List<Integer> sizes = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void commit(long tenantId, List<GroupCommit.Pending> group, Runnable committing) {
            sizes.add(group.size());
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            committing.run();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            inFlight.decrementAndGet();
            group.forEach(p -> p.result.complete(Revision.of(1)));
        }
    }

    @Test
    void twoGroupsCommitAtOnce_atMost_theWritesArrivingMeanwhileWaitForOneGroup() throws Exception {
        Committing committer = new Committing();
        GroupCommit commit = new GroupCommit(committer);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            List<Future<Revision>> futures = new ArrayList<>();
            futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (committer.sizes.size() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            while (committer.sizes.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            for (int i = 0; i < 30; i++) {
                futures.add(pool.submit(() -> commit.submit(1, write(Map.of()))));
            }
            awaitQueued(commit, futures, 30);
            Thread.sleep(100);
            assertThat(committer.sizes).as("no third group while two commit").containsExactly(1, 1);
            committer.release.countDown();
            for (Future<Revision> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }
            assertThat(committer.sizes).containsExactly(1, 1, 30);
            assertThat(committer.most.get()).isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLeaderWhoseCallWasCancelled_commitsTheGroupUninterrupted_andKeepsItsInterrupt() {
        List<Boolean> seen = new CopyOnWriteArrayList<>();
        GroupCommit commit = new GroupCommit((tenant, group, committing) -> {
            // What a pool wait for a connection would see: an interrupted thread fails it.
            seen.add(Thread.currentThread().isInterrupted());
            group.forEach(p -> p.result.complete(Revision.of(1)));
        });
        Thread.currentThread().interrupt();
        Revision r;
        boolean interruptedAfter;
        try {
            r = commit.submit(1, write(Map.of()));
        } finally {
            interruptedAfter = Thread.interrupted();
        }
        assertThat(r).isEqualTo(Revision.of(1));
        assertThat(seen).containsExactly(false);
        assertThat(interruptedAfter).as("the caller's interrupt is kept").isTrue();
    }
}
