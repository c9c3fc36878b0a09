package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TestClock;
import io.relata.store.memory.MemoryTupleStore;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Caches keep answers and relationships by revision, but a relationship can expire while its
 * revision is still being read: neither cache may keep granting what has expired.
 */
class ExpirationCachingTest {

    private static final String SCHEMA = """
            use expiration

            definition user {}

            definition group {
                relation member: user with expiration
            }

            definition doc {
                relation viewer: group#member
                permission view = viewer
            }
            """;

    @Test
    void anExpiredMembership_stopsGranting_atTheSameRevision_throughBothCaches() {
        TestClock clock = new TestClock();
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock));
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("t");
            store.writeSchema("t", SCHEMA);
            String expires = clock.instant().plus(Duration.ofMinutes(10)).toString();
            Revision revision = store.write("t", List.of(
                    RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@group:g#member")),
                    RelationshipUpdate.touch(Relationship.parse("group:g#member@user:ann[expiration:" + expires + "]"))));

            // Another subject first: the group's members go into the relationship cache.
            assertThat(engine.checkNow("t", revision, CheckRequest.of("doc:d", "view", "user:bob")))
                    .isEqualTo(CheckResult.NO);
            assertThat(engine.checkNow("t", revision, CheckRequest.of("doc:d", "view", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.checkNow("t", revision, CheckRequest.of("doc:d", "view", "user:ann")))
                    .isEqualTo(CheckResult.HAS);
            assertThat(engine.relationshipCacheStats().hitCount()).isPositive();

            clock.advance(Duration.ofMinutes(11));

            assertThat(engine.checkNow("t", revision, CheckRequest.of("doc:d", "view", "user:ann")))
                    .isEqualTo(CheckResult.NO);
        }
    }
}
