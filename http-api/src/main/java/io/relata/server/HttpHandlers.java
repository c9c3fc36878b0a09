package io.relata.server;

import static io.relata.server.Tracing.propagating;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * How the HTTP routes run: each handler authenticates, hands the work to {@link Api} on the
 * worker pool, so the event loop never waits on the database or the engine, and writes the
 * JSON answer, a newline-delimited stream, or the error {@link Errors} renders.
 */
final class HttpHandlers {

    private final Vertx vertx;
    private final WorkerExecutor workers;
    private final MeterRegistry metrics;
    private final Authenticator authenticator;
    private final ServerConfig config;
    private final Api api;
    private final BooleanSupplier stopping;

    HttpHandlers(Vertx vertx, WorkerExecutor workers, MeterRegistry metrics, Authenticator authenticator,
            ServerConfig config, Api api, BooleanSupplier stopping) {
        this.vertx = vertx;
        this.workers = workers;
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.config = config;
        this.api = api;
        this.stopping = stopping;
    }

    /** The bearer key of a request; refused without one. */
    static String bearer(RoutingContext ctx) {
        return Authenticator.bearerKey(ctx.request().getHeader("Authorization"));
    }

    /** The tenant a key belongs to (blocking: it may ask the datastore). No hint of why a key failed. */
    String tenant(String key) {
        Audit.caller(key);
        return authenticator.tenantOf(key);
    }

    void admin(Router router, String path, java.util.function.Function<JsonObject, JsonObject> work) {
        router.post(path).handler(ctx -> {
            try {
                authenticator.requireAdmin(bearer(ctx));
                String body = body(ctx);
                workers.executeBlocking(propagating(() -> work.apply(parse(body))), false).onComplete(result -> {
                    if (result.succeeded()) {
                        json(ctx.response(), 200, result.result());
                    } else {
                        error(ctx.response(), Errors.of(result.cause()));
                    }
                });
            } catch (RuntimeException e) {
                error(ctx.response(), Errors.of(e));
            }
        });
    }

    /** The raw body (parsed on a worker by {@link #parse}, not on the event loop). */
    private static String body(RoutingContext ctx) {
        return ctx.body() == null ? null : ctx.body().asString();
    }

    static JsonObject parse(String text) {
        if (text == null || text.isBlank()) {
            return new JsonObject();
        }
        try {
            return new JsonObject(text);
        } catch (RuntimeException e) {
            throw ApiException.invalid("the request body is not a JSON object; send one, with Content-Type:"
                    + " application/json");
        }
    }

    void unary(Router router, String path, BiFunction<String, JsonObject, JsonObject> work) {
        unary(router, path, work, null);
    }

    /** The largest body (in characters) the event loop parses itself to try a route's fast answer. */
    static final int FAST_BODY_CHARS = 8 * 1024;

