package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;

class PostgresAnswersAgreeTest extends AnswersAgreeContract {

    @Override
    protected TupleStore store() {
        return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    }

    @Override
    protected int seeds() {
        return 3;
    }
}
