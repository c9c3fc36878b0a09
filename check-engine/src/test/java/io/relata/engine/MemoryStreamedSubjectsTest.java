package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryStreamedSubjectsTest extends StreamedSubjectsContract {

    @Override
    protected TupleStore store() {
        return new MemoryTupleStore(StoreOptions.DEFAULTS);
    }
}
