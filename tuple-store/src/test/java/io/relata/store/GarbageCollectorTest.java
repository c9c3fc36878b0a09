package io.relata.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GarbageCollectorTest {

    @Test
    void runsInTheBackground_andAdvancesTheReadableHorizon() throws Exception {
        TestClock clock = new TestClock();
        try (TupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock))) {
            store.createTenant("acme");
            store.write("acme", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
            Revision deleted = store.write("acme", List.of(RelationshipUpdate.delete(Relationship.parse("doc:a#viewer@user:u1"))));
            clock.advance(Duration.ofHours(25));

            try (GarbageCollector gc = GarbageCollector.start(store, Duration.ofMillis(20))) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while ((gc.runs() == 0 || store.oldestReadableRevision("acme").compareTo(deleted) < 0)
                        && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(gc.runs()).isPositive();
            }
            assertThat(store.oldestReadableRevision("acme")).isEqualTo(deleted);
        }
    }

    @Test
    void intervalMustBePositive() {
        try (TupleStore store = new MemoryTupleStore()) {
            assertThatThrownBy(() -> GarbageCollector.start(store, Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
