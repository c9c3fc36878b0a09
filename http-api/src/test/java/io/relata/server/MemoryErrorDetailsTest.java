package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;

class MemoryErrorDetailsTest extends ErrorDetailsContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore(STORE_OPTIONS);
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new MemoryApiKeys(store);
    }
}
