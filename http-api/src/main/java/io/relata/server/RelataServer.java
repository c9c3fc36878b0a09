package io.relata.server;

import io.micrometer.core.instrument.Gauge;
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
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
    private final HttpHandlers http;
    private final ApiKeys keys;
    private final Authenticator authenticator;
    private final Access access;
    private final AccessOptions accessOptions;
    private Router router;
    private HttpServer server;
    private GrpcServer grpc;
    private volatile boolean stopping;
    private boolean playground;
    private final javax.sql.DataSource postgresPool;
    private final Tracing tracing;

    /**
     * A server over {@code store}, with tenants' keys in {@code keys};
     * {@link #stop(java.time.Duration)} closes the engine but not the store.
     */
    public RelataServer(ServerConfig config, TupleStore store, ApiKeys keys) {
        this(config, store, keys, AccessOptions.DEFAULTS);
    }

    /** {@link #RelataServer(ServerConfig, TupleStore, ApiKeys)} with its key cache and metrics key. */
    public RelataServer(ServerConfig config, TupleStore store, ApiKeys keys, AccessOptions access) {
        this(config, store, keys, Authenticator.of(config, keys, access.keyCacheTtl()), access, Tracing.OFF);
    }

    /** A server whose requests {@code authenticator} turns into tenants (keys serve the admin API). */
    RelataServer(ServerConfig config, TupleStore store, ApiKeys keys, Authenticator authenticator) {
        this(config, store, keys, authenticator, AccessOptions.DEFAULTS, Tracing.OFF);
    }

    /** A server that traces its requests with {@code tracing}, which it closes when it stops. */
    RelataServer(ServerConfig config, TupleStore store, ApiKeys keys, Authenticator authenticator, Tracing tracing) {
        this(config, store, keys, authenticator, AccessOptions.DEFAULTS, tracing);
    }

    /** The server {@code serve} runs: its keys' cache and metrics key, and its tracing. */
    RelataServer(ServerConfig config, TupleStore store, ApiKeys keys, Authenticator authenticator,
            AccessOptions accessOptions, Tracing tracing) {
        this.accessOptions = accessOptions;
        this.access = new Access(authenticator, metrics);
        this.config = config;
        this.tracing = tracing;
        this.store = tracing.traced(new MeteredTupleStore(store, metrics),
                store instanceof PostgresTupleStore ? "postgresql" : "memory");
        this.postgresPool = store instanceof PostgresTupleStore p ? p.dataSource() : null;
        this.keys = keys;
        this.authenticator = authenticator;
        com.zaxxer.hikari.HikariDataSource pool = store instanceof PostgresTupleStore postgres
                ? unwrapped(postgres.dataSource()) : null;
        if (pool != null) {
            try {
                pool.setMetricRegistry(metrics);
            } catch (IllegalStateException alreadySet) {
                // The pool reports to another registry already (several servers over one pool).
            }
        }
        GraphCheckEngine graph = new GraphCheckEngine(this.store, config.engine(), tracing.dispatches());
        this.engine = graph;
        this.workers = vertx.createSharedWorkerExecutor("relata-api", WORKERS, 60, TimeUnit.SECONDS);
        ConsistencyResolver resolver = new ConsistencyResolver(this.store, new ZookieCodec(config.tokenSecret()),
                config.quantization(), Clock.systemUTC());
        this.api = new Api(this.store, engine, resolver, config, metrics);
        this.http = new HttpHandlers(vertx, workers, metrics, authenticator, access, config, api, () -> stopping);
        Gauge.builder("relata.engine.dispatches", graph, GraphCheckEngine::dispatches).register(metrics);
        Gauge.builder("relata.engine.cache.hits", graph, g -> g.cacheStats().hitCount()).register(metrics);
        Gauge.builder("relata.engine.cache.misses", graph, g -> g.cacheStats().missCount()).register(metrics);
        Gauge.builder("relata.engine.relationship.cache.hits", graph, g -> g.relationshipCacheStats().hitCount())
                .register(metrics);
        Gauge.builder("relata.engine.relationship.cache.misses", graph, g -> g.relationshipCacheStats().missCount())
                .register(metrics);
        GroupIndexMetrics.register(metrics, graph);
        for (String tenant : config.presharedKeys().values()) {
            this.store.createTenant(tenant);
        }
    }

    /** The HTTP API's workers: they answer unary requests; streams run on threads of their own ({@link Streams}). */
    static final int WORKERS = 16;

    /** The client-stream paths: their bodies are read as they come, for as long as the import runs. */
    private static final String[] IMPORT_PATHS = {"/v1/relationships/importbulk",
        "/v1/experimental/relationships/bulkimport"};

    private static com.zaxxer.hikari.HikariDataSource unwrapped(javax.sql.DataSource source) {
        try {
            return source.isWrapperFor(com.zaxxer.hikari.HikariDataSource.class)
                    ? source.unwrap(com.zaxxer.hikari.HikariDataSource.class) : null;
        } catch (java.sql.SQLException e) {
            return null;
        }
    }

    /**
     * A body the HTTP decoder cannot read (a malformed chunk) is the client's mistake: one log
     * line and 400, not a stack trace. Other failures go on to the error handlers.
     */
    private void malformedBody(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (!(failure instanceof io.netty.handler.codec.DecoderException || failure instanceof NumberFormatException)) {
            ctx.next();
            return;
        }
        LoggerHolder.LOG.info("refused a malformed request body on {}: {}", ctx.request().path(), failure.toString());
        if (!ctx.response().headWritten() && !ctx.response().closed()) {
            HttpHandlers.error(ctx.response(), Errors.status(3, "the request body cannot be read: " + failure.getMessage()));
            // Vert.x closes the connection as soon as this returns, before it flushes what was
            // written while reading; flush now so the client gets its 400.
            if (ctx.request().connection() instanceof io.vertx.core.net.impl.ConnectionBase connection) {
                connection.channel().flush();
            }
        }
    }

    /** Starts listening; the future gives the port. */
    public Future<Integer> start() {
        Router router = Router.router(vertx);
        this.router = router;
        HttpTracing traced = HttpTracing.register(router, tracing);
        router.route().failureHandler(this::malformedBody);
        // Client streams: the body is read as the import pulls it, so these come before the body handler.
        http.clientStream(router, IMPORT_PATHS[0], api::importBulk);
        http.clientStream(router, IMPORT_PATHS[1], api::bulkImportRelationships);
        // Bodies only for the API, never to disk (no file uploads).
        router.post("/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        router.post("/relata/v1/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        HttpTracing.afterBodies(router, traced);
        router.get("/healthz").handler(ctx -> HttpHandlers.json(ctx.response(), 200, new JsonObject().put("status", "ok")));
        router.get("/readyz").handler(this::ready);
        // Scrapes on a thread of their own: never queued behind requests when every worker is busy
        // (when metrics matter most), and one at a time however many scrapers come.
        router.get("/metrics").handler(new MetricsRoute(vertx.createSharedWorkerExecutor("relata-metrics", 1),
                metrics, accessOptions.metricsKey()));
        http.unary(router, "/v1/schema/write", api::schemaWrite);
        http.unary(router, "/v1/schema/read", api::schemaRead);
        // Schema reflection; the experimental paths take and give the same JSON.
        for (String prefix : new String[] {"/v1/schema/", "/v1/experimental/"}) {
            http.unary(router, prefix + "reflectschema", api::reflectSchema);
            http.unary(router, prefix + "diffschema", api::diffSchema);
            http.unary(router, prefix + "permissions/computable", api::computablePermissions);
            http.unary(router, prefix + "permissions/dependent", api::dependentRelations);
        }
        http.unary(router, "/v1/relationships/write", api::relationshipsWrite);
        http.stream(router, "/v1/relationships/read", api::relationshipsRead);
        http.unary(router, "/v1/relationships/delete", api::relationshipsDelete);
        http.unary(router, "/v1/permissions/check", api::check, api::cachedCheck);
        http.unary(router, "/v1/permissions/checkbulk", api::checkBulk);
        http.unary(router, "/v1/permissions/expand", api::expand);
        http.stream(router, "/v1/permissions/resources", api::lookupResources);
        http.stream(router, "/v1/permissions/subjects", api::lookupSubjects);
        router.post("/v1/watch").handler(http::watch);
        http.stream(router, "/v1/relationships/exportbulk", api::exportBulk);
        http.stream(router, "/v1/experimental/relationships/bulkexport", api::bulkExportRelationships);
        http.unary(router, "/v1/experimental/permissions/bulkcheckpermission", api::bulkCheckPermission);
        // Relata's own paths: what SpiceDB's messages have no field for.
        http.unary(router, "/relata/v1/permissions/expand", api::expandWithConditions);
        http.unary(router, "/relata/v1/permissions/explain", api::explain);
        http.unary(router, "/relata/v1/schema/validate", api::validateSchema);
        http.unary(router, "/relata/v1/validation/run", api::runValidationFile);
        if (playground) {
            PlaygroundPages.route(router);
        }
        http.unary(router, "/relata/v1/permissions/check", api.composites()::check);
        http.unary(router, "/relata/v1/permissions/checkbulk", api.composites()::checkBulk);
        http.stream(router, "/relata/v1/permissions/resources", api.composites()::lookupResources);
        http.admin(router, "/v1/tenants/create", body -> {
            String name = Json.string(body, "name", true);
            boolean created = store.createTenant(name);
            return new JsonObject().put("name", name).put("created", created);
        });
        http.admin(router, "/v1/tenants/keys/create", body -> {
            ApiKeys.NewKey key = keys.create(Json.string(body, "tenant", true), Json.string(body, "label", false),
                    KeyAccessJson.of(body));
            authenticator.keyCreated(key.secret());
            return new JsonObject().put("keyId", key.keyId()).put("key", key.secret());
        });
        http.admin(router, "/v1/tenants/keys/revoke", body -> {
            boolean revoked = keys.revoke(Json.string(body, "tenant", true), Json.string(body, "keyId", true));
            authenticator.keyRevoked();
            if (!revoked) {
                throw new ApiException(ApiException.NOT_FOUND, "the tenant has no such key");
            }
            return new JsonObject().put("revoked", true);
        });
        http.admin(router, "/v1/tenants/keys/list", body -> {
            JsonArray list = new JsonArray();
            keys.list(Json.string(body, "tenant", true)).forEach(k -> list.add(KeyAccessJson.put(new JsonObject()
                    .put("keyId", k.keyId()).put("label", k.label()).put("revoked", k.revoked()), k.access())));
            return new JsonObject().put("keys", list);
        });
        router.route().last().handler(ctx -> HttpHandlers.error(ctx.response(), Errors.status(5, "Not Found")));
        router.errorHandler(413, ctx -> HttpHandlers.error(ctx.response(), Errors.status(3,
                "the request body is larger than " + config.maxBodyBytes() + " bytes")));
        router.errorHandler(500, ctx -> HttpHandlers.error(ctx.response(), Errors.of(ctx.failure())));

        io.vertx.core.http.HttpServerOptions options = new io.vertx.core.http.HttpServerOptions()
                .setMaxFormAttributeSize((int) Math.min(Integer.MAX_VALUE, config.maxBodyBytes()))
                // HTTP/1.1 only (gRPC has its own port): a connection is one at once, not after it
                // sends enough to tell HTTP/1 from HTTP/2, so the header timeout runs from the start.
                .setHttp2ClearTextEnabled(false)
                .setSslHandshakeTimeout(config.connections().headerTimeout().toMillis())
                .setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
        if (config.tls()) {
            options.setSsl(true).setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                    .setCertPath(config.tlsCertPath().toString()).setKeyPath(config.tlsKeyPath().toString()));
        }
        server = vertx.createHttpServer(options);
        new ConnectionGuard(vertx, config.connections(), Set.of(IMPORT_PATHS)).guard(server, router);
        return server.listen(config.port(), config.host()).map(HttpServer::actualPort);
    }

    /** Serves the playground page at {@code /playground} (see {@link PlaygroundPages}); call before {@link #start()}. */
    void servePlayground() {
        playground = true;
    }

    /**
     * Starts SpiceDB's gRPC API on {@code port} (0 picks a free one) over the same service
     * layer and authenticator, with the config's TLS certificate when it has one; gives the port.
     */
    public synchronized int startGrpc(int port) {
        if (grpc != null) {
            throw new IllegalStateException("the gRPC server is already started");
        }
        GrpcServer starting = new GrpcServer(api, access, config.host(), port, config.maxBodyBytes(),
                config.connections(),
                config.tls() ? config.tlsCertPath().toFile() : null, config.tls() ? config.tlsKeyPath().toFile() : null,
                GrpcTracing.of(tracing));
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
            api.streams().close();
            api.audit().log().close();
            engine.close();
            tracing.close();
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(millis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LoggerHolder.LOG.warn("closing Vert.x: {}", e.toString());
            }
        }
    }

    /**
     * Records every decision and write from now on in {@code target}, a file appended to or
     * {@code stdout} ({@code --audit-log}); the server closes it (writing what is queued) when it stops.
     */
    public void auditTo(String target) throws java.io.IOException {
        api.audit().to(AuditWriter.open(target, metrics));
    }

    private static final class LoggerHolder {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RelataServer.class);
    }

    /** The exact paths of the HTTP routes, once started (for the test that every one is in {@link Operation}). */
    java.util.List<String> routePaths() {
        return router.getRoutes().stream().filter(r -> r.getPath() != null && r.isExactPath())
                .map(io.vertx.ext.web.Route::getPath).distinct().sorted().toList();
    }

    /** The full names of the gRPC methods served, once {@link #startGrpc} has run. */
    synchronized java.util.List<String> grpcMethods() {
        return grpc.methods();
    }

    /** The meters of this server (what {@code /metrics} renders). */
    PrometheusMeterRegistry meters() {
        return metrics;
    }

    /** The authenticator of this server's requests, for the other transports to share. */
    Authenticator authenticator() {
        return authenticator;
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
            HttpHandlers.json(ctx.response(), result.succeeded() ? 200 : 503,
                    new JsonObject().put("status", result.succeeded() ? "ready" : "not ready"));
        });
    }

}
