package io.relata.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.EngineOptions;
import io.relata.server.RelataServer;
import io.relata.server.ServerConfig;
import io.relata.store.Relationship;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A benchmark's server: a fresh PostgreSQL database holding a schema and relationships
 * (imported by COPY), and a Relata server on it in this JVM, on a free port, that accepts the
 * preshared key {@link #KEY}; its engine's deadline is {@link #DEADLINE}.
 */
final class BenchServer implements AutoCloseable {

    static final String KEY = "bench";
    /** Longer than the server's default (10 s), so that slow lookups are measured rather than cut off. */
    static final Duration DEADLINE = Duration.ofMinutes(5);

    final String base;
    final double importSeconds;
    private final HikariDataSource pool;
    private final RelataServer server;

    private BenchServer(String base, double importSeconds, HikariDataSource pool, RelataServer server) {
        this.base = base;
        this.importSeconds = importSeconds;
        this.pool = pool;
        this.server = server;
    }

    static BenchServer start(String url, String schema, List<Relationship> relationships) throws Exception {
        HikariDataSource pool = BenchDatabase.fresh(PostgresConfig.fromUrl(url).withPoolSize(16));
        try {
            PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
            store.createTenant("default");
            store.writeSchema("default", schema);
            long start = System.nanoTime();
            store.bulkImport("default", relationships.iterator());
            double importSeconds = (System.nanoTime() - start) / 1e9;
            BenchDatabase.analyze(pool);
            RelataServer server = new RelataServer(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "default"),
                    "bench-token-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 1_000,
                    EngineOptions.DEFAULTS.withDeadline(DEADLINE), null), store, new PostgresApiKeys(store));
            int port = server.start().toCompletionStage().toCompletableFuture().get();
            return new BenchServer("http://127.0.0.1:" + port, importSeconds, pool, server);
        } catch (Exception | Error e) {
            pool.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            server.stop(Duration.ofSeconds(5));
        } finally {
            pool.close();
        }
    }
}
