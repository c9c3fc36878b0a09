package io.relata.server;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;

class MemoryAuditLogTest extends AuditLogContract {

    @Override
    protected TupleStore newStore() {
        return new MemoryTupleStore(StoreOptions.DEFAULTS);
    }

    @Override
    protected io.relata.store.ApiKeys keys(TupleStore store) {
        return new io.relata.store.memory.MemoryApiKeys(store);
    }
}
