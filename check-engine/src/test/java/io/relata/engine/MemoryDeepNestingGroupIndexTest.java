package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import org.junit.jupiter.api.AfterAll;

/** {@link DeepNestingContract} with the nested-group index on (Memory store): every answer is the same. */
class MemoryDeepNestingGroupIndexTest extends DeepNestingContract {

    private static final GroupIndexUse USE = new GroupIndexUse();

    private static final TupleStore STORE = new MemoryTupleStore(StoreOptions.DEFAULTS);

    @Override
    protected TupleStore store() {
        return STORE;
    }

    @Override
    protected EngineOptions options() {
        return GroupIndexUse.OPTIONS;
    }

    @Override
    protected GraphCheckEngine newEngine(TupleStore store, EngineOptions options) {
        return USE.track(store, options);
    }

    @AfterAll
    static void theIndexAnswered() {
        USE.assertUsed();
        USE.assertArrowsUsed();
    }
}
