package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemorySubjectStreamTest extends SubjectStreamContract {

    @Override
    protected TupleStore store() {
        return new MemoryTupleStore(StoreOptions.DEFAULTS);
    }
}
