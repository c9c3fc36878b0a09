package io.relata.store.postgres;

import io.relata.store.ConcurrentWritesContract;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;

class PostgresConcurrentWritesTest extends ConcurrentWritesContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new PostgresTupleStore(TestDatabase.pool(), options);
    }

    @Override
    protected boolean groupsWrites() {
        return true;
    }
}
