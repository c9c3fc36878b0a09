package io.relata.server;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;

/**
 * {@link CancelledCallSlotsContract} on PostgreSQL: a transaction outside the pool holds
 * {@code tenant_revisions} exclusively, so head-revision reads wait in the database (a JDBC call
 * an interrupt does not end).
 */
class PostgresCancelledCallSlotsTest extends CancelledCallSlotsContract {

    private HikariDataSource pool;
    private Connection locker;

    @Override
    protected TupleStore newStore() {
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(8));
        return new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
    }

    @Override
    protected io.relata.store.ApiKeys keys(TupleStore store) {
        return new io.relata.store.postgres.PostgresApiKeys((PostgresTupleStore) store);
    }

    @Override
    protected void hold() throws Exception {
        lock("tenant_revisions");
    }

    @Override
    protected void holdRelationships() throws Exception {
        lock("relation_tuples");
    }

    private void lock(String table) throws Exception {
        locker = TestDatabase.connect();
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
            s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
    }

    @Override
    protected synchronized void release() throws Exception {
        if (locker != null) {
            locker.rollback();
            locker.close();
            locker = null;
        }
    }

    @Override
    protected void closeStore(TupleStore store) {
        ((PostgresTupleStore) store).close();
        pool.close();
    }
}
