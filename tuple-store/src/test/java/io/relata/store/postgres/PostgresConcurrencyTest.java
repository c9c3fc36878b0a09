package io.relata.store.postgres;

import io.relata.store.ConcurrencyContract;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;

class PostgresConcurrencyTest extends ConcurrencyContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new PostgresTupleStore(TestDatabase.pool(), options);
    }
}
