package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;

class PostgresArrowIndexLookupTest extends ArrowIndexLookupContract {

    @Override
    protected TupleStore store(StoreOptions options) {
        return new PostgresTupleStore(TestDatabase.pool(), options);
    }

    @Override
    protected int seeds() {
        return 2;
    }
}
