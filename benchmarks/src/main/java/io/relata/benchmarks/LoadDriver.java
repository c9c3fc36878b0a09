package io.relata.benchmarks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives a running Relata server over HTTP/1.1 (64 keep-alive connections). Load is open loop: requests leave at a constant arrival
 * rate whatever the answers do, and latency counts from each request's scheduled start, so a
 * slow answer shows in the percentiles instead of slowing the load down.
 */
public final class LoadDriver implements AutoCloseable {

    /** The outcome of one step at one rate. */
    public record Step(String workload, int offered, double achieved, long requests, long errors, double p50,
            double p95, double p99, double p999, double held, double cacheHitRate, double relationshipCacheHitRate,
            double storeQueriesPerCheck, long writes, double writeP99) {

        JsonObject json() {
            return new JsonObject().put("workload", workload).put("offeredPerSecond", offered)
                    .put("achievedPerSecond", achieved).put("requests", requests).put("errors", errors)
                    .put("p50Ms", p50).put("p95Ms", p95).put("p99Ms", p99).put("p999Ms", p999)
                    .put("heldShare", held).put("cacheHitRate", cacheHitRate)
                    .put("relationshipCacheHitRate", relationshipCacheHitRate)
                    .put("storeQueriesPerCheck", storeQueriesPerCheck).put("writes", writes)
                    .put("writeP99Ms", writeP99);
        }
    }

    /** The outcome of a lookup: results, time to the first result line and to the end of the stream. */
    public record LookupTiming(String label, int results, double firstMs, double totalMs) {}

    /** A request without an answer for this long counts as an error (the connection is closed). */
    private static final long REQUEST_TIMEOUT_MS = 30_000;
    /** A lookup computes its whole answer before the first line: it may be silent for longer. */
    private static final long LOOKUP_TIMEOUT_MS = 600_000;

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client;
    private final String key;
    private final MetricsReader metrics;
    /** The token of the newest write this driver made (for atLeastAsFresh reads). */
    private final AtomicReference<String> newestToken = new AtomicReference<>();

