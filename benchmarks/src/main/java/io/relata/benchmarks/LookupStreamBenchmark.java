package io.relata.benchmarks;

import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streamed lookup resources over HTTP, measured by a client in another process ({@code curl}):
 * the GitLab data set's user who is a guest of 100,000 groups, {@code group#view_group}
 * (about 100,000 results). For each run: the time to the first byte of the stream (the first
 * result line: the status line and headers go out with it), the time to its end, the result
 * lines, and the server's heap growth meanwhile, from a baseline after a full GC: the peak
 * sampled every 2 ms (it includes garbage not yet collected) and the largest heap right after
 * a young collection (it includes garbage promoted to the old generation). Then runs that
 * measure what the lookup holds alive: a full GC every 250 ms during the stream, the largest
 * heap after one of them reported (these runs' times are slowed by the collections). Then the same with a client reading at 2 MB/s, and
 * pages of 1,000 from the start and from a cursor half-way.
 *
 * <pre>
 * benchmarks/run-lookups.sh [--size medium] [--url postgresql://.../relata_bench_lookups] [--runs 3]
 * </pre>
 */
public final class LookupStreamBenchmark {

    public static void main(String[] args) throws Exception {
        GitLabDataSet.Size size = GitLabDataSet.Size.MEDIUM;
        String url = "postgresql://postgres@127.0.0.1:5432/relata_bench_lookups";
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = GitLabDataSet.Size.parse(args[++i]);
                case "--url" -> url = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --size small|medium|large --url postgresql://... --runs N");
            }
        }
        GitLabDataSet data = new GitLabDataSet(size, 1);
        String user = data.lookupUsers.entrySet().stream().max(java.util.Map.Entry.comparingByValue()).orElseThrow()
                .getKey();
        int relationships = data.relationships.size();
        System.out.printf("data set %s: %,d relationships; %s is a guest of %,d groups%n",
                size.name().toLowerCase(Locale.ROOT), relationships, user, data.lookupUsers.get(user));
        try (BenchServer server = BenchServer.start(url, GitLabDataSet.schema(), data.relationships)) {
            data = null;
            System.out.printf("imported in %.1f s; machine %s; load average %s%n", server.importSeconds,
                    Machine.describe().encode(), loadAverage());
            Thread.sleep(6_000); // past the minimizeLatency window of the import
            JsonObject body = new JsonObject().put("consistency", new JsonObject().put("minimizeLatency", true))
                    .put("resourceObjectType", "group").put("permission", "view_group")
                    .put("subject", new JsonObject().put("object", new JsonObject().put("objectType", "user")
                            .put("objectId", user)));
            Path out = Files.createTempFile("lookup-stream", ".ndjson");
            try {
                measure(server, body, out, List.of(), "warm-up");
                for (int i = 0; i < runs; i++) {
                    measure(server, body, out, List.of(), "full stream, run " + (i + 1));
                }
                measure(server, body, out, List.of("--limit-rate", "2M"), "client reading at 2 MB/s");
                live = true;
                measure(server, body, out, List.of(), "live heap (full GC every 250 ms)");
                measure(server, body, out, List.of("--limit-rate", "2M"), "live heap, client reading at 2 MB/s");
                live = false;
                List<String> lines = Files.readAllLines(out);
                JsonObject middle = new JsonObject(lines.get(lines.size() / 2)).getJsonObject("result")
                        .getJsonObject("afterResultCursor");
                JsonObject page = body.copy().put("optionalLimit", 1000);
                for (int i = 0; i < runs; i++) {
                    measure(server, page, out, List.of(), "page of 1,000 from the start");
                    measure(server, page.copy().put("optionalCursor", middle), out, List.of(),
                            "page of 1,000 from the cursor after result " + String.format("%,d", lines.size() / 2));
                }
                for (int i = 0; i < runs; i++) {
                    pageThrough(server, page, out);
                }
            } finally {
                Files.deleteIfExists(out);
            }
            System.out.printf("load average at the end: %s%n", loadAverage());
        }
    }

    /**
     * Pages through the whole answer, each page from the cursor of the page before's last result
     * (`curl` per page, so each time includes a process start): the time of each page.
     */
    private static void pageThrough(BenchServer server, JsonObject page, Path out) throws Exception {
        List<Double> millis = new ArrayList<>();
        long results = 0;
        JsonObject cursor = null;
        long started = System.nanoTime();
        int limit = page.getInteger("optionalLimit");
        while (true) {
            JsonObject body = cursor == null ? page : page.copy().put("optionalCursor", cursor);
            Process curl = new ProcessBuilder("curl", "-sS", "-o", out.toString(), "-w", "%{http_code} %{time_total}",
                    "-H", "Authorization: Bearer " + BenchServer.KEY, "-H", "Content-Type: application/json",
                    "--data-binary", body.encode(), server.base + "/v1/permissions/resources")
                    .redirectErrorStream(true).start();
            String[] timing = new String(curl.getInputStream().readAllBytes()).trim().split(" ");
            curl.waitFor();
            if (!timing[0].equals("200")) {
                throw new IllegalStateException("page after " + results + " results: HTTP " + timing[0]);
            }
            millis.add(Double.parseDouble(timing[1]) * 1000);
            List<String> lines = Files.readAllLines(out).stream().filter(l -> l.startsWith("{\"result\"")).toList();
            results += lines.size();
            if (lines.size() < limit) {
                break;
            }
            cursor = new JsonObject(lines.get(lines.size() - 1)).getJsonObject("result")
                    .getJsonObject("afterResultCursor");
        }
        double total = (System.nanoTime() - started) / 1e6;
        List<Double> sorted = new ArrayList<>(millis);
        sorted.sort(null);
        System.out.printf("%-52s %,d results in %d pages, %.0f ms in all; a page p50 %.1f ms, p99 %.1f ms, max %.1f ms"
                + " (the last page: %.1f ms), load average %s%n", "paging through, " + String.format("%,d", limit)
                + " a page", results, millis.size(), total, sorted.get(sorted.size() / 2),
                sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)),
                sorted.get(sorted.size() - 1), millis.get(millis.size() - 1), loadAverage());
    }

    /** Whether {@link #measure} forces a full GC every 250 ms to see the live heap. */
    private static boolean live;

    private static void measure(BenchServer server, JsonObject body, Path out, List<String> curlOptions, String label)
            throws Exception {
        System.gc();
        Thread.sleep(200);
        long baseline = heapUsed();
        AtomicLong peak = new AtomicLong(baseline);
        AtomicLong afterGcPeak = new AtomicLong(baseline);
        AtomicLong collections = new AtomicLong();
        List<Runnable> unlisten = listenToCollections(afterGcPeak, collections);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong livePeak = new AtomicLong(baseline);
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
                "-H", "Content-Type: application/json", "--data-binary", body.encode()));
        command.addAll(curlOptions);
        command.add(server.base + "/v1/permissions/resources");
        Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
        String timing = new String(curl.getInputStream().readAllBytes()).trim();
        curl.waitFor();
        running.set(false);
        sampler.join();
        unlisten.forEach(Runnable::run);
        String[] parts = timing.split(" ");
        long results;
        try (var stream = Files.lines(out)) {
            results = stream.filter(l -> l.startsWith("{\"result\"")).count();
        }
        System.out.printf("%-52s HTTP %s, %,d results, first byte after %.1f ms, all after %.1f ms, heap after GC"
                + " +%,d MiB at most (%d collections), heap peak +%,d MiB%s, load average %s%n", label, parts[0], results,
                Double.parseDouble(parts[1]) * 1000, Double.parseDouble(parts[2]) * 1000,
                Math.max(0, afterGcPeak.get() - baseline) >> 20, collections.get(), (peak.get() - baseline) >> 20,
                live ? String.format(", live heap +%.1f MiB at most", Math.max(0, livePeak.get() - baseline) / 1048576.0)
                        : "", loadAverage());
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Records the heap in use right after each collection (all pools), until the returned actions run. */
    private static List<Runnable> listenToCollections(AtomicLong afterGcPeak, AtomicLong collections) {
        List<Runnable> unlisten = new ArrayList<>();
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof javax.management.NotificationEmitter emitter)) {
                continue;
            }
            javax.management.NotificationListener listener = (notification, handback) -> {
                if (!notification.getType().equals(
                        com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                    return;
                }
                var info = com.sun.management.GarbageCollectionNotificationInfo.from(
                        (javax.management.openmbean.CompositeData) notification.getUserData());
                long after = info.getGcInfo().getMemoryUsageAfterGc().values().stream()
                        .mapToLong(java.lang.management.MemoryUsage::getUsed).sum();
                afterGcPeak.accumulateAndGet(after, Math::max);
                collections.incrementAndGet();
            };
            emitter.addNotificationListener(listener, null, null);
            unlisten.add(() -> {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException e) {
                    // already gone
                }
            });
        }
        return unlisten;
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
