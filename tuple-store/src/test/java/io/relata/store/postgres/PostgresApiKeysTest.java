package io.relata.store.postgres;

import io.relata.store.ApiKeys;
import io.relata.store.ApiKeysContract;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;

class PostgresApiKeysTest extends ApiKeysContract {

    private final PostgresTupleStore store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    private final PostgresApiKeys keys = new PostgresApiKeys(store);

    @Override
    protected TupleStore store() {
        return store;
    }

    @Override
    protected ApiKeys keys() {
        return keys;
    }
}
