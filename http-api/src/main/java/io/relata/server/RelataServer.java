package io.relata.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.relata.engine.CheckEngine;
import io.relata.engine.GraphCheckEngine;
import io.relata.migrations.Migrator;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.zookie.ConsistencyResolver;
import io.relata.zookie.ZookieCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * The HTTP server: SpiceDB's v1 JSON API on Vert.x. Handlers only authenticate, parse and
 * hand the work to {@link Api} on a worker pool, so the event loop never waits on the
 * database or the engine; every error is rendered by {@link Errors}.
 */
public final class RelataServer {

    private final ServerConfig config;
    private final TupleStore store;
    private final CheckEngine engine;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Vertx vertx = Vertx.vertx();
    private final WorkerExecutor workers;
    private final Api api;
    private final ApiKeys keys;
    private final Authenticator authenticator;
    private HttpServer server;
    private GrpcServer grpc;
    private volatile boolean stopping;
    private final javax.sql.DataSource postgresPool;

    /**
     * A server over {@code store}, with tenants' keys in {@code keys};
     * {@link #stop(java.time.Duration)} closes the engine but not the store.
     */
    public RelataServer(ServerConfig config, TupleStore store, ApiKeys keys) {
        this(config, store, keys, Authenticator.of(config, keys));
    }

    /** A server whose requests {@code authenticator} turns into tenants (keys serve the admin API). */
    RelataServer(ServerConfig config, TupleStore store, ApiKeys keys, Authenticator authenticator) {
        this.config = config;
        this.store = new MeteredTupleStore(store, metrics);
        this.postgresPool = store instanceof PostgresTupleStore p ? p.dataSource() : null;
        this.keys = keys;
        this.authenticator = authenticator;
        if (store instanceof PostgresTupleStore postgres
                && postgres.dataSource() instanceof com.zaxxer.hikari.HikariDataSource pool) {
            try {
                pool.setMetricRegistry(metrics);
            } catch (IllegalStateException alreadySet) {
                // The pool reports to another registry already (several servers over one pool).
            }
        }
        GraphCheckEngine graph = new GraphCheckEngine(this.store, config.engine());
        this.engine = graph;
        this.workers = vertx.createSharedWorkerExecutor("relata-api", 16, 60, TimeUnit.SECONDS);
        ConsistencyResolver resolver = new ConsistencyResolver(this.store, new ZookieCodec(config.tokenSecret()),
                config.quantization(), Clock.systemUTC());
        this.api = new Api(this.store, engine, resolver, config, metrics);
        Gauge.builder("relata.engine.dispatches", graph, GraphCheckEngine::dispatches).register(metrics);
        Gauge.builder("relata.engine.cache.hits", graph, g -> g.cacheStats().hitCount()).register(metrics);
        Gauge.builder("relata.engine.cache.misses", graph, g -> g.cacheStats().missCount()).register(metrics);
        Gauge.builder("relata.engine.relationship.cache.hits", graph, g -> g.relationshipCacheStats().hitCount())
                .register(metrics);
        Gauge.builder("relata.engine.relationship.cache.misses", graph, g -> g.relationshipCacheStats().missCount())
                .register(metrics);
        for (String tenant : config.presharedKeys().values()) {
            this.store.createTenant(tenant);
        }
    }

