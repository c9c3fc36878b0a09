package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Several writers and readers at once, for a few seconds, on one tenant. Afterwards the
 * writers' logs are replayed in revision order, and every snapshot a reader took at
 * revision R must equal the replayed state at R: so revisions follow commit order, no
 * write is lost or seen half-applied, and reads at a revision are repeatable.
 */
public abstract class ConcurrencyContract {

    protected abstract TupleStore newStore(StoreOptions options);

    /** A committed write: its revision, and its place in the order the store applied writes (its validator's turn). */
    private record Write(long revision, long applied, List<RelationshipUpdate> updates) {}

    private record Snapshot(long revision, List<String> relationships) {}

    @Test
    void concurrentWritersAndReaders_seeCommitOrderedRepeatableRevisions() throws Exception {
        try (TupleStore store = newStore(StoreOptions.DEFAULTS)) {
            // Warm up (connections, first plans, the first caveat context encoded as JSON) on
            // another tenant, so that the timed window below measures writes, not a cold start:
            // on a loaded machine the first JSON encoding alone can take seconds, and a write
            // to a tenant without a schema encodes while it holds the tenant's revision row.
            String warmUp = "t-" + UUID.randomUUID();
            store.createTenant(warmUp);
            store.write(warmUp, List.of(RelationshipUpdate.touch(Relationship.parse("doc:d0#viewer@user:u0")
                    .withCaveat(new Caveat("mark", Map.of("w", 0, "s", 0))))));
            readAll(store, warmUp, store.headRevision(warmUp));
            String tenant = "t-" + UUID.randomUUID();
            store.createTenant(tenant);
            ConcurrentLinkedQueue<Write> writes = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Snapshot> snapshots = new ConcurrentLinkedQueue<>();
            java.util.concurrent.atomic.AtomicLong order = new java.util.concurrent.atomic.AtomicLong();
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<?>> tasks = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                int writer = w;
                tasks.add(pool.submit(() -> {
                    Random random = new Random(writer);
                    int seq = 0;
                    while (System.nanoTime() < deadline) {
                        List<RelationshipUpdate> updates = new ArrayList<>();
                        TreeSet<String> keys = new TreeSet<>();
                        int size = 1 + random.nextInt(5);
                        while (keys.size() < size) {
                            keys.add("doc:d" + random.nextInt(12) + "#viewer@user:u" + random.nextInt(6));
                        }
                        for (String key : keys) {
                            Relationship r = Relationship.parse(key);
                            updates.add(random.nextInt(4) == 0
                                    ? RelationshipUpdate.delete(r)
                                    : RelationshipUpdate.touch(r.withCaveat(
                                            new Caveat("mark", Map.of("w", writer, "s", seq)))));
                        }
                        seq++;
                        // The validator runs under the write lock, in the order writes apply
                        // (several may share a revision when the store groups them): this tenant
                        // has no schema, so PostgreSQL takes the lock before any validator runs.
                        long[] applied = new long[1];
                        Revision revision = store.write(tenant, updates, List.of(), Map.of(),
                                context -> applied[0] = order.incrementAndGet());
                        writes.add(new Write(revision.value(), applied[0], updates));
                    }
                    return null;
                }));
            }
            for (int r = 0; r < 3; r++) {
                int reader = r;
                tasks.add(pool.submit(() -> {
                    Random random = new Random(100 + reader);
                    long last = 0;
                    while (System.nanoTime() < deadline) {
                        Revision at = store.headRevision(tenant);
                        assertThat(at.value()).as("the head never goes back").isGreaterThanOrEqualTo(last);
                        last = at.value();
                        List<String> first = readAll(store, tenant, at);
                        List<String> again = readAll(store, tenant, at);
                        assertThat(again).as("a read at revision %s is repeatable", at).isEqualTo(first);
                        String resource = "d" + random.nextInt(12);
                        List<String> batch = store.subjectsOf(tenant, at, "doc", List.of(resource), "viewer").stream()
                                .map(Relationship::toString).sorted().toList();
                        assertThat(batch).isEqualTo(first.stream().filter(s -> s.startsWith("doc:" + resource + "#")).toList());
                        snapshots.add(new Snapshot(at.value(), first));
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
            pool.shutdown();

            List<Write> ordered = new ArrayList<>(writes);
            ordered.sort((a, b) -> Long.compare(a.applied, b.applied));
            assertThat(ordered).as("some writes happened").hasSizeGreaterThan(10);
            long current = 0;
            for (Write w : ordered) {
                if (w.revision != current) {
                    assertThat(w.revision).as("revisions follow the order writes applied in, 1..N: none lost")
                            .isEqualTo(++current);
                }
            }
            assertThat(ordered.get(0).revision).isEqualTo(1);
            TreeMap<Long, List<Snapshot>> byRevision = new TreeMap<>();
            snapshots.forEach(s -> byRevision.computeIfAbsent(s.revision, k -> new ArrayList<>()).add(s));
            assertThat(snapshots).as("some reads happened").hasSizeGreaterThan(10);
            Map<Relationship, Relationship> state = new HashMap<>();
            int next = 0;
            for (Map.Entry<Long, List<Snapshot>> entry : byRevision.entrySet()) {
                while (next < ordered.size() && ordered.get(next).revision <= entry.getKey()) {
                    apply(state, ordered.get(next++));
                }
                List<String> expected = state.values().stream().map(Relationship::toString).sorted().toList();
                for (Snapshot s : entry.getValue()) {
                    assertThat(s.relationships).as("the read at revision %s", entry.getKey()).isEqualTo(expected);
                }
            }
            while (next < ordered.size()) {
                apply(state, ordered.get(next++));
            }
            List<String> finalState = readAll(store, tenant, store.headRevision(tenant));
            assertThat(finalState).isEqualTo(state.values().stream().map(Relationship::toString).sorted().toList());
        }
    }

    /**
     * Writers keep adding and removing relationships whose validator refuses them once the
     * schema text in effect is "closed", while a schema writer, whose validator refuses while
     * any of them is live, retries until it can close. The validators run under the write
     * lock, so no relationship may ever be committed at a revision where "closed" is in
     * effect, and none may be left once it is.
     */
    @Test
    void validatedWritesRacingAValidatedSchemaChange_commitOnlyWhatTheStateTheyCommitOnAllows() throws Exception {
        try (TupleStore store = newStore(StoreOptions.DEFAULTS)) {
            RelationshipShape guarded = RelationshipShape.of("doc", "viewer").withSubject("group", "member", null);
            WriteValidator whileOpen = context -> {
                if (context.schema().map(v -> v.text().equals("closed")).orElse(true)) {
                    throw new IllegalStateException("closed");
                }
            };
            WriteValidator whileUnused = context -> context.findAny(guarded).ifPresent(r -> {
                throw new IllegalStateException("in use: " + r);
            });
            ExecutorService pool = Executors.newFixedThreadPool(3);
            long budget = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            List<String> violations = new ArrayList<>();
            int rounds = 0;
            int closed = 0;
            try {
                while (rounds < 200 && System.nanoTime() < budget && violations.isEmpty()) {
                    rounds++;
                    String tenant = "t-" + UUID.randomUUID();
                    store.createTenant(tenant);
                    store.writeSchema(tenant, "open");
                    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(3);
                    java.util.concurrent.atomic.AtomicBoolean isClosed = new java.util.concurrent.atomic.AtomicBoolean();
                    long roundEnd = System.nanoTime() + Duration.ofMillis(300).toNanos();
                    List<Future<?>> tasks = new ArrayList<>();
                    for (int w = 0; w < 2; w++) {
                        Relationship r = Relationship.parse("doc:d" + w + "#viewer@group:g#member");
                        tasks.add(pool.submit(() -> {
                            start.await();
                            int afterClose = 0;
                            while (System.nanoTime() < roundEnd) {
                                try {
                                    store.write(tenant, List.of(RelationshipUpdate.touch(r)), List.of(), Map.of(), whileOpen);
                                } catch (IllegalStateException refused) {
                                    // closed meanwhile
                                }
                                if (isClosed.get() && ++afterClose >= 3) {
                                    return null;
                                }
                                store.write(tenant, List.of(RelationshipUpdate.delete(r)));
                            }
                            return null;
                        }));
                    }
                    tasks.add(pool.submit(() -> {
                        start.await();
                        while (System.nanoTime() < roundEnd) {
                            try {
                                store.writeSchema(tenant, "closed", whileUnused);
                                isClosed.set(true);
                                return null;
                            } catch (IllegalStateException inUse) {
                                Thread.onSpinWait();
                            }
                        }
                        return null;
                    }));
                    for (Future<?> task : tasks) {
                        task.get(30, java.util.concurrent.TimeUnit.SECONDS);
                    }
                    closed += isClosed.get() ? 1 : 0;
                    for (ChangeSet change : store.changesSince(tenant, Revision.ZERO, 100_000)) {
                        boolean closedThen = store.readSchema(tenant, change.revision()).orElseThrow().text().equals("closed");
                        change.updates().stream()
                                .filter(u -> closedThen && u.operation() != RelationshipUpdate.Operation.DELETE)
                                .forEach(u -> violations.add(u.relationship() + " at revision " + change.revision()));
                    }
                    Revision head = store.headRevision(tenant);
                    if (store.readSchema(tenant, head).orElseThrow().text().equals("closed")) {
                        readAll(store, tenant, head).forEach(r -> violations.add(r + " live at the head"));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(violations).as("relationships committed while closed, after %d rounds", rounds).isEmpty();
            assertThat(closed).as("rounds that closed, of %d", rounds).isGreaterThan(rounds / 4);
        }
    }

    private static void apply(Map<Relationship, Relationship> state, Write write) {
        for (RelationshipUpdate u : write.updates) {
            if (u.operation() == RelationshipUpdate.Operation.DELETE) {
                state.remove(u.relationship().key());
            } else {
                state.put(u.relationship().key(), u.relationship());
            }
        }
    }

    private static List<String> readAll(TupleStore store, String tenant, Revision at) {
        List<String> out = new ArrayList<>();
        Cursor cursor = null;
        do {
            RelationshipPage page = store.read(tenant, RelationshipFilter.ofType("doc"), at, cursor, 25);
            page.relationships().forEach(r -> out.add(r.toString()));
            cursor = page.next();
        } while (cursor != null);
        Collections.sort(out);
        return out;
    }
}
