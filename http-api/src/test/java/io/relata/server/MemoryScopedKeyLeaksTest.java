package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;

class MemoryScopedKeyLeaksTest extends ScopedKeyLeaksContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore(StoreOptions.DEFAULTS);
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new MemoryApiKeys(store);
    }
}
