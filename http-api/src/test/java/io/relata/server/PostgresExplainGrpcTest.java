package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;

class PostgresExplainGrpcTest extends ExplainGrpcContract {

    @Override
    protected TupleStore newStore() {
        return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new PostgresApiKeys((PostgresTupleStore) store);
    }
}
