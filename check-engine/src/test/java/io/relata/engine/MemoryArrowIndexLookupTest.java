package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryArrowIndexLookupTest extends ArrowIndexLookupContract {

    @Override
    protected TupleStore store(StoreOptions options) {
        return new MemoryTupleStore(options);
    }

    @Override
    protected int seeds() {
        return 6;
    }
}
