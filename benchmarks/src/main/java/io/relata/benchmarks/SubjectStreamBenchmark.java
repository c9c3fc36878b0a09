package io.relata.benchmarks;

import io.relata.store.Relationship;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Lookup subjects of one resource with 100,000 subjects over HTTP, measured by {@code curl} in
 * its own process: {@code doc:big#view} (a union: 50,000 users directly, 50,000 more through
 * 500 groups of 100) and {@code doc:big#visible} ({@code view - banned}, a tenth of the users
 * banned: every subject is checked). For each run: the time to the first byte of the stream
 * (the first result line), to its end, the result lines, and the server's heap growth
 * meanwhile from a baseline after a full GC: the peak sampled every 2 ms, and with a full GC
 * every 250 ms the largest heap after one (what the lookup holds alive). Then pages of 1,000
 * concrete subjects ({@code optionalConcreteLimit}) from the start and from a cursor half-way.
 *
 * <pre>
 * benchmarks/run-subjects.sh [--url postgresql://.../relata_bench_subjects] [--runs 3]
 * </pre>
 */
public final class SubjectStreamBenchmark {

    static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user | group#member
                relation banned: user
                permission view = viewer
                permission visible = viewer - banned
            }
            """;

    public static void main(String[] args) throws Exception {
        String url = "postgresql://postgres@127.0.0.1:5432/relata_bench_subjects";
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --url postgresql://... --runs N");
            }
        }
        List<Relationship> rows = new ArrayList<>();
        for (int u = 0; u < 50_000; u++) {
            rows.add(Relationship.parse(String.format("doc:big#viewer@user:u%06d", u)));
        }
        for (int g = 0; g < 500; g++) {
            rows.add(Relationship.parse(String.format("doc:big#viewer@group:g%03d#member", g)));
            for (int m = 0; m < 100; m++) {
                rows.add(Relationship.parse(String.format("group:g%03d#member@user:u%06d", g, 50_000 + g * 100 + m)));
            }
        }
        for (int u = 0; u < 100_000; u += 10) {
            rows.add(Relationship.parse(String.format("doc:big#banned@user:u%06d", u)));
        }
        System.out.printf("%,d relationships; doc:big has 100,000 subjects%n", rows.size());
        try (BenchServer server = BenchServer.start(url, SCHEMA, rows)) {
            rows = null;
            System.out.printf("imported in %.1f s; machine %s; load average %s%n", server.importSeconds,
                    Machine.describe().encode(), loadAverage());
            Thread.sleep(6_000); // past the minimizeLatency window of the import
            Path out = Files.createTempFile("subject-stream", ".ndjson");
            try {
                for (String permission : List.of("view", "visible")) {
                    JsonObject body = new JsonObject()
                            .put("consistency", new JsonObject().put("minimizeLatency", true))
                            .put("resource", new JsonObject().put("objectType", "doc").put("objectId", "big"))
                            .put("permission", permission).put("subjectObjectType", "user");
                    measure(server, body, out, false, permission + ": warm-up");
                    for (int i = 0; i < runs; i++) {
                        measure(server, body, out, false, permission + ": full stream, run " + (i + 1));
                    }
                    measure(server, body, out, true, permission + ": live heap (full GC every 250 ms)");
                    List<String> lines = Files.readAllLines(out);
                    JsonObject middle = new JsonObject(lines.get(lines.size() / 2)).getJsonObject("result")
                            .getJsonObject("afterResultCursor");
                    JsonObject page = body.copy().put("optionalConcreteLimit", 1000);
                    for (int i = 0; i < runs; i++) {
                        measure(server, page, out, false, permission + ": page of 1,000 from the start");
                        measure(server, page.copy().put("optionalCursor", middle), out, false, permission
                                + ": page of 1,000 from the cursor after result " + String.format("%,d",
                                        lines.size() / 2));
                    }
                }
            } finally {
                Files.deleteIfExists(out);
            }
            System.out.printf("load average at the end: %s%n", loadAverage());
        }
    }

    private static void measure(BenchServer server, JsonObject body, Path out, boolean live, String label)
            throws Exception {
        System.gc();
        Thread.sleep(200);
        long baseline = heapUsed();
        AtomicLong peak = new AtomicLong(baseline);
        AtomicLong livePeak = new AtomicLong(baseline);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            long nextGc = System.nanoTime() + 250_000_000L;
            while (running.get()) {
                peak.accumulateAndGet(heapUsed(), Math::max);
                if (live && System.nanoTime() > nextGc) {
                    System.gc();
                    livePeak.accumulateAndGet(heapUsed(), Math::max);
                    nextGc = System.nanoTime() + 250_000_000L;
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-N", "-o", out.toString(), "-w",
                "%{http_code} %{time_starttransfer} %{time_total}", "-H", "Authorization: Bearer " + BenchServer.KEY,
                "-H", "Content-Type: application/json", "--data-binary", body.encode(),
                server.base + "/v1/permissions/subjects"));
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String timing = new String(curl.getInputStream().readAllBytes()).trim();
        curl.waitFor();
        running.set(false);
        sampler.join();
        String[] parts = timing.split(" ");
        long results;
        long errors;
        try (var stream = Files.lines(out)) {
            List<String> lines = stream.toList();
            results = lines.stream().filter(l -> l.startsWith("{\"result\"")).count();
            errors = lines.size() - results;
        }
        System.out.printf("%-60s HTTP %s, %,d results%s, first byte after %.1f ms, all after %.1f ms, heap peak +%,d MiB%s,"
                + " load average %s%n", label, parts[0], results, errors > 0 ? " (" + errors + " other lines)" : "",
                Double.parseDouble(parts[1]) * 1000, Double.parseDouble(parts[2]) * 1000,
                (peak.get() - baseline) >> 20,
                live ? String.format(", live heap +%.1f MiB at most", Math.max(0, livePeak.get() - baseline) / 1048576.0)
                        : "", loadAverage());
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
