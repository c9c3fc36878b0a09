package io.relata.store.memory;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.TupleStoreContract;

class MemoryTupleStoreTest extends TupleStoreContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new MemoryTupleStore(options);
    }
}
