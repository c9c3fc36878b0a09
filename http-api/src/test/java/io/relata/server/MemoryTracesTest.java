package io.relata.server;

import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryTracesTest extends TracesContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore();
    }

    @Override
    protected String system() {
        return "memory";
    }
}
