package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;

class MemoryWatchAfterGcTest extends WatchAfterGcContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore(NO_WINDOW);
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new MemoryApiKeys(store);
    }
}