    /**
     * A unary route whose answer {@code fast} may give on the event loop, when the key's tenant
     * is known without the datastore and the body is small: it must never block, and gives null
     * to hand the request to {@code work} on a worker, as does any error it meets (the worker
     * then reports the error the request gets anyway, in the usual order). Null for none.
     */
    void unary(Router router, String path, BiFunction<String, JsonObject, JsonObject> work,
            BiFunction<String, JsonObject, JsonObject> fast) {
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            try {
                String key = bearer(ctx);
                String body = body(ctx);
                JsonObject parsed = null;
                String known = fast == null || body == null || body.length() > FAST_BODY_CHARS ? null
                        : authenticator.knownTenantOf(key);
                if (known != null) {
                    try {
                        parsed = parse(body);
                        Audit.caller(key);
                        JsonObject answer = fast.apply(known, parsed);
                        if (answer != null) {
                            json(ctx.response(), 200, answer);
                            sample.stop(requestTimer(path, 200));
                            return;
                        }
                    } catch (RuntimeException e) {
                        parsed = null;
                    }
                }
                JsonObject given = parsed;
                workers.executeBlocking(propagating(() -> work.apply(tenant(key), given != null ? given : parse(body))), false)
                        .onComplete(result -> answer(ctx, path, sample, result));
            } catch (RuntimeException e) {
                error(ctx.response(), Errors.of(e));
                sample.stop(requestTimer(path, ctx.response().getStatusCode()));
            }
        });
    }

    /** Writes a unary answer, or its error, and records the request's latency. */
    private void answer(RoutingContext ctx, String path, Timer.Sample sample,
            io.vertx.core.AsyncResult<JsonObject> result) {
        if (result.succeeded()) {
            json(ctx.response(), 200, result.result());
        } else {
            error(ctx.response(), Errors.of(result.cause()));
        }
        sample.stop(requestTimer(path, ctx.response().getStatusCode()));
    }

    /** How long a client stream's body may stop arriving before the work is abandoned. */
    static final long CLIENT_STREAM_IDLE_MILLIS = 60_000;

    /**
     * A client-streaming endpoint: the body is newline-delimited JSON, one request message a
     * line (each at most the body limit), handed to the work as an iterator that reads the
     * body as the work pulls it, with backpressure ({@link NdjsonLines}); one JSON answer.
     */
    void clientStream(Router router, String path,
            BiFunction<String, java.util.Iterator<JsonObject>, JsonObject> work) {
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            ctx.request().pause();
            try {
                String key = bearer(ctx);
                NdjsonLines lines = NdjsonLines.open(ctx.request(), vertx.getOrCreateContext(), config.maxBodyBytes(),
                        CLIENT_STREAM_IDLE_MILLIS);
                workers.executeBlocking(propagating(() -> work.apply(tenant(key), lines)), false).onComplete(result -> {
                    lines.discardRest();
                    answer(ctx, path, sample, result);
                });
            } catch (RuntimeException e) {
                ctx.request().resume();
                error(ctx.response(), Errors.of(e));
                sample.stop(requestTimer(path, ctx.response().getStatusCode()));
            }
        });
    }

    /** The work of a streaming endpoint: writes result lines to the sink as it finds them. */
    interface StreamWork {
        void run(String tenant, JsonObject body, Api.Sink sink);
    }

    void stream(Router router, String path, StreamWork work) {
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            HttpServerResponse response = ctx.response();
            AtomicBoolean started = new AtomicBoolean();
            AtomicBoolean stalled = new AtomicBoolean();
            try {
                String key = bearer(ctx);
                String body = body(ctx);
                io.vertx.core.Context context = vertx.getOrCreateContext();
                Api.Sink sink = line -> {
                    try {
                        if (response.closed()) {
                            return false;
                        }
                        if (started.compareAndSet(false, true)) {
                            response.setStatusCode(200).setChunked(true).putHeader("content-type", "application/json");
                        }
                        response.write(new JsonObject().put("result", line).encode() + "\n");
                        if (!awaitDrain(context, response)) {
                            stalled.set(!response.closed());
                            return false;
                        }
                        return true;
                    } catch (RuntimeException closed) {
                        return false;
                    }
                };
                workers.executeBlocking(propagating(() -> {
                    work.run(tenant(key), parse(body), sink);
                    return null;
                }), false).onComplete(result -> {
                    if (response.closed() || response.ended()) {
                        return;
                    }
                    if (stalled.get()) {
                        // Cut, not ended: a clean end would pass the stream off as complete.
                        response.reset();
                        return;
                    }
                    if (result.failed() && !started.get()) {
                        error(response, Errors.of(result.cause()));
                    } else if (result.failed()) {
                        response.end(new JsonObject().put("error", Errors.of(result.cause()).json()).encode() + "\n");
                    } else if (!started.get()) {
                        response.setStatusCode(200).putHeader("content-type", "application/json").end();
                    } else {
                        response.end();
                    }
                    sample.stop(requestTimer(path, response.getStatusCode()));
                });
            } catch (RuntimeException e) {
                error(response, Errors.of(e));
            }
        });
    }

    /**
     * When the client reads slower than results come, waits (on the worker) until the
     * response's write queue drains, so results do not pile up in memory; false when the
     * client went away or did not read for a minute.
     */
    private static boolean awaitDrain(io.vertx.core.Context context, HttpServerResponse response) {
        if (!response.writeQueueFull()) {
            return true;
        }
        java.util.concurrent.CountDownLatch drained = new java.util.concurrent.CountDownLatch(1);
        context.runOnContext(v -> {
            if (!response.writeQueueFull() || response.closed()) {
                drained.countDown();
            } else {
                response.drainHandler(x -> drained.countDown());
                response.closeHandler(x -> drained.countDown());
            }
        });
        try {
            return drained.await(60, TimeUnit.SECONDS) && !response.closed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A long-lived stream of changes: polls the store every {@link #WATCH_POLL_MILLIS} on a
     * worker and writes what it finds, until the client goes away or the server stops.
     */
    void watch(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        try {
            String key = bearer(ctx);
            String body = body(ctx);
            workers.executeBlocking(propagating(() -> api.watch(tenant(key), parse(body))), false).onComplete(started -> {
                if (started.failed()) {
                    error(response, Errors.of(started.cause()));
                    return;
                }
                response.setStatusCode(200).setChunked(true).putHeader("content-type", "application/json");
                response.write("");
                pollWatch(response, key, started.result());
            });
        } catch (RuntimeException e) {
            error(response, Errors.of(e));
        }
    }

    static final long WATCH_POLL_MILLIS = 200;

    void pollWatch(HttpServerResponse response, String key, ChangeFeed.Watch watch) {
        if (response.closed() || stopping.getAsBoolean()) {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
            return;
        }
        workers.executeBlocking(() -> {
            tenant(key); // a revoked key ends the stream
            return api.poll(watch);
        }, false).onComplete(result -> {
            if (result.failed()) {
                if (!response.closed()) {
                    response.end(new JsonObject().put("error", Errors.of(result.cause()).json()).encode() + "\n");
                }
                return;
            }
            for (JsonObject line : result.result()) {
                if (!response.closed()) {
                    response.write(new JsonObject().put("result", line).encode() + "\n");
                }
            }
            if (response.writeQueueFull()) {
                // A client that does not read is dropped rather than buffered without end.
                response.reset();
                return;
            }
            vertx.setTimer(WATCH_POLL_MILLIS, id -> pollWatch(response, key, watch));
        });
    }

    /** Per endpoint and status, its request timer (registered once, not looked up per request). */
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.ConcurrentHashMap<Integer, Timer>>
            timers = new java.util.concurrent.ConcurrentHashMap<>();

    /** Request latency of an endpoint, as a histogram (Prometheus buckets). */
    Timer requestTimer(String path, int status) {
        java.util.concurrent.ConcurrentHashMap<Integer, Timer> byStatus = timers.get(path);
        if (byStatus == null) {
            byStatus = timers.computeIfAbsent(path, p -> new java.util.concurrent.ConcurrentHashMap<>());
        }
        Timer timer = byStatus.get(status);
        return timer != null ? timer : byStatus.computeIfAbsent(status, s -> Timer.builder("relata.http.requests")
                .tag("endpoint", path).tag("status", Integer.toString(s)).publishPercentileHistogram().register(metrics));
    }

    static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    static void error(HttpServerResponse response, Errors.Status status) {
        if (!response.ended()) {
            json(response, status.http(), status.json());
        }
    }
}
