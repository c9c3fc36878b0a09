package io.relata.server;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;

class PostgresTracesTest extends TracesContract {

    @Override
    protected TupleStore newStore() {
        return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    }

    @Override
    protected String system() {
        return "postgresql";
    }
}
