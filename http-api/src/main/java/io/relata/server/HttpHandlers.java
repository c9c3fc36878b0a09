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
    private final Access access;
    private final ServerConfig config;
    private final Api api;
    private final BooleanSupplier stopping;
    private final Streams streams;
    private final RequestQueue queue;

    HttpHandlers(Vertx vertx, WorkerExecutor workers, MeterRegistry metrics, Authenticator authenticator,
            Access access, ServerConfig config, Api api, BooleanSupplier stopping) {
        this.access = access;
        this.vertx = vertx;
        this.workers = workers;
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.config = config;
        this.api = api;
        this.stopping = stopping;
        this.streams = api.streams();
        this.queue = api.queue(RelataServer.WORKERS);
    }

    /**
     * {@code work} on the worker pool once the bounded queue admits it ({@link RequestQueue});
     * {@code done} gets its result on the calling context.
     *
     * @throws ApiException RESOURCE_EXHAUSTED when the queue is full
     */
    private <T> void admitted(String key, java.util.concurrent.Callable<T> work,
            io.vertx.core.Handler<io.vertx.core.AsyncResult<T>> done) {
        queue.enter(key);
        workers.executeBlocking(work, false).onComplete(result -> {
            queue.leave(key);
            done.handle(result);
        });
    }

    /** The bearer key of a request; refused without one. */
    static String bearer(RoutingContext ctx) {
        return Authenticator.bearerKey(ctx.request().getHeader("Authorization"));
    }

    /**
     * The tenant of a key allowed {@code operation} on {@code body} (blocking: it may ask the
     * datastore): the key is authenticated (no hint of why one failed), then the body parsed,
     * then the key's scopes and resource types checked ({@link Access}).
     */
    private String tenant(String key, Operation operation, String body, JsonObject[] parsed) {
        Audit.caller(null);
        Caller caller = access.caller(key);
        Audit.caller(caller);
        if (parsed[0] == null) {
            parsed[0] = parse(body);
        }
        access.require(caller, operation, () -> parsed[0]);
        return caller.tenant();
    }

    void admin(Router router, String path, java.util.function.Function<JsonObject, JsonObject> work) {
        requireAdmin(Operation.ofHttp(path), path);
        router.post(path).handler(ctx -> {
            try {
                String key = bearer(ctx);
                authenticator.requireAdmin(key);
                String body = body(ctx);
                admitted(key, propagating(() -> work.apply(parse(body))), result -> {
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

    /** Refuses to register {@code path} as an admin route unless the operation table says it is one. */
    private static void requireAdmin(Operation operation, String path) {
        if (operation != Operation.ADMIN) {
            throw new IllegalStateException(path + " is not an admin route in the operation table");
        }
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
        Operation operation = Operation.ofHttp(path);
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            try {
                String key = bearer(ctx);
                String body = body(ctx);
                JsonObject parsed = null;
                Caller known = fast == null || body == null || body.length() > FAST_BODY_CHARS ? null
                        : access.knownCaller(key);
                if (known != null) {
                    try {
                        JsonObject request = parse(body);
                        parsed = request;
                        // A refusal is left to the worker, which reports (and counts) it.
                        Audit.caller(known);
                        JsonObject answer = access.permits(known, operation, () -> request)
                                ? fast.apply(known.tenant(), request) : null;
                        if (answer != null) {
                            json(ctx.response(), 200, answer);
                            sample.stop(requestTimer(path, 200));
                            return;
                        }
                    } catch (RuntimeException e) {
                        parsed = null;
                    }
                }
                JsonObject[] given = {parsed};
                admitted(key, propagating(() -> work.apply(tenant(key, operation, body, given), given[0])),
                        result -> answer(ctx, path, sample, result));
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
        Operation operation = Operation.ofHttp(path);
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            ctx.request().pause();
            NdjsonLines[] opened = new NdjsonLines[1];
            try {
                String key = bearer(ctx);
                NdjsonLines lines = NdjsonLines.open(ctx.request(), vertx.getOrCreateContext(), config.maxBodyBytes(),
                        CLIENT_STREAM_IDLE_MILLIS);
                opened[0] = lines;
                // The request names no types before its lines come: it is checked as an empty body.
                admitted(key, propagating(() -> work.apply(tenant(key, operation, null, new JsonObject[1]), lines)), result -> {
                    lines.discardRest();
                    answer(ctx, path, sample, result);
                });
            } catch (RuntimeException e) {
                // Refused before the work took the body (e.g. 429): the lines already flowing are
                // dropped, so the body is read to its end and the connection is not left paused.
                if (opened[0] != null) {
                    opened[0].discardRest();
                } else {
                    ctx.request().resume();
                }
                error(ctx.response(), Errors.of(e));
                sample.stop(requestTimer(path, ctx.response().getStatusCode()));
            }
        });
    }

    /** The work of a streaming endpoint: writes result lines to the sink as it finds them. */
    interface StreamWork {
        void run(String tenant, JsonObject body, Api.Sink sink);
    }

    /**
     * A server stream: the work runs on a stream thread ({@link Streams}), never on the workers
     * that answer checks, in one of the tenant's stream slots. When the client reads slower than
     * lines come, the work waits for it (so lines do not pile up in memory), and after the stall
     * timeout the stream ends with an error line rather than a clean end.
     */
    void stream(Router router, String path, StreamWork work) {
        Operation operation = Operation.ofHttp(path);
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
                        if (!awaitDrain(context, response, streams.stallMillis())) {
                            stalled.set(!response.closed());
                            return false;
                        }
                        return true;
                    } catch (RuntimeException closed) {
                        return false;
                    }
                };
                streams.submit(propagating(() -> {
                    Throwable failure = null;
                    try {
                        JsonObject[] parsed = new JsonObject[1];
                        String tenant = tenant(key, operation, body, parsed);
                        try (Streams.Slot slot = streams.open(tenant)) {
                            work.run(tenant, parsed[0], sink);
                        }
                    } catch (Throwable e) {
                        failure = e;
                    }
                    Throwable failed = failure;
                    context.runOnContext(v -> {
                        if (response.closed() || response.ended()) {
                            return;
                        }
                        Errors.Status error = stalled.get() ? streams.stalled()
                                : failed == null ? null : Errors.of(failed);
                        if (error != null && !started.get()) {
                            error(response, error);
                        } else if (error != null) {
                            response.end(new JsonObject().put("error", error.json()).encode() + "\n");
                        } else if (!started.get()) {
                            response.setStatusCode(200).putHeader("content-type", "application/json").end();
                        } else {
                            response.end();
                        }
                        sample.stop(requestTimer(path, response.getStatusCode()));
                    });
                }));
            } catch (RuntimeException e) {
                error(response, Errors.of(e));
            }
        });
    }

    /**
     * When the client reads slower than results come, waits (on the stream's thread) until the
     * response's write queue drains, so results do not pile up in memory; false when the
     * client went away or did not read for {@code stallMillis}.
     */
    private static boolean awaitDrain(io.vertx.core.Context context, HttpServerResponse response, long stallMillis) {
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
            return drained.await(stallMillis, TimeUnit.MILLISECONDS) && !response.closed();
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
            JsonObject[] parsed = new JsonObject[1];
            admitted(key, propagating(() -> {
                String tenant = tenant(key, Operation.WATCH, body, parsed);
                Streams.Slot slot = streams.open(tenant);
                try {
                    return new Watching(api.watch(tenant, parsed[0]), parsed[0], slot);
                } catch (RuntimeException e) {
                    slot.close();
                    throw e;
                }
            }), started -> {
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

    /** A watch, its request (each poll checks the key against it again) and the stream slot it holds until it ends. */
    record Watching(ChangeFeed.Watch watch, JsonObject request, Streams.Slot slot, SkippedPolls refused,
            SkippedPolls timedOut) {
        Watching(ChangeFeed.Watch watch, JsonObject request, Streams.Slot slot) {
            this(watch, request, slot, new SkippedPolls(), new SkippedPolls());
        }
    }

    static final long WATCH_POLL_MILLIS = 200;

    /**
     * Polls the watch on a worker (holding none between polls) and writes what it finds; gives back
     * its slot at its end. Each poll is admitted as a request is ({@link RequestQueue#tryEnter}):
     * while the queue is full or the key has its limit in flight, or when its change-log read timed
     * out, the poll waits for the next tick; once polls have been skipped so for longer than the
     * stall timeout, the watch ends with a last error line ({@link SkippedPolls}).
     */
    void pollWatch(HttpServerResponse response, String key, Watching watching) {
        if (response.closed() || stopping.getAsBoolean()) {
            watching.slot().close();
            if (!response.ended() && !response.closed()) {
                response.end();
            }
            return;
        }
        if (!queue.tryEnter(key)) {
            if (watching.refused().skipped(streams.stallMillis())) {
                endWatch(response, watching, SkippedPolls.refused(streams.stallMillis()));
            } else {
                vertx.setTimer(WATCH_POLL_MILLIS, id -> pollWatch(response, key, watching));
            }
            return;
        }
        watching.refused().ran();
        workers.executeBlocking(() -> {
            access.tenant(key, Operation.WATCH, watching::request); // a revoked key ends the stream
            return api.poll(watching.watch());
        }, false).onComplete(result -> {
            queue.leave(key);
            if (result.failed() && SkippedPolls.isTimeout(result.cause())) {
                // A read that timed out skips this tick, up to the stall timeout.
                if (watching.timedOut().skipped(streams.stallMillis())) {
                    endWatch(response, watching, SkippedPolls.timedOut(streams.stallMillis()));
                } else {
                    vertx.setTimer(WATCH_POLL_MILLIS, id -> pollWatch(response, key, watching));
                }
                return;
            }
            if (result.failed()) {
                endWatch(response, watching, Errors.of(result.cause()));
                return;
            }
            watching.timedOut().ran();
            for (JsonObject line : result.result()) {
                if (!response.closed()) {
                    response.write(new JsonObject().put("result", line).encode() + "\n");
                }
            }
            if (response.writeQueueFull()) {
                // A client that does not read is dropped rather than buffered without end.
                watching.slot().close();
                response.reset();
                return;
            }
            vertx.setTimer(WATCH_POLL_MILLIS, id -> pollWatch(response, key, watching));
        });
    }

    /** Ends a watch with a last line {@code {"error": ...}} and gives back its stream slot. */
    private static void endWatch(HttpServerResponse response, Watching watching, Errors.Status error) {
        watching.slot().close();
        if (!response.closed()) {
            response.end(new JsonObject().put("error", error.json()).encode() + "\n");
        }
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
