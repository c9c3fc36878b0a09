package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A check through 20 levels of nested groups costs one store query per level when cold
 * (the batching), and none when warm (the cache); a wide level is still one query; and a
 * check for another subject over the same groups reads them from the relationship cache.
 */
class StoreRoundTripsTest {

    private final TupleStore store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);

    /** A new tenant whose groups nest through {@code member}. */
    private String newTenant() {
        String tenant = "t-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, "definition user {}\ndefinition group {\n  relation member: user | group#member\n}\n");
        return tenant;
    }

    @Test
    void depthTwentyCheck_costsOneQueryPerLevelCold_andNoneWarm() {
        String tenant = newTenant();
        List<RelationshipUpdate> chain = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            chain.add(RelationshipUpdate.touch(Relationship.parse("group:g" + i + "#member@group:g" + (i + 1) + "#member")));
            // Siblings at every level: the batch grows, the query count does not.
            for (int s = 0; s < 5; s++) {
                chain.add(RelationshipUpdate.touch(Relationship.parse("group:g" + i + "#member@group:s" + i + "x" + s
                        + "#member")));
            }
        }
        chain.add(RelationshipUpdate.touch(Relationship.parse("group:g20#member@user:deep")));
        Revision revision = store.write(tenant, chain);

        try (GraphCheckEngine engine = new GraphCheckEngine(store)) {
            CheckResult cold = engine.checkNow(tenant, revision, CheckRequest.of("group:g0", "member", "user:deep"));
            int coldCalls = engine.lastStoreCalls();
            CheckResult warm = engine.checkNow(tenant, revision, CheckRequest.of("group:g0", "member", "user:deep"));
            int warmCalls = engine.lastStoreCalls();
            System.out.printf("depth-20 check: %d store queries cold, %d warm%n", coldCalls, warmCalls);

            assertThat(cold).isEqualTo(CheckResult.HAS);
            assertThat(warm).isEqualTo(CheckResult.HAS);
            assertThat(coldCalls).isEqualTo(21);
            assertThat(warmCalls).isZero();
            assertThat(engine.cacheStats().hitCount()).isPositive();

            // Another subject walks the same groups: what the first check read is shared.
            CheckResult other = engine.checkNow(tenant, revision, CheckRequest.of("group:g0", "member", "user:other"));
            int otherCalls = engine.lastStoreCalls();
            System.out.printf("depth-20 check for another subject: %d store queries%n", otherCalls);

            assertThat(other).isEqualTo(CheckResult.NO);
            assertThat(otherCalls).isZero();
            assertThat(engine.relationshipCacheStats().hitCount()).isPositive();
        }
    }

    @Test
    void relationshipCacheOff_everySubjectReadsTheStore() {
        String tenant = newTenant();
        Revision revision = store.write(tenant, List.of(
                RelationshipUpdate.touch(Relationship.parse("group:a#member@group:b#member")),
                RelationshipUpdate.touch(Relationship.parse("group:b#member@user:x"))));

        try (GraphCheckEngine engine = new GraphCheckEngine(store,
                EngineOptions.DEFAULTS.withRelationshipCacheSize(0))) {
            engine.checkNow(tenant, revision, CheckRequest.of("group:a", "member", "user:x"));
            CheckResult other = engine.checkNow(tenant, revision, CheckRequest.of("group:a", "member", "user:y"));

            assertThat(other).isEqualTo(CheckResult.NO);
            assertThat(engine.lastStoreCalls()).isEqualTo(2);
        }
    }
}