    public LoadDriver(String base, String key) {
        URI uri = URI.create(base);
        this.client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(uri.getHost())
                .setDefaultPort(uri.getPort()).setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(64).setMaxWaitQueueSize(-1));
        this.key = key;
        this.metrics = new MetricsReader(client);
    }

    // ---- requests -------------------------------------------------------------------------------

    private Future<JsonObject[]> post(String path, JsonObject body) {
        // The body is asked for inside the send's own continuation: that one runs on the
        // connection's event loop as the response arrives. One more hop (a continuation chained
        // outside) can come after the body has ended, and then the body never completes.
        return client.request(options(path, REQUEST_TIMEOUT_MS))
                .compose(req -> req.putHeader("Authorization", "Bearer " + key)
                        .putHeader("Content-Type", "application/json").send(body.toBuffer())
                        .compose(resp -> resp.body().map(b -> new JsonObject[] {
                            new JsonObject().put("status", resp.statusCode()), parse(b)})));
    }

    /** A POST that fails, rather than waits forever, when no connection frees up or no answer comes. */
    private static io.vertx.core.http.RequestOptions options(String path, long idleTimeoutMs) {
        return new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.POST).setURI(path)
                .setConnectTimeout(REQUEST_TIMEOUT_MS).setIdleTimeout(idleTimeoutMs);
    }

    private static JsonObject parse(Buffer b) {
        try {
            return b.toJsonObject();
        } catch (RuntimeException e) {
            return new JsonObject().put("raw", b.toString());
        }
    }

    private static JsonObject ref(String text) {
        int colon = text.indexOf(':');
        return new JsonObject().put("objectType", text.substring(0, colon)).put("objectId", text.substring(colon + 1));
    }

    private static JsonObject subject(String text) {
        int hash = text.indexOf('#');
        JsonObject s = new JsonObject().put("object", ref(hash < 0 ? text : text.substring(0, hash)));
        return hash < 0 ? s : s.put("optionalRelation", text.substring(hash + 1));
    }

    private JsonObject consistency(boolean fresh) {
        String token = newestToken.get();
        return fresh && token != null ? new JsonObject().put("atLeastAsFresh", new JsonObject().put("token", token))
                : new JsonObject().put("minimizeLatency", true);
    }

    Future<JsonObject[]> check(String resource, String permission, String subject, boolean fresh) {
        return post("/v1/permissions/check", new JsonObject().put("consistency", consistency(fresh))
                .put("resource", ref(resource)).put("permission", permission).put("subject", subject(subject)));
    }

    /** TOUCHes one relationship and remembers its token as the newest. */
    Future<String> touch(String resource, String relation, String subject) {
        JsonObject rel = new JsonObject().put("resource", ref(resource)).put("relation", relation)
                .put("subject", subject(subject));
        JsonObject body = new JsonObject().put("updates", new io.vertx.core.json.JsonArray()
                .add(new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", rel)));
        return post("/v1/relationships/write", body).compose(r -> {
            if (r[0].getInteger("status") != 200) {
                return Future.failedFuture("write answered " + r[0].getInteger("status") + ": " + r[1]);
            }
            String token = r[1].getJsonObject("writtenAt").getString("token");
            newestToken.set(token);
            return Future.succeededFuture(token);
        });
    }

    private static boolean has(JsonObject[] r) {
        return "PERMISSIONSHIP_HAS_PERMISSION".equals(r[1].getString("permissionship"));
    }

    /** A check whose answer is HELD (HAS) or NOT_HELD; a failure if it was not answered with 200. */
    public Future<Outcome> checkOutcome(String resource, String permission, String subject, boolean fresh) {
        return check(resource, permission, subject, fresh).compose(r -> r[0].getInteger("status") == 200
                ? Future.succeededFuture(has(r) ? Outcome.HELD : Outcome.NOT_HELD)
                : Future.failedFuture("check answered " + r[0].getInteger("status") + ": " + r[1].encode()));
    }

    // ---- open-loop steps ------------------------------------------------------------------------

    /** What one request of a step came to: a check that held, one that did not, or a write. */
    public enum Outcome { HELD, NOT_HELD, WRITTEN }

    /**
     * One step of {@code seconds} at {@code rate}: sends {@code request.apply(random)} at a
     * constant arrival rate and measures the answers, and the server's cache hits and store
     * queries per check over the step.
     */
    public Step step(String name, int rate, int seconds, long seed,
            Function<SplittableRandom, Future<Outcome>> request) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        Histogram latency = new ConcurrentHistogram(3);
        Histogram writeLatency = new ConcurrentHistogram(3);
        AtomicLong errors = new AtomicLong();
        AtomicLong held = new AtomicLong();
        AtomicLong checks = new AtomicLong();
        MetricsReader.Snapshot before = metrics.read();
        long total = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>((int) total);
        for (long i = 0; i < total; i++) {
            long scheduled = start + i * interval;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            inFlight.add(done);
            Future<Outcome> sent;
            try {
                sent = request.apply(random);
            } catch (RuntimeException e) {
                sent = Future.failedFuture(e);
            }
            sent.onComplete(r -> {
                try {
                    long micros = Math.max(1, (System.nanoTime() - scheduled) / 1_000);
                    latency.recordValue(micros);
                    if (r.failed()) {
                        if (errors.incrementAndGet() == 1) {
                            System.err.println("first error in " + name + ": " + r.cause().getMessage());
                        }
                    } else if (r.result() == Outcome.WRITTEN) {
                        writeLatency.recordValue(micros);
                    } else {
                        checks.incrementAndGet();
                        if (r.result() == Outcome.HELD) {
                            held.incrementAndGet();
                        }
                    }
                } finally {
                    done.complete(null);
                }
            });
        }
        try {
            CompletableFuture.allOf(inFlight.toArray(new CompletableFuture<?>[0])).get(2, TimeUnit.MINUTES);
        } catch (java.util.concurrent.TimeoutException e) {
            // Requests still unanswered two minutes after the last was sent count as errors.
            long stuck = inFlight.stream().filter(f -> !f.isDone()).count();
            errors.addAndGet(stuck);
            System.err.println(name + ": " + stuck + " requests unanswered after 2 minutes, counted as errors");
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        MetricsReader.Snapshot after = metrics.read();
        long checked = Math.max(1, checks.get());
        long writes = writeLatency.getTotalCount();
        return new Step(name, rate, total / elapsed, total, errors.get(), ms(latency, 50), ms(latency, 95),
                ms(latency, 99), ms(latency, 99.9), held.get() / (double) checked, after.hitRate(before),
                after.relationshipHitRate(before), (after.storeCalls() - before.storeCalls()) / (double) checked, writes,
                writes == 0 ? 0 : ms(writeLatency, 99));
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * Steps the rate up (doubling from {@code startRate}) until p99 passes {@code p99LimitMs},
     * the achieved rate falls under 90 % of the offered one, errors appear, or {@code maxRate}
     * has been run. Returns every step.
     */
    public List<Step> stepUp(String name, int startRate, int maxRate, int seconds, double p99LimitMs,
            Function<SplittableRandom, Future<Outcome>> request) throws Exception {
        List<Step> steps = new ArrayList<>();
        for (int rate = startRate; rate <= maxRate; rate *= 2) {
            Step s = step(name, rate, seconds, rate * 31L + name.hashCode(), request);
            steps.add(s);
            System.out.printf("  %s at %,d/s: achieved %,.0f/s, p50 %.2f ms, p99 %.2f ms, errors %d%n", name, rate,
                    s.achieved(), s.p50(), s.p99(), s.errors());
            if (s.p99() > p99LimitMs || s.achieved() < 0.9 * rate || s.errors() > 0) {
                break;
            }
        }
        return steps;
    }

    // ---- freshness ------------------------------------------------------------------------------

    /**
     * Write-to-visible: TOUCHes {@code resource#relation@subject}, then checks
     * {@code checkResource#permission} for the subject until it holds, at atLeastAsFresh with the
     * write's token ({@code fresh}) or at minimizeLatency. Returns milliseconds from the write's
     * start until the first check that saw it.
     */
    public double writeToVisible(String resource, String relation, String subject, String checkResource,
            String permission, boolean fresh) throws Exception {
        long start = System.nanoTime();
        touch(resource, relation, subject).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        long deadline = start + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            JsonObject[] r = check(checkResource, permission, subject, fresh).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            if (has(r)) {
                return (System.nanoTime() - start) / 1e6;
            }
            Thread.sleep(fresh ? 1 : 20);
        }
        throw new IllegalStateException(subject + " never became visible on " + checkResource + "#" + permission);
    }

    // ---- lookups --------------------------------------------------------------------------------

    /** Runs a lookup, reading the stream as it comes: results, time to the first result, total. */
    public LookupTiming lookup(Workload.Lookup l) throws Exception {
        JsonObject body = new JsonObject().put("consistency", consistency(false)).put("permission", l.permission());
        String path;
        if (l.resources()) {
            path = "/v1/permissions/resources";
            body.put("resourceObjectType", l.typeOrResource()).put("subject", subject(l.subject()));
        } else {
            path = "/v1/permissions/subjects";
            body.put("resource", ref(l.typeOrResource())).put("subjectObjectType", l.subject());
        }
        long start = System.nanoTime();
        AtomicLong first = new AtomicLong();
        AtomicLong lines = new AtomicLong();
        CompletableFuture<Long> end = new CompletableFuture<>();
        io.vertx.core.Handler<io.vertx.core.http.HttpClientResponse> read = resp -> {
            if (resp.statusCode() != 200) {
                resp.body().onComplete(b -> end.completeExceptionally(new IllegalStateException(
                        l.label() + " answered " + resp.statusCode() + ": " + b.result())));
                return;
            }
            resp.handler(chunk -> {
                first.compareAndSet(0, System.nanoTime());
                for (int i = 0; i < chunk.length(); i++) {
                    if (chunk.getByte(i) == '\n') {
                        lines.incrementAndGet();
                    }
                }
            });
            resp.exceptionHandler(end::completeExceptionally);
            resp.endHandler(v -> end.complete(System.nanoTime()));
        };
        // The handlers are set inside the send's own continuation, as the response arrives (see post).
        client.request(options(path, LOOKUP_TIMEOUT_MS))
                .compose(req -> req.putHeader("Authorization", "Bearer " + key)
                        .send(body.toBuffer()).onSuccess(read))
                .onFailure(end::completeExceptionally);
        long finished = end.get(10, TimeUnit.MINUTES);
        long firstAt = first.get() == 0 ? finished : first.get();
        return new LookupTiming(l.label(), (int) lines.get(), (firstAt - start) / 1e6, (finished - start) / 1e6);
    }

    @Override
    public void close() {
        client.close();
        vertx.close();
    }

    /** Reads the server's counters from {@code /metrics} (Prometheus text). */
    static final class MetricsReader {

        record Snapshot(double storeCalls, double cacheHits, double cacheMisses, double relationshipHits,
                double relationshipMisses) {

            double hitRate(Snapshot before) {
                return rate(cacheHits - before.cacheHits, cacheMisses - before.cacheMisses);
            }

            double relationshipHitRate(Snapshot before) {
                return rate(relationshipHits - before.relationshipHits, relationshipMisses - before.relationshipMisses);
            }

            private static double rate(double hits, double misses) {
                return hits + misses == 0 ? 0 : hits / (hits + misses);
            }
        }

        private final HttpClient client;

        MetricsReader(HttpClient client) {
            this.client = client;
        }

        Snapshot read() throws Exception {
            String text = client.request(HttpMethod.GET, "/metrics").compose(r -> r.send().compose(x -> x.body()))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).toString();
            java.util.Map<String, Double> sums = new java.util.HashMap<>();
            for (String line : text.split("\n")) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int end = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
                sums.merge(line.substring(0, end), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)),
                        Double::sum);
            }
            return new Snapshot(sums.getOrDefault("relata_store_calls_seconds_count", 0.0),
                    sums.getOrDefault("relata_engine_cache_hits", 0.0),
                    sums.getOrDefault("relata_engine_cache_misses", 0.0),
                    sums.getOrDefault("relata_engine_relationship_cache_hits", 0.0),
                    sums.getOrDefault("relata_engine_relationship_cache_misses", 0.0));
        }
    }
}
