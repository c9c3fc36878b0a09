package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryDeepNestingTest extends DeepNestingContract {

    private static final TupleStore STORE = new MemoryTupleStore(StoreOptions.DEFAULTS);

    @Override
    protected TupleStore store() {
        return STORE;
    }
}
