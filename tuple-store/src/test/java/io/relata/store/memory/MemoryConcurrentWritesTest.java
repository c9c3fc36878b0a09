package io.relata.store.memory;

import io.relata.store.ConcurrentWritesContract;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;

class MemoryConcurrentWritesTest extends ConcurrentWritesContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new MemoryTupleStore(options);
    }

    @Override
    protected boolean groupsWrites() {
        return false;
    }
}
