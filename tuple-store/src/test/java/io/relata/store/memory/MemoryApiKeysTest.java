package io.relata.store.memory;

import io.relata.store.ApiKeys;
import io.relata.store.ApiKeysContract;
import io.relata.store.TupleStore;

class MemoryApiKeysTest extends ApiKeysContract {

    private final MemoryTupleStore store = new MemoryTupleStore();
    private final MemoryApiKeys keys = new MemoryApiKeys(store);

    @Override
    protected TupleStore store() {
        return store;
    }

    @Override
    protected ApiKeys keys() {
        return keys;
    }
}
