package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryAnswersAgreeTest extends AnswersAgreeContract {

    private static final TupleStore STORE = new MemoryTupleStore(StoreOptions.DEFAULTS);

    @Override
    protected TupleStore store() {
        return STORE;
    }

    @Override
    protected int seeds() {
        return 12;
    }
}
