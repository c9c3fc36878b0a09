package io.relata.server;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryStreamedSubjectsServingTest extends StreamedSubjectsServingContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore(StoreOptions.DEFAULTS);
    }
}
