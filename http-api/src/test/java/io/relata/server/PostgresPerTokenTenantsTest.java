package io.relata.server;

import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.time.Duration;
import java.util.Map;

/** The per-token mode over PostgreSQL (serve-testing uses memory; the authenticator works over any store). */
class PostgresPerTokenTenantsTest extends PerTokenTenantsContract {

    private PostgresTupleStore store;

    @Override
    protected TestServer start(int maxTenants) throws Exception {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        PostgresApiKeys keys = new PostgresApiKeys(store);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(), "per-token-secret-0123456789",
                Duration.ofSeconds(5), 64 * 1024, 50, EngineOptions.DEFAULTS, null);
        RelataServer server = new RelataServer(config, store, keys,
                Authenticator.perTokenTenants(store, keys, null, maxTenants));
        return TestServer.of(server, Main.listen(server, config));
    }

    @Override
    protected TupleStore store() {
        return store;
    }
}
