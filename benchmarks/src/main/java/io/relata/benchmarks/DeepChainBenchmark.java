package io.relata.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.EngineOptions;
import io.relata.migrations.Migrator;
import io.relata.server.RelataServer;
import io.relata.server.ServerConfig;
import io.relata.store.Relationship;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The deep-chain data set, checked over HTTP at a constant arrival rate: {@code --groups}
 * top-level groups, each a chain of 10 groups nested by {@code parent}, 20 random members
 * (of 20,000 users) in every group, 5 projects on each leaf group. {@code project#read =
 * developer + namespace->view}, {@code group#view = member + parent->view}. Checks of
 * {@code project#read} for random users (mostly NO: the walk covers all 10 levels) and for
 * members of the chain (HAS), each kind measured on its own.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am install -DskipTests
 * mvn -B -q -pl benchmarks exec:java -Dexec.mainClass=io.relata.benchmarks.DeepChainBenchmark \
 *     -Dexec.args="--groups 200 --rate 2000 --seconds 20"
 * </pre>
 *
 * The database in {@code --url} (default {@code relata_bench}) is dropped and created again.
 * Latency is measured from each request's scheduled start (open loop), so a slow answer
 * delays no later request's measurement.
 */
public final class DeepChainBenchmark {

    private static final io.vertx.core.Vertx VERTX = io.vertx.core.Vertx.vertx();

    private static final String SCHEMA = """
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
        PostgresConfig config = PostgresConfig.fromUrl(url);
        BenchDatabase.recreate(config);
        try (HikariDataSource pool = PostgresTupleStore.pool(config.withPoolSize(16))) {
            new Migrator(pool).migrate();
            PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
            store.createTenant("default");
            store.writeSchema("default", SCHEMA);
            List<String> members = new ArrayList<>();
            List<String> projects = new ArrayList<>();
            List<Relationship> rows = generate(groups, members, projects);
            long start = System.nanoTime();
            store.bulkImport("default", rows.iterator());
            System.out.printf("data: %d top-level groups, %,d relationships, imported in %.1f s%n", groups, rows.size(),
                    (System.nanoTime() - start) / 1e9);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("ANALYZE relation_tuples");
            }
            RelataServer server = new RelataServer(new ServerConfig("127.0.0.1", 0, Map.of("bench", "default"),
                    "bench-token-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 1_000, EngineOptions.DEFAULTS, null),
                    store, new PostgresApiKeys(store));
            int port = server.start().toCompletionStage().toCompletableFuture().get();
            String base = "http://127.0.0.1:" + port;
            try {
                // Checks read at minimizeLatency (5 s windows): let the window pass the import.
                Thread.sleep(6_000);
                SplittableRandom random = new SplittableRandom(7);
                // Warm the JIT on a different sample than the measured one.
                drive(base, rate / 2, 5, random, projects, members, false);
                double[] no = drive(base, rate, seconds, random, projects, members, false);
                double[] has = drive(base, rate, seconds, random, projects, members, true);
                System.out.println();
                System.out.println("| checks | target rate | achieved | p50 ms | p95 ms | p99 ms | p99.9 ms | errors |"
                        + " answers as expected | store queries per check |");
                System.out.println("|---|---|---|---|---|---|---|---|---|---|");
                print("random users (mostly NO)", rate, no);
                print("members (HAS)", rate, has);
            } finally {
                server.stop(Duration.ofSeconds(5));
                VERTX.close();
            }
        }
    }

    private static void print(String name, int rate, double[] r) {
        System.out.printf("| %s | %,d/s | %,.0f/s | %.2f | %.2f | %.2f | %.2f | %.0f | %.1f %% | %.1f |%n", name, rate,
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
    }

    /** Builds the data set; fills the members of the chains and the projects. */
    static List<Relationship> generate(int groups, List<String> members, List<String> projects) {
        SplittableRandom random = new SplittableRandom(42);
        List<Relationship> rows = new ArrayList<>();
        for (int t = 0; t < groups; t++) {
            for (int level = 0; level < 10; level++) {
                String group = "g" + t + "_" + level;
                if (level > 0) {
                    rows.add(Relationship.parse("group:" + group + "#parent@group:g" + t + "_" + (level - 1)));
                }
                java.util.Set<Integer> chosen = new java.util.HashSet<>();
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

    /**
     * Sends checks at {@code rate} per second for {@code seconds}, open loop; returns achieved
     * rate, p50, p95, p99, p99.9 (ms), errors, share of expected answers, store queries per check.
     */
    static double[] drive(String base, int rate, int seconds, SplittableRandom random, List<String> projects,
            List<String> members, boolean members_) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // Requests go through a pool of 64 keep-alive connections; when all are busy they
        // queue, and their latency (counted from the scheduled start) shows it.
        URI uri = URI.create(base);
        io.vertx.core.http.HttpClient client = VERTX.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort()).setKeepAlive(true),
                new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(-1));
        Histogram histogram = new ConcurrentHistogram(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong expected = new AtomicLong();
        long storeBefore = storeQueries(http, base);
        int total = rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            String project;
            String user;
            boolean wantHas;
            if (members_) {
                String m = members.get(random.nextInt(members.size()));
                int colon = m.indexOf(':');
                String tree = m.substring(0, colon);
                user = m.substring(colon + 1);
                project = "p" + tree + "_" + random.nextInt(5);
                wantHas = true;
            } else {
                project = projects.get(random.nextInt(projects.size()));
                user = "u" + random.nextInt(20_000);
                wantHas = false;
            }
            String body = "{\"resource\":{\"objectType\":\"project\",\"objectId\":\"" + project + "\"},\"permission\":"
                    + "\"read\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}";
            CompletableFuture<Void> done = new CompletableFuture<>();
            client.request(io.vertx.core.http.HttpMethod.POST, "/v1/permissions/check")
                    .compose(req -> req.putHeader("Authorization", "Bearer bench").send(body))
                    .compose(resp -> resp.body().map(buffer -> new Object[] {resp.statusCode(), buffer.toString()}))
                    .onComplete(result -> {
                        histogram.recordValue(Math.max(1, (System.nanoTime() - scheduled) / 1_000));
                        if (result.failed() || (int) result.result()[0] != 200) {
                            if (errors.incrementAndGet() == 1) {
                                System.err.println("first error: " + (result.failed() ? result.cause()
                                        : result.result()[0] + " " + result.result()[1]));
                            }
                        } else if (((String) result.result()[1]).contains("HAS_PERMISSION") == wantHas) {
                            expected.incrementAndGet();
                        }
                        done.complete(null);
                    });
            inFlight.add(done);
        }
        CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        long storeAfter = storeQueries(http, base);
        client.close();
        return new double[] {total / elapsed, histogram.getValueAtPercentile(50) / 1000.0,
            histogram.getValueAtPercentile(95) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
            histogram.getValueAtPercentile(99.9) / 1000.0, errors.get(), 100.0 * expected.get() / total,
            (storeAfter - storeBefore) / (double) total};
    }

    /** The server's count of store calls, from /metrics. */
    private static long storeQueries(HttpClient http, String base) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        long total = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("relata_store_calls_seconds_count")) {
                total += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
