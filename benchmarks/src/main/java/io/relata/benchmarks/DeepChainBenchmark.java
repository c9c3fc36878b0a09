package io.relata.benchmarks;

import io.relata.store.Relationship;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The deep-chain data set, checked over HTTP at a constant arrival rate: {@code --groups}
 * top-level groups, each a chain of 10 groups nested by {@code parent}, 20 random members
 * (of 20,000 users) in every group, 5 projects on each leaf group. {@code project#read =
 * developer + namespace->view}, {@code group#view = member + parent->view}. Checks of
 * {@code project#read} for random users (mostly NO: the walk covers all 10 levels) and for
 * members of the chain (HAS), each kind measured on its own.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.relata.benchmarks.DeepChainBenchmark \
 *     --groups 200 --rate 200 --seconds 15
 * </pre>
 *
 * The database in {@code --url} (default {@code relata_bench}) is dropped and created again.
 * Latency is measured from each request's scheduled start (open loop), so a slow answer
 * delays no later request's measurement.
 */
public final class DeepChainBenchmark {

    /** The schema of the data set (also the one of the JMH depth-20 chain). */
    public static final String SCHEMA = """
            definition user {}

            definition group {
                relation parent: group
                relation member: user
                permission view = member + parent->view
            }

            definition project {
                relation namespace: group
                relation developer: user
                permission read = developer + namespace->view
            }
            """;

    public static void main(String[] args) throws Exception {
        int groups = 200;
        int rate = 2000;
        int seconds = 20;
        String url = "postgresql://postgres@127.0.0.1:5432/relata_bench";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--groups" -> groups = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--url" -> url = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --groups N --rate PER_SECOND --seconds N --url postgresql://...");
            }
        }
        List<String> members = new ArrayList<>();
        List<String> projects = new ArrayList<>();
        List<Relationship> rows = generate(groups, members, projects);
        try (BenchServer server = BenchServer.start(url, SCHEMA, rows);
                LoadDriver driver = new LoadDriver(server.base, BenchServer.KEY)) {
            System.out.printf("data: %d top-level groups, %,d relationships, imported in %.1f s%n", groups, rows.size(),
                    server.importSeconds);
            // Checks read at minimizeLatency (5 s windows): let the window pass the import.
            Thread.sleep(6_000);
            // Warm the JIT on a different sample than the measured one.
            driver.step("warm-up", Math.max(1, rate / 2), 5, 6, random -> driver.checkOutcome(
                    "project:" + projects.get(random.nextInt(projects.size())), "read",
                    "user:u" + random.nextInt(20_000), false));
            // Random users, almost never members: NO after a walk up the whole chain.
            LoadDriver.Step no = driver.step("random users (mostly NO)", rate, seconds, 7, random -> driver.checkOutcome(
                    "project:" + projects.get(random.nextInt(projects.size())), "read",
                    "user:u" + random.nextInt(20_000), false));
            LoadDriver.Step has = driver.step("members (HAS)", rate, seconds, 8, random -> {
                String m = members.get(random.nextInt(members.size()));
                int colon = m.indexOf(':');
                return driver.checkOutcome("project:p" + m.substring(0, colon) + "_" + random.nextInt(5), "read",
                        "user:" + m.substring(colon + 1), false);
            });
            System.out.println();
            System.out.println("| checks | offered | achieved | p50 ms | p95 ms | p99 ms | p99.9 ms | errors | HAS |"
                    + " relationship cache hits | store queries per check |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            for (LoadDriver.Step s : List.of(no, has)) {
                System.out.printf("| %s | %,d/s | %,.0f/s | %.2f | %.2f | %.2f | %.2f | %d | %.1f %% | %.0f %% | %.1f |%n",
                        s.workload(), s.offered(), s.achieved(), s.p50(), s.p95(), s.p99(), s.p999(), s.errors(),
                        100 * s.held(), 100 * s.relationshipCacheHitRate(), s.storeQueriesPerCheck());
            }
        }
    }

    /** Builds the data set; fills the members of the chains ("tree:user") and the projects. */
    static List<Relationship> generate(int groups, List<String> members, List<String> projects) {
        SplittableRandom random = new SplittableRandom(42);
        List<Relationship> rows = new ArrayList<>();
        for (int t = 0; t < groups; t++) {
            for (int level = 0; level < 10; level++) {
                String group = "g" + t + "_" + level;
                if (level > 0) {
                    rows.add(Relationship.parse("group:" + group + "#parent@group:g" + t + "_" + (level - 1)));
                }
                Set<Integer> chosen = new HashSet<>();
                while (chosen.size() < 20) {
                    chosen.add(random.nextInt(20_000));
                }
                for (int u : chosen) {
                    rows.add(Relationship.parse("group:" + group + "#member@user:u" + u));
                    members.add(t + ":u" + u);
                }
            }
            for (int p = 0; p < 5; p++) {
                String project = "p" + t + "_" + p;
                rows.add(Relationship.parse("project:" + project + "#namespace@group:g" + t + "_9"));
                projects.add(project);
            }
        }
        return rows;
    }
}
