package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TestClock;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryGroupIndexTest extends GroupIndexContract {

    @Override
    protected TupleStore store(TestClock clock) {
        return new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock));
    }

    @Override
    protected int seeds() {
        return 6;
    }
}
