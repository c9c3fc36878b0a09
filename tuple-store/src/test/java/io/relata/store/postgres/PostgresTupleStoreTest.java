package io.relata.store.postgres;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.TupleStoreContract;

class PostgresTupleStoreTest extends TupleStoreContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new PostgresTupleStore(TestDatabase.pool(), options);
    }
}
