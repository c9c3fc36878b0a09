package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import org.junit.jupiter.api.BeforeAll;

class PostgresClientCommandsTest extends ClientCommandsContract {

    @BeforeAll
    static void start() throws Exception {
        startServer(new Stores() {
            @Override
            public TupleStore store() {
                return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
            }

            @Override
            public ApiKeys keys(TupleStore store) {
                return new PostgresApiKeys((PostgresTupleStore) store);
            }
        });
    }
}
