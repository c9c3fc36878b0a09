package io.relata.server;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;

class PostgresAuditLogTest extends AuditLogContract {

    @Override
    protected TupleStore newStore() {
        return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    }

    @Override
    protected io.relata.store.ApiKeys keys(TupleStore store) {
        return new io.relata.store.postgres.PostgresApiKeys((PostgresTupleStore) store);
    }
}
