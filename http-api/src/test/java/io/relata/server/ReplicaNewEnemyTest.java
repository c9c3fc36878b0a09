package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.ReplicaRoutedTupleStore;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.relata.store.postgres.TestReplica;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/**
 * {@link NewEnemyTest}'s rounds across two servers on one PostgreSQL, the reading one with a
 * real streaming replica ({@code --datastore-read-replica-url}): removals go through the first
 * server to the primary, checks through the second, whose reads go to the replica whenever it
 * has replayed their revision. A check at least as fresh as a removal still says no, however
 * far the replica lags.
 */
class ReplicaNewEnemyTest {

    @Test
    void twoServers_theReaderOnAReplica_aCheckAsFreshAsARemovalOnTheOther_saysNo() throws Exception {
        try (Connection reachable = TestReplica.connect()) {
            assertThat(reachable.isValid(5)).isTrue();
        }
        String tenant = NewEnemyTest.tenant();
        TestDatabase.pool();
        try (HikariDataSource poolA = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
                HikariDataSource poolB = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
                HikariDataSource replicaPool = PostgresTupleStore.pool(TestReplica.config().withPoolSize(4))) {
            PostgresTupleStore storeA = new PostgresTupleStore(poolA, StoreOptions.DEFAULTS);
            PostgresTupleStore storeB = new PostgresTupleStore(poolB, StoreOptions.DEFAULTS);
            ReplicaRoutedTupleStore routed = new ReplicaRoutedTupleStore(storeB,
                    new PostgresTupleStore(replicaPool, StoreOptions.DEFAULTS));
            try (TestServer a = TestServer.start(NewEnemyTest.config(tenant), storeA, new PostgresApiKeys(storeA));
                    TestServer b = TestServer.start(NewEnemyTest.config(tenant), routed, new PostgresApiKeys(storeB))) {
                NewEnemyTest.rounds(a, b);
            }
            assertThat(routed.replicaReads()).as("reads the replica served").isPositive();
        }
    }
}
