package io.relata.benchmarks;

import io.relata.store.Relationship;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes over HTTP, closed loop: {@code N} writers each send {@code POST
 * /v1/relationships/write} with one TOUCH of a new {@code project#developer} and wait for the
 * answer before sending the next, for {@code --seconds} at each writer count, on the deep-chain
 * data set (one tenant). Reports the rate and the latency percentiles of each count.
 *
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" io.relata.benchmarks.WriteBenchmark \
 *     --writers 1,8,32 --seconds 10
 * </pre>
 *
 * The database in {@code --url} (default {@code relata_bench}) is dropped and created again.
 */
public final class WriteBenchmark {

    public static void main(String[] args) throws Exception {
        int[] writerCounts = {1, 8, 32};
        int seconds = 10;
        int groups = 200;
        String url = "postgresql://postgres@127.0.0.1:5432/relata_bench";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--writers" -> writerCounts = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--groups" -> groups = Integer.parseInt(args[++i]);
                case "--url" -> url = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --writers 1,8,32 --seconds N --groups N --url postgresql://...");
            }
        }
        List<String> members = new ArrayList<>();
        List<String> projects = new ArrayList<>();
        List<Relationship> rows = DeepChainBenchmark.generate(groups, members, projects);
        try (BenchServer server = BenchServer.start(url, DeepChainBenchmark.SCHEMA, rows)) {
            System.out.printf("data: %d top-level groups, %,d relationships; machine %s%n", groups, rows.size(),
                    Machine.describe().encode());
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            AtomicLong sequence = new AtomicLong();
            run(client, server.base, projects, sequence, 8, 5, null);
            System.out.println("| writers | writes | rate | p50 ms | p95 ms | p99 ms | max ms | errors |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (int writers : writerCounts) {
                run(client, server.base, projects, sequence, writers, seconds, writers + "");
            }
        }
    }

    private static void run(HttpClient client, String base, List<String> projects, AtomicLong sequence, int writers,
            int seconds, String label) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(writers);
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            long[] mine = new long[2_000_000];
            latencies.add(mine);
            Thread t = new Thread(() -> {
                int n = 0;
                try {
                    while (!stop.get()) {
                        long i = sequence.incrementAndGet();
                        String project = projects.get((int) (i % projects.size()));
                        String body = "{\"updates\":[{\"operation\":\"OPERATION_TOUCH\",\"relationship\":{"
                                + "\"resource\":{\"objectType\":\"project\",\"objectId\":\"" + project + "\"},"
                                + "\"relation\":\"developer\",\"subject\":{\"object\":{\"objectType\":\"user\","
                                + "\"objectId\":\"writer" + i + "\"}}}}]}";
                        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/relationships/write"))
                                .header("Authorization", "Bearer " + BenchServer.KEY)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        long t0 = System.nanoTime();
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        long t1 = System.nanoTime();
                        if (response.statusCode() != 200) {
                            if (errors.incrementAndGet() < 5) {
                                System.err.println("write answered " + response.statusCode() + ": " + response.body());
                            }
                        } else if (n < mine.length) {
                            mine[n++] = t1 - t0;
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    System.err.println("writer failed: " + e);
                } finally {
                    mine[mine.length - 1] = n;
                    done.countDown();
                }
            });
            threads.add(t);
            t.start();
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = 0;
        for (long[] l : latencies) {
            total += (int) l[l.length - 1];
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] l : latencies) {
            int n = (int) l[l.length - 1];
            System.arraycopy(l, 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        if (label == null || total == 0) {
            return;
        }
        System.out.printf("| %s | %,d | %,.0f/s | %.2f | %.2f | %.2f | %.2f | %d |%n", label, total, total / elapsed,
                ms(all, 0.50), ms(all, 0.95), ms(all, 0.99), all[all.length - 1] / 1e6, errors.get());
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))] / 1e6;
    }
}
