package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;

class MemoryExplainGrpcTest extends ExplainGrpcContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore();
    }

    @Override
    protected ApiKeys keys(TupleStore store) {
        return new MemoryApiKeys(store);
    }
}
