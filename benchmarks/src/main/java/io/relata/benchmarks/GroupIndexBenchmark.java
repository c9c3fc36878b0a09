package io.relata.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.index.GroupIndexOptions;
import io.relata.engine.index.GroupIndexes;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The nested-group index against the graph walk, in process on PostgreSQL, with the
 * sub-result and relationship caches off: deep NO checks (a project whose namespace is the
 * top of a chain of {@code --depth} groups nested through {@code group#member}, each level
 * with 5 sibling groups of 3 users, plus {@code --noise} other groups in the index) from 16
 * callers, index off and on; then single-membership writes (1 TOUCH or DELETE each), index
 * off and on, with the time until the index holds each write (background refresh) and the
 * cost of a check at the write's own revision right after it (the check catches the index up).
 * First (see {@link LookupTree}): lookup resources for a member of the top of a tree of
 * {@code --lookup-groups} groups, index off and on.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.relata.benchmarks.GroupIndexBenchmark \
 *     --url postgresql://postgres@127.0.0.1:5432/relata_bench_index --seconds 10
 * </pre>
 *
 * With {@code --shape arrow} the chain nests through an arrow instead ({@link #ARROW_SCHEMA}:
 * {@code group#view = member + parent->view}, each chain group's parent the one above it, 15
 * members per level, the project on the bottom group), and the noise groups form a random tree
 * through {@code parent}; NO asks for a user in no group, HAS for a member of the top group.
 *
 * The database in {@code --url} is dropped and created again.
 */
public final class GroupIndexBenchmark {

    static final String SCHEMA = """
            definition user {}

            definition group {
                relation member: user | group#member
            }

            definition project {
                relation namespace: group
                permission view = namespace->member
            }
            """;

    static final String ARROW_SCHEMA = """
            definition user {}

            definition group {
                relation parent: group
                relation member: user
                permission view = member + parent->view
            }

            definition project {
                relation namespace: group
                permission view = namespace->view
            }
            """;

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "postgresql://postgres@127.0.0.1:5432/relata_bench_index");
        int seconds = Integer.parseInt(arg(args, "--seconds", "10"));
        int depth = Integer.parseInt(arg(args, "--depth", "20"));
        int noise = Integer.parseInt(arg(args, "--noise", "20000"));
        int callers = Integer.parseInt(arg(args, "--callers", "16"));
        int writes = Integer.parseInt(arg(args, "--writes", "300"));
        boolean arrow = arg(args, "--shape", "member").equals("arrow");
        // The lookup tree nests through group#member: only with the member shape's schema.
        int lookupGroups = Integer.parseInt(arg(args, "--lookup-groups", arrow ? "0" : "100000"));
        int fanout = Integer.parseInt(arg(args, "--fanout", "10"));
        int lookupRuns = Integer.parseInt(arg(args, "--lookup-runs", "7"));
        List<String> phases = List.of(arg(args, "--phases", "lookups,checks,writes").split(","));
        try (HikariDataSource pool = BenchDatabase.fresh(PostgresConfig.fromUrl(url));
                PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS)) {
            String tenant = "bench";
            store.createTenant(tenant);
            store.writeSchema(tenant, arrow ? ARROW_SCHEMA : SCHEMA);
            List<Relationship> data = new ArrayList<>();
            for (int level = 0; level < depth && arrow; level++) {
                if (level > 0) {
                    data.add(Relationship.parse("group:c" + level + "#parent@group:c" + (level - 1)));
                }
                for (int u = 0; u < 15; u++) {
                    data.add(Relationship.parse("group:c" + level + "#member@user:m" + level + "-" + u));
                }
            }
            for (int level = 0; level < depth && !arrow; level++) {
                if (level + 1 < depth) {
                    data.add(Relationship.parse("group:c" + level + "#member@group:c" + (level + 1) + "#member"));
                }
                for (int s = 0; s < 5; s++) {
                    data.add(Relationship.parse("group:c" + level + "#member@group:s" + level + "-" + s + "#member"));
                    for (int u = 0; u < 3; u++) {
                        data.add(Relationship.parse("group:s" + level + "-" + s + "#member@user:m" + level + "-" + s + "-" + u));
                    }
                }
            }
            data.add(Relationship.parse("project:deep#namespace@group:c" + (arrow ? depth - 1 : 0)));
            java.util.Random random = new java.util.Random(7);
            for (int g = 0; g < noise; g++) {
                data.add(Relationship.parse("group:n" + g + "#member@user:u" + random.nextInt(noise)));
                if (g > 0) {
                    data.add(Relationship.parse(arrow ? "group:n" + g + "#parent@group:n" + random.nextInt(g)
                            : "group:n" + random.nextInt(g) + "#member@group:n" + g + "#member"));
                }
            }
            data.addAll(LookupTree.relationships(lookupGroups, fanout));
            store.bulkImport(tenant, data.iterator());
            BenchDatabase.analyze(pool);
            System.out.printf("data: %d relationships (%s chain of %d groups, %s, %d other groups)%n",
                    data.size(), arrow ? "parent->view" : "group#member", depth,
                    arrow ? "15 members per level" : "5 siblings per level", noise);
            System.out.println("machine: " + Machine.describe().encode());
            EngineOptions uncached = EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0);
            if (phases.contains("lookups") && lookupGroups > 0) {
                LookupTree.measure(store, tenant, uncached, lookupGroups, fanout, lookupRuns);
            }
            CheckRequest no = CheckRequest.of("project:deep", "view", "user:outsider");
            CheckRequest has = CheckRequest.of("project:deep", "view",
                    arrow ? "user:m0-7" : "user:m" + (depth - 1) + "-4-2");
            for (boolean index : phases.contains("checks") ? new boolean[] {false, true} : new boolean[0]) {
                EngineOptions options = index ? uncached.withGroupIndex(GroupIndexOptions.ON) : uncached;
                long heapBefore = usedHeap();
                try (GraphCheckEngine engine = new GraphCheckEngine(store, options)) {
                    Revision head = store.headRevision(tenant);
                    check(engine.checkNow(tenant, head, no), CheckResult.NO);
                    check(engine.checkNow(tenant, head, has), CheckResult.HAS);
                    if (index) {
                        waitBuilt(engine.groupIndex().orElseThrow());
                        long grown = usedHeap() - heapBefore;
                        long held = engine.groupIndex().get().stats().get(0).relationships();
                        System.out.printf("index built: %d relationships; live heap +%.1f MiB (%d bytes each)%n", held,
                                grown / 1048576.0, grown / Math.max(1, held));
                    }
                    for (CheckRequest request : List.of(no, has)) {
                        long[] lat = closedLoop(engine, tenant, head, request, callers, 2, seconds);
                        System.out.printf("checks %s index %s: %,d/s at %d callers, p50 %.2f ms, p99 %.2f ms%s%n",
                                request == no ? "NO" : "HAS", index ? "on" : "off", lat.length / seconds, callers,
                                pct(lat, 50), pct(lat, 99), index ? "; arrows answered " + engine.groupIndex().get().reachAnswered() + ", " + engine.groupIndex().get().stats() : "");
                    }
                }
            }
            for (boolean index : phases.contains("writes") ? new boolean[] {false, true} : new boolean[0]) {
                EngineOptions options = index ? uncached.withGroupIndex(GroupIndexOptions.ON) : uncached;
                try (GraphCheckEngine engine = new GraphCheckEngine(store, options)) {
                    Revision head = store.headRevision(tenant);
                    engine.checkNow(tenant, head, no);
                    GroupIndexes gi = engine.groupIndex().orElse(null);
                    if (gi != null) {
                        waitBuilt(gi);
                    }
                    long[] write = new long[writes];
                    long[] held = new long[writes];
                    long[] readOwn = new long[writes];
                    long appliedBefore = gi == null ? 0 : gi.revisionsApplied();
                    for (int i = 0; i < writes; i++) {
                        Relationship r = Relationship.parse("group:c" + (i % depth) + "#member@user:new" + (i / 2));
                        RelationshipUpdate u = i % 4 < 2 ? RelationshipUpdate.touch(r) : RelationshipUpdate.delete(r);
                        long t0 = System.nanoTime();
                        Revision at = store.write(tenant, List.of(u));
                        long t1 = System.nanoTime();
                        write[i] = t1 - t0;
                        if (gi != null && i % 2 == 0) {
                            // Background refresh: until the index holds the write.
                            while (gi.stats().get(0).appliedUpTo() < at.value()) {
                                Thread.sleep(0, 200_000);
                            }
                            held[i / 2] = System.nanoTime() - t1;
                        }
                        if (i % 2 == 1) {
                            long c0 = System.nanoTime();
                            engine.checkNow(tenant, at, no);
                            readOwn[i / 2] = System.nanoTime() - c0;
                        }
                    }
                    long[] own = Arrays.copyOf(readOwn, writes / 2);
                    System.out.printf("writes index %s: 1 membership change each, p50 %.2f ms, p99 %.2f ms; a NO check"
                            + " at the write's revision right after it: p50 %.2f ms, p99 %.2f ms%n", index ? "on" : "off",
                            pct(write, 50), pct(write, 99), pct(own, 50), pct(own, 99));
                    if (gi != null) {
                        long[] h = Arrays.copyOf(held, writes / 2);
                        System.out.printf("  index: %d revisions applied for %d writes; write committed to index holding"
                                + " it (background refresh every %d ms): p50 %.2f ms, p99 %.2f ms%n",
                                gi.revisionsApplied() - appliedBefore, writes,
                                GroupIndexOptions.ON.refreshInterval().toMillis(), pct(h, 50), pct(h, 99));
                    }
                }
            }
        }
    }

    /** Live heap after two collections (rough: other threads allocate too). */
    static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static void check(CheckResult got, CheckResult expected) {
        if (!got.equals(expected)) {
            throw new IllegalStateException("expected " + expected + ", got " + got);
        }
    }

    static void waitBuilt(GroupIndexes index) throws InterruptedException {
        while (index.stats().isEmpty() || !index.stats().get(0).state().equals("ready")) {
            Thread.sleep(5);
        }
    }

    /** {@code callers} threads asking {@code request} back to back; the latencies after the warm-up. */
    private static long[] closedLoop(GraphCheckEngine engine, String tenant, Revision at, CheckRequest request,
            int callers, int warmupSeconds, int seconds) throws InterruptedException {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> perThread = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            long[] mine = new long[400_000];
            perThread.add(mine);
            int[] n = new int[1];
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    try {
                        engine.check(tenant, at, request).get();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    if (measuring.get() && n[0] < mine.length - 1) {
                        mine[++n[0]] = System.nanoTime() - t0;
                    }
                }
                mine[0] = n[0];
            });
            threads.add(t);
            t.start();
        }
        Thread.sleep(warmupSeconds * 1000L);
        measuring.set(true);
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (errors.get() > 0) {
            throw new IllegalStateException(errors.get() + " checks failed");
        }
        List<Long> all = new ArrayList<>();
        for (long[] mine : perThread) {
            for (int i = 1; i <= mine[0]; i++) {
                all.add(mine[i]);
            }
        }
        return all.stream().mapToLong(Long::longValue).toArray();
    }

    static double pct(long[] nanos, double p) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)] / 1e6;
    }

    private static String arg(String[] args, String name, String otherwise) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return otherwise;
    }
}
