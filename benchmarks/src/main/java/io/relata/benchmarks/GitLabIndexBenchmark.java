package io.relata.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.index.GroupIndexOptions;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.SubjectRef;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The group index on the GitLab data set, in process on PostgreSQL, index off then on (engine
 * defaults otherwise, the caches on, with the deadline of {@link BenchServer}): a new member of the top group {@code g0} (a
 * {@code guest} relationship, one write) then a check that they may see its deepest project
 * ({@code project:p-deep#visible}, 21 groups below through {@code parent}) at that write's
 * revision; and lookup resources {@code group#view_group} for {@code u-lr100k}, the time to
 * the first result and to the last.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.relata.benchmarks.GitLabIndexBenchmark \
 *     --url postgresql://postgres@127.0.0.1:5432/relata_bench_index --size medium --writes 200 --runs 3
 * </pre>
 *
 * The database in {@code --url} is dropped and created again.
 */
public final class GitLabIndexBenchmark {

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "postgresql://postgres@127.0.0.1:5432/relata_bench_index");
        GitLabDataSet.Size size = GitLabDataSet.Size.parse(arg(args, "--size", "medium"));
        int writes = Integer.parseInt(arg(args, "--writes", "200"));
        int runs = Integer.parseInt(arg(args, "--runs", "3"));
        System.out.println("load average at the start: " + load());
        try (HikariDataSource pool = BenchDatabase.fresh(PostgresConfig.fromUrl(url));
                PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS)) {
            String tenant = "bench";
            store.createTenant(tenant);
            store.writeSchema(tenant, GitLabDataSet.schema());
            GitLabDataSet data = new GitLabDataSet(size, 1);
            int count = data.relationships.size();
            store.bulkImport(tenant, data.relationships.iterator());
            data = null;
            BenchDatabase.analyze(pool);
            System.out.printf("data set %s: %,d relationships; machine %s%n", size.name().toLowerCase(), count,
                    Machine.describe().encode());
            int user = 0;
            for (boolean index : new boolean[] {false, true}) {
                // The deadline of the HTTP benchmarks' server (BenchServer), long enough for the whole lookup.
                EngineOptions base = EngineOptions.DEFAULTS.withDeadline(BenchServer.DEADLINE);
                EngineOptions options = index ? base.withGroupIndex(GroupIndexOptions.ON) : base;
                String label = index ? "on" : "off";
                try (GraphCheckEngine engine = new GraphCheckEngine(store, options)) {
                    Revision head = store.headRevision(tenant);
                    engine.checkNow(tenant, head, CheckRequest.of("project:p-deep", "visible", "user:nobody"));
                    if (index) {
                        while (engine.groupIndex().orElseThrow().stats().isEmpty()
                                || !engine.groupIndex().get().stats().get(0).state().equals("ready")) {
                            Thread.sleep(10);
                        }
                        System.out.println("index: " + engine.groupIndex().get().stats());
                    }
                    long[] check = new long[writes];
                    long storeCalls = 0;
                    long[] both = new long[writes];
                    for (int i = 0; i < writes + 20; i++) {
                        String who = "user:newcomer-" + user++;
                        long t0 = System.nanoTime();
                        Revision at = store.write(tenant, List.of(RelationshipUpdate.touch(
                                Relationship.parse("group:g0#guest@" + who))));
                        long t1 = System.nanoTime();
                        CheckResult r = engine.checkNow(tenant, at, CheckRequest.of("project:p-deep", "visible", who));
                        long t2 = System.nanoTime();
                        if (!r.equals(CheckResult.HAS)) {
                            throw new IllegalStateException(who + " should see p-deep, got " + r);
                        }
                        if (i >= 20) { // the first 20 warm up
                            storeCalls += engine.lastStoreCalls();
                            check[i - 20] = t2 - t1;
                            both[i - 20] = t2 - t0;
                        }
                    }
                    System.out.printf("index %s: new member of g0, check project:p-deep#visible at the write's revision:"
                            + " check p50 %.2f ms, p99 %.2f ms; write and check p50 %.2f ms, p99 %.2f ms (%d writes);"
                            + " %.1f store queries per check; load %s%n", label, pct(check, 50), pct(check, 99),
                            pct(both, 50), pct(both, 99), writes, storeCalls / (double) writes, load());
                    Revision at = store.headRevision(tenant);
                    for (int run = 0; run < runs; run++) {
                        long t0 = System.nanoTime();
                        long[] first = {-1};
                        long[] n = {0};
                        engine.streamResources(tenant, at, "group", "view_group", SubjectRef.parse("user:u-lr100k"),
                                Map.of(), null, 0, (result, cursor) -> {
                                    if (n[0]++ == 0) {
                                        first[0] = System.nanoTime() - t0;
                                    }
                                    return true;
                                });
                        long all = System.nanoTime() - t0;
                        System.out.printf("index %s: lookup resources group#view_group for u-lr100k, run %d: %,d results,"
                                + " first after %.1f ms, all after %.1f ms, %d store queries; load %s%n", label, run + 1,
                                n[0], first[0] / 1e6, all / 1e6, engine.lastStoreCalls(), load());
                    }
                    if (index) {
                        var gi = engine.groupIndex().get();
                        System.out.printf("index: %d arrow questions answered, %d left to the walk; lookup reverse-step"
                                + " pages %d from the index (%d over parent), %d left to the store (%d over parent)%n",
                                gi.reachAnswered(), gi.reachUnknown(), gi.lookupStepsAnswered(),
                                gi.arrowLookupStepsAnswered(), gi.lookupStepsLeft(), gi.arrowLookupStepsLeft());
                    }
                }
            }
        }
        System.out.println("load average at the end: " + load());
    }

    private static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "?";
        }
    }

    private static double pct(long[] nanos, double p) {
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
