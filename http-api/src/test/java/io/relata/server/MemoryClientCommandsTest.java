package io.relata.server;

import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import org.junit.jupiter.api.BeforeAll;

class MemoryClientCommandsTest extends ClientCommandsContract {

    @BeforeAll
    static void start() throws Exception {
        startServer(new Stores() {
            @Override
            public TupleStore store() {
                return new MemoryTupleStore(StoreOptions.DEFAULTS);
            }

            @Override
            public ApiKeys keys(TupleStore store) {
                return new MemoryApiKeys(store);
            }
        });
    }
}
