package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.SeparateDatabase;

/** In a database of its own: a collection with no window would otherwise collect other tests' history. */
class PostgresWatchAfterGcTest extends WatchAfterGcContract {

    @Override
    protected TupleStore newStore() throws Exception {
        return PostgresTupleStore.open(SeparateDatabase.create("watch_gc"), NO_WINDOW, false);
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new PostgresApiKeys((PostgresTupleStore) store);
    }
}
