package io.relata.store.memory;

import io.relata.store.ConcurrencyContract;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;

class MemoryConcurrencyTest extends ConcurrencyContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new MemoryTupleStore(options);
    }
}
