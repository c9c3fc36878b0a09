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
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link CheckEngine#cachedCheck}: the answer {@link CheckEngine#check} gives, once that is in
 * the sub-result cache with the schema known; null otherwise (never computing, never asking
 * the store), without counting a miss; null for what check would refuse, and for answers
 * that rest on an expiring relationship (never cached).
 */
class CachedCheckTest {

    private static final String SCHEMA = """
            use expiration

            caveat level_ok(level int) {
                level >= 3
            }

            definition user {}

            definition group {
                relation member: user | user with expiration
            }

            definition doc {
                relation viewer: group#member | user with level_ok
                permission view = viewer
            }
            """;

    @Test
    void answersFromTheCache_onlyWhatCheckHasAnswered() throws Exception {
        TestClock clock = new TestClock();
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(clock));
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("t");
            store.writeSchema("t", SCHEMA);
            String expires = clock.instant().plus(Duration.ofMinutes(10)).toString();
            Revision revision = store.write("t", List.of(
                    RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@group:g#member")),
                    RelationshipUpdate.touch(Relationship.parse("group:g#member@user:ann")),
                    RelationshipUpdate.touch(Relationship.parse("doc:e#viewer@group:h#member")),
                    RelationshipUpdate.touch(Relationship.parse("group:h#member@user:eve[expiration:" + expires + "]")),
                    RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:cat[level_ok]"))));
            CheckRequest ann = CheckRequest.of("doc:d", "view", "user:ann");
            CheckRequest bob = CheckRequest.of("doc:d", "view", "user:bob");
            CheckRequest cat = CheckRequest.of("doc:d", "view", "user:cat");

            assertThat(engine.cachedCheck("t", revision, ann)).as("the schema not read yet").isNull();
            assertThat(engine.check("t", revision, bob).get()).isEqualTo(CheckResult.NO);
            long misses = engine.cacheStats().missCount();
            assertThat(engine.cachedCheck("t", revision, ann)).as("not asked yet").isNull();
            assertThat(engine.cacheStats().missCount()).as("no miss counted").isEqualTo(misses);

            assertThat(engine.check("t", revision, ann).get()).isEqualTo(CheckResult.HAS);
            long hits = engine.cacheStats().hitCount();
            assertThat(engine.cachedCheck("t", revision, ann)).isEqualTo(CheckResult.HAS);
            assertThat(engine.cachedCheck("t", revision, bob)).isEqualTo(CheckResult.NO);
            assertThat(engine.cacheStats().hitCount()).as("hits counted").isEqualTo(hits + 2);
            assertThat(engine.cachedCheck("t", Revision.of(revision.value() + 1), ann)).as("another revision").isNull();

            CheckResult conditional = engine.check("t", revision, cat).get();
            assertThat(conditional.permissionship()).isEqualTo(Permissionship.CONDITIONAL);
            assertThat(engine.cachedCheck("t", revision, cat)).isEqualTo(conditional);
            assertThat(engine.cachedCheck("t", revision, cat.withContext(Map.of("level", 5)))).as("another context")
                    .isNull();
            assertThat(engine.check("t", revision, cat.withContext(Map.of("level", 5))).get()).isEqualTo(CheckResult.HAS);
            assertThat(engine.cachedCheck("t", revision, cat.withContext(Map.of("level", 5)))).isEqualTo(CheckResult.HAS);

            CheckRequest eve = CheckRequest.of("doc:e", "view", "user:eve");
            assertThat(engine.check("t", revision, eve).get()).isEqualTo(CheckResult.HAS);
            assertThat(engine.cachedCheck("t", revision, eve)).as("rests on an expiring relationship").isNull();
        }
    }

    @Test
    void givesNothing_forWhatCheckWouldRefuse() throws Exception {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                GraphCheckEngine engine = new GraphCheckEngine(store)) {
            store.createTenant("t");
            store.writeSchema("t", SCHEMA);
            Revision revision = store.write("t", List.of(
                    RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@group:g#member"))));
            // group:g#member is asked on the way to doc:d#view, and so cached as a sub-result.
            assertThat(engine.check("t", revision, CheckRequest.of("doc:d", "view", "user:ann")).get())
                    .isEqualTo(CheckResult.NO);
            assertThat(engine.cachedCheck("t", revision, CheckRequest.of("group:g", "member", "user:ann")))
                    .isEqualTo(CheckResult.NO);

            assertThat(engine.cachedCheck("t", revision, CheckRequest.of("doc:d", "edit", "user:ann"))).isNull();
            assertThat(engine.cachedCheck("t", revision, CheckRequest.of("folder:f", "view", "user:ann"))).isNull();
            assertThat(engine.cachedCheck("t", revision, CheckRequest.of("doc:d", "view", "user:*"))).isNull();
            assertThat(engine.cachedCheck("t", revision, CheckRequest.of("doc:d", "view", "team:x"))).isNull();
        }
    }
}
