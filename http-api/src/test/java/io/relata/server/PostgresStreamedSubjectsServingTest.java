package io.relata.server;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;

class PostgresStreamedSubjectsServingTest extends StreamedSubjectsServingContract {

    @Override
    protected TupleStore newStore() {
        return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    }
}
