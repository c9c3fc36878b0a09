package io.relata.engine;

import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import org.junit.jupiter.api.AfterAll;

/** {@link ConformanceContract} with the nested-group index on (PostgreSQL store): every answer is the same. */
class PostgresConformanceGroupIndexTest extends ConformanceContract {

    private static final GroupIndexUse USE = new GroupIndexUse();

    @Override
    protected TupleStore store() {
        return new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
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