    /** Starts listening; the future gives the port. */
    public Future<Integer> start() {
        Router router = Router.router(vertx);
        // Client streams: the body is read as the import pulls it, so these come before the body handler.
        clientStream(router, "/v1/relationships/importbulk", api::importBulk);
        clientStream(router, "/v1/experimental/relationships/bulkimport", api::bulkImportRelationships);
        // Bodies only for the API, never to disk (no file uploads).
        router.post("/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.post("/relata/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.get("/healthz").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("status", "ok")));
        router.get("/readyz").handler(this::ready);
        router.get("/metrics").handler(ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4")
                .end(metrics.scrape()));
        unary(router, "/v1/schema/write", api::schemaWrite);
        unary(router, "/v1/schema/read", api::schemaRead);
        // Schema reflection; the experimental paths take and give the same JSON.
        for (String prefix : new String[] {"/v1/schema/", "/v1/experimental/"}) {
            unary(router, prefix + "reflectschema", api::reflectSchema);
            unary(router, prefix + "diffschema", api::diffSchema);
            unary(router, prefix + "permissions/computable", api::computablePermissions);
            unary(router, prefix + "permissions/dependent", api::dependentRelations);
        }
        unary(router, "/v1/relationships/write", api::relationshipsWrite);
        stream(router, "/v1/relationships/read", api::relationshipsRead);
        unary(router, "/v1/relationships/delete", api::relationshipsDelete);
        unary(router, "/v1/permissions/check", api::check);
        unary(router, "/v1/permissions/checkbulk", api::checkBulk);
        unary(router, "/v1/permissions/expand", api::expand);
        stream(router, "/v1/permissions/resources", api::lookupResources);
        stream(router, "/v1/permissions/subjects", api::lookupSubjects);
        router.post("/v1/watch").handler(this::watch);
        stream(router, "/v1/relationships/exportbulk", api::exportBulk);
        stream(router, "/v1/experimental/relationships/bulkexport", api::bulkExportRelationships);
        unary(router, "/v1/experimental/permissions/bulkcheckpermission", api::bulkCheckPermission);
        // Relata's own paths: what SpiceDB's messages have no field for.
        unary(router, "/relata/v1/permissions/expand", api::expandWithConditions);
        admin(router, "/v1/tenants/create", body -> {
            String name = Json.string(body, "name", true);
            boolean created = store.createTenant(name);
            return new JsonObject().put("name", name).put("created", created);
        });
        admin(router, "/v1/tenants/keys/create", body -> {
            ApiKeys.NewKey key = keys.create(Json.string(body, "tenant", true), Json.string(body, "label", false));
            authenticator.keyCreated(key.secret());
            return new JsonObject().put("keyId", key.keyId()).put("key", key.secret());
        });
        admin(router, "/v1/tenants/keys/revoke", body -> {
            boolean revoked = keys.revoke(Json.string(body, "tenant", true), Json.string(body, "keyId", true));
            authenticator.keyRevoked();
            if (!revoked) {
                throw new ApiException(ApiException.NOT_FOUND, "the tenant has no such key");
            }
            return new JsonObject().put("revoked", true);
        });
        admin(router, "/v1/tenants/keys/list", body -> {
            JsonArray list = new JsonArray();
            keys.list(Json.string(body, "tenant", true)).forEach(k -> list.add(new JsonObject().put("keyId", k.keyId())
                    .put("label", k.label()).put("revoked", k.revoked())));
            return new JsonObject().put("keys", list);
        });
        router.route().last().handler(ctx -> error(ctx.response(), Errors.status(5, "Not Found")));
        router.errorHandler(413, ctx -> error(ctx.response(), Errors.status(3,
                "the request body is larger than " + config.maxBodyBytes() + " bytes")));
        router.errorHandler(500, ctx -> error(ctx.response(), Errors.of(ctx.failure())));
        io.vertx.core.http.HttpServerOptions options = new io.vertx.core.http.HttpServerOptions()
                .setMaxFormAttributeSize((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()));
        if (config.tls()) {
            options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                    .setCertPath(config.tlsCertPath().toString()).setKeyPath(config.tlsKeyPath().toString()));
        }
        server = vertx.createHttpServer(options);
        return server.requestHandler(router).listen(config.port(), config.host()).map(HttpServer::actualPort);
    }

    /**
     * Starts SpiceDB's gRPC API on {@code port} (0 picks a free one) over the same service
     * layer and authenticator, with the config's TLS certificate when it has one; gives the port.
     */
    public synchronized int startGrpc(int port) {
        if (grpc != null) {
            throw new IllegalStateException("the gRPC server is already started");
        }
        GrpcServer starting = new GrpcServer(api, authenticator::tenantOf, config.host(), port, config.maxBodyBytes(),
                config.tls() ? config.tlsCertPath().toFile() : null, config.tls() ? config.tlsKeyPath().toFile() : null);
        int bound;
        try {
            bound = starting.start();
        } catch (RuntimeException e) {
            starting.stop(0);
            throw e;
        }
        grpc = starting;
        return bound;
    }

    /** The port the gRPC API listens on, or -1 before {@link #startGrpc}. */
    public synchronized int grpcPort() {
        return grpc == null ? -1 : grpc.port();
    }

    /**
     * Stops accepting requests, lets those in flight finish (up to {@code grace}), then
     * closes the engine and Vert.x. Blocks; call it from outside the event loop.
     */
    public void stop(java.time.Duration grace) {
        long millis = grace.toMillis();
        stopping = true;
        try {
            // Both listeners stop together, each with the whole grace.
            java.util.concurrent.CompletableFuture<Void> http = server == null
                    ? java.util.concurrent.CompletableFuture.completedFuture(null)
                    : server.shutdown(millis, TimeUnit.MILLISECONDS).toCompletionStage().toCompletableFuture();
            if (grpc != null) {
                grpc.stop(millis);
            }
            http.get(millis + 1_000, TimeUnit.MILLISECONDS);
            workers.close().toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LoggerHolder.LOG.warn("stopping the HTTP server: {}", e.toString());
        } finally {
            engine.close();
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LoggerHolder.LOG.warn("closing Vert.x: {}", e.toString());
            }
        }
    }

    private static final class LoggerHolder {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RelataServer.class);
    }

    /** The authenticator of this server's requests, for the other transports to share. */
    Authenticator authenticator() {
        return authenticator;
    }

    /** The bearer key of a request; refused without one. */
    private static String bearer(RoutingContext ctx) {
        return Authenticator.bearerKey(ctx.request().getHeader("Authorization"));
    }

    /** The tenant a key belongs to (blocking: it may ask the datastore). No hint of why a key failed. */
    private String tenant(String key) {
        return authenticator.tenantOf(key);
    }

    private void admin(Router router, String path, java.util.function.Function<JsonObject, JsonObject> work) {
        router.post(path).handler(ctx -> {
            try {
                authenticator.requireAdmin(bearer(ctx));
                String body = body(ctx);
                workers.executeBlocking(() -> work.apply(parse(body)), false).onComplete(result -> {
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

    private static JsonObject parse(String text) {
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

    private void unary(Router router, String path, BiFunction<String, JsonObject, JsonObject> work) {
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            try {
                String key = bearer(ctx);
                String body = body(ctx);
                workers.executeBlocking(() -> work.apply(tenant(key), parse(body)), false).onComplete(result -> {
                    if (result.succeeded()) {
                        json(ctx.response(), 200, result.result());
                    } else {
                        error(ctx.response(), Errors.of(result.cause()));
                    }
                    sample.stop(requestTimer(path, ctx.response().getStatusCode()));
                });
            } catch (RuntimeException e) {
                error(ctx.response(), Errors.of(e));
                sample.stop(requestTimer(path, ctx.response().getStatusCode()));
            }
        });
    }

    /** How long a client stream's body may stop arriving before the work is abandoned. */
    static final long CLIENT_STREAM_IDLE_MILLIS = 60_000;

    /**
     * A client-streaming endpoint: the body is newline-delimited JSON, one request message a
     * line (each at most the body limit), handed to the work as an iterator that reads the
     * body as the work pulls it, with backpressure ({@link NdjsonLines}); one JSON answer.
     */
    private void clientStream(Router router, String path,
            BiFunction<String, java.util.Iterator<JsonObject>, JsonObject> work) {
        router.post(path).handler(ctx -> {
            Timer.Sample sample = Timer.start(metrics);
            ctx.request().pause();
            try {
                String key = bearer(ctx);
                NdjsonLines lines = NdjsonLines.open(ctx.request(), vertx.getOrCreateContext(), config.maxBodyBytes(),
                        CLIENT_STREAM_IDLE_MILLIS);
                workers.executeBlocking(() -> work.apply(tenant(key), lines), false).onComplete(result -> {
                    lines.discardRest();
                    if (result.succeeded()) {
                        json(ctx.response(), 200, result.result());
                    } else {
                        error(ctx.response(), Errors.of(result.cause()));
                    }
                    sample.stop(requestTimer(path, ctx.response().getStatusCode()));
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

    private void stream(Router router, String path, StreamWork work) {
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
                workers.executeBlocking(() -> {
                    work.run(tenant(key), parse(body), sink);
                    return null;
                }, false).onComplete(result -> {
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
    private void watch(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        try {
            String key = bearer(ctx);
            String body = body(ctx);
            workers.executeBlocking(() -> api.watch(tenant(key), parse(body)), false).onComplete(started -> {
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

    private void pollWatch(HttpServerResponse response, String key, Api.Watch watch) {
        if (response.closed() || stopping) {
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

    /** Request latency of an endpoint, as a histogram (Prometheus buckets). */
    private Timer requestTimer(String path, int status) {
        return Timer.builder("relata.http.requests").tag("endpoint", path).tag("status", Integer.toString(status))
                .publishPercentileHistogram().register(metrics);
    }

    private void ready(RoutingContext ctx) {
        workers.executeBlocking(() -> {
            store.tenantExists("default");
            if (postgresPool != null && !new Migrator(postgresPool).isCurrent()) {
                throw new IllegalStateException("migrations are not current");
            }
            return true;
        }, false).onComplete(result -> {
            if (result.failed()) {
                LoggerHolder.LOG.warn("not ready: {}", result.cause().toString());
            }
            json(ctx.response(), result.succeeded() ? 200 : 503,
                    new JsonObject().put("status", result.succeeded() ? "ready" : "not ready"));
        });
    }

    private static void json(HttpServerResponse response, int status, JsonObject body) {
        response.setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }

    private static void error(HttpServerResponse response, Errors.Status status) {
        if (!response.ended()) {
            json(response, status.http(), status.json());
        }
    }
}
