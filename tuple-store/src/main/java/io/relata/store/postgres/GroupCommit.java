package io.relata.store.postgres;

import io.relata.store.Precondition;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreException;
import io.relata.store.StoreUnavailableException;
import io.relata.store.WriteValidator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Group commit: the writes to one tenant that arrive while another group of that tenant is
 * committing wait in the tenant's queue, and the next group takes them, in queue order, into
 * one transaction at one revision.
 *
 * <p>No thread of its own: the caller whose write is at the head of the queue when the
 * tenant is free leads, that is, it takes a group from the head of the queue and hands it to
 * the {@link Committer} on its own thread; when the group has been answered it passes the
 * lead to the write now at the head of the queue, and returns. A write that finds the tenant
 * free leads at once, so a tenant with one writer at a time waits for nothing.
 *
 * <p><b>Two groups in flight.</b> The committer says when its group sends its commit (its
 * {@code committing}); the lead passes on then, not at the end: the next group is taken and
 * sent while the one before waits for its commit to be made durable, so it waits on the
 * tenant's row lock in PostgreSQL and goes on the moment that commit ends, instead of after
 * this group's answers and the hand-off. At most {@link #MAX_IN_FLIGHT} groups of a tenant
 * are in flight: a third is taken only when the oldest has been answered, so the writes that
 * arrive meanwhile wait and go together into one group instead of one commit each. Revision
 * order is commit order (the row lock); between the two groups in flight, which are both
 * unanswered, it is the order in which PostgreSQL grants them the lock, usually queue order
 * but not always (and a group whose commit fails on a statement and runs again, see
 * {@link PostgresWrites}, commits after the group that followed it). A write answered before
 * another was submitted always has the lower revision. A committer that never says so passes
 * the lead when its group has been answered.
 *
 * <p>A group holds at most {@link #MAX_GROUP_WRITES} writes and {@link #MAX_GROUP_UPDATES}
 * updates (always at least one write), and only writes whose transaction metadata is equal:
 * a revision carries one metadata, as a transaction does in SpiceDB, so a write with other
 * metadata starts the next group. At most {@link #MAX_QUEUED} writes of a tenant wait; one
 * more is refused with {@link StoreUnavailableException} (the caller may retry).
 */
final class GroupCommit {

    static final int MAX_GROUP_WRITES = 50;
    static final int MAX_GROUP_UPDATES = 1_000;
    static final int MAX_QUEUED = 1_000;
    static final int MAX_IN_FLIGHT = 2;

    /**
     * Commits a group: completes every write's {@link Pending#result}, or throws to fail them
     * all; runs {@code committing} when the group, holding the tenant's next revision, is about
     * to commit, so that the next group may start.
     */
    interface Committer {
        void commit(long tenantId, List<Pending> group, Runnable committing);
    }

    /** One write waiting for its group. */
    static final class Pending {
        final List<RelationshipUpdate> updates;
        final List<Precondition> preconditions;
        final Map<String, Object> metadata;
        final WriteValidator validator;
        final CompletableFuture<Revision> result = new CompletableFuture<>();
        private final CompletableFuture<Void> turn = new CompletableFuture<>();

        Pending(List<RelationshipUpdate> updates, List<Precondition> preconditions, Map<String, Object> metadata,
                WriteValidator validator) {
            this.updates = updates;
            this.preconditions = preconditions;
            this.metadata = metadata == null ? Map.of() : metadata;
            this.validator = validator;
        }
    }

    private static final class Queue {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        boolean leading;
        int inFlight;

        /** Gives the lead to the write at the head, if none leads and fewer than the bound are in flight. */
        void handOff() {
            Pending next = waiting.peekFirst();
            if (!leading && inFlight < MAX_IN_FLIGHT && next != null) {
                leading = true;
                next.turn.complete(null);
            }
        }
    }

    private final Committer committer;
    private final int maxQueued;
    private final Map<Long, Queue> queues = new ConcurrentHashMap<>();

    GroupCommit(Committer committer) {
        this(committer, MAX_QUEUED);
    }

    GroupCommit(Committer committer, int maxQueued) {
        this.committer = committer;
        this.maxQueued = maxQueued;
    }

    /**
     * Queues {@code write}, waits until its group committed (leading a group when its turn
     * comes), and returns its revision or throws its own error, as it is.
     *
     * @throws StoreUnavailableException when {@link #MAX_QUEUED} writes of the tenant already wait
     */
    Revision submit(long tenantId, Pending write) {
        Queue queue = queues.computeIfAbsent(tenantId, id -> new Queue());
        synchronized (queue) {
            if (queue.waiting.size() >= maxQueued) {
                throw new StoreUnavailableException("too many writes (" + queue.waiting.size() + ") are waiting to"
                        + " commit in this tenant; retry the write later");
            }
            queue.waiting.addLast(write);
            queue.handOff();
        }
        try {
            CompletableFuture.anyOf(write.result, write.turn).join();
        } catch (CompletionException answered) {
            // The write failed; its error is rethrown below.
        }
        if (!write.result.isDone()) {
            lead(tenantId, queue);
        }
        try {
            return write.result.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new StoreException("the write failed", cause);
        }
    }

    /** How many writes of the tenant wait (the one being committed is no longer counted). */
    int queued(long tenantId) {
        Queue queue = queues.get(tenantId);
        if (queue == null) {
            return 0;
        }
        synchronized (queue) {
            return queue.waiting.size();
        }
    }

    /** Commits one group from the head of the queue, then passes the lead on. */
    private void lead(long tenantId, Queue queue) {
        List<Pending> group;
        synchronized (queue) {
            group = take(queue.waiting);
            queue.inFlight++;
        }
        java.util.concurrent.atomic.AtomicBoolean passed = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable passLead = () -> {
            if (passed.compareAndSet(false, true)) {
                synchronized (queue) {
                    queue.leading = false;
                    queue.handOff();
                }
            }
        };
        // The group holds other callers' writes: the leading caller's interrupt (its call was cancelled)
        // must not fail them (a pool wait for a connection would throw on it); it is restored after.
        boolean interrupted = Thread.interrupted();
        try {
            committer.commit(tenantId, group, passLead);
        } catch (RuntimeException | Error e) {
            for (Pending p : group) {
                p.result.completeExceptionally(e);
            }
        } finally {
            for (Pending p : group) {
                p.result.completeExceptionally(new StoreException("the write's group ended without an answer for it"));
            }
            passLead.run();
            synchronized (queue) {
                queue.inFlight--;
                queue.handOff();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The next group: writes from the head with the first one's metadata, within the bounds. */
    private static List<Pending> take(ArrayDeque<Pending> waiting) {
        List<Pending> group = new ArrayList<>();
        Pending first = waiting.pollFirst();
        group.add(first);
        int updates = first.updates.size();
        while (group.size() < MAX_GROUP_WRITES && !waiting.isEmpty()) {
            Pending next = waiting.peekFirst();
            if (!next.metadata.equals(first.metadata) || updates + next.updates.size() > MAX_GROUP_UPDATES) {
                break;
            }
            group.add(waiting.pollFirst());
            updates += next.updates.size();
        }
        return group;
    }
}
