package io.relata.server;

import static io.relata.server.Requests.atExactSnapshot;
import static io.relata.server.Requests.atLeastAsFresh;
import static io.relata.server.Requests.delete;
import static io.relata.server.Requests.touch;
import static io.relata.server.Requests.write;
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
        replay("pg_wal_replay_resume()"); // should a run killed midway have left it paused
        String tenant = NewEnemyTest.tenant();
        TestDatabase.pool();
        try (HikariDataSource poolA = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
                HikariDataSource poolB = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
                HikariDataSource replicaPool = PostgresTupleStore.pool(TestReplica.config().withPoolSize(4))) {
            PostgresTupleStore storeA = new PostgresTupleStore(poolA, StoreOptions.DEFAULTS);
            PostgresTupleStore storeB = new PostgresTupleStore(poolB, StoreOptions.DEFAULTS);
            PostgresTupleStore replica = new PostgresTupleStore(replicaPool, StoreOptions.DEFAULTS);
            ReplicaRoutedTupleStore routed = new ReplicaRoutedTupleStore(storeB, replica);
            try (TestServer a = TestServer.start(NewEnemyTest.config(tenant), storeA, new PostgresApiKeys(storeA));
                    TestServer b = TestServer.start(NewEnemyTest.config(tenant), routed, new PostgresApiKeys(storeB))) {
                NewEnemyTest.rounds(a, b);
                assertThat(routed.replicaReads()).as("reads the replica served").isPositive();
                laggingReplicaRounds(a, b, storeA, replica, tenant);
            }
        }
    }

    /**
     * With the replica's replay paused, so it lags by every write from then on: each addition
     * and removal made through {@code writer} is seen by a check through {@code reader} at least
     * as fresh as it, and an exact snapshot from before the pause is still answered.
     */
    private static void laggingReplicaRounds(TestServer writer, TestServer reader, PostgresTupleStore primary,
            PostgresTupleStore replica, String tenant) throws Exception {
        String before = NewEnemyTest.token(writer.post("/v1/relationships/write",
                write(touch("group", "lag", "member", "user", "before")), NewEnemyTest.KEY));
        io.relata.store.Revision head = primary.headRevision(tenant);
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (replica.headRevision(tenant).compareTo(head) < 0) {
            assertThat(System.nanoTime()).as("the replica replays within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        replay("pg_wal_replay_pause()");
        try {
            for (int round = 0; round < 5; round++) {
                String user = "lag" + round;
                String added = NewEnemyTest.token(writer.post("/v1/relationships/write",
                        write(touch("group", "lag", "member", "user", user)), NewEnemyTest.KEY));
                assertThat(NewEnemyTest.answer(reader, atLeastAsFresh(added), "group", "lag", "member", user))
                        .as("round %d: as fresh as the addition", round).isEqualTo(NewEnemyTest.HAS);
                String removed = NewEnemyTest.token(writer.post("/v1/relationships/write",
                        write(delete("group", "lag", "member", "user", user)), NewEnemyTest.KEY));
                assertThat(NewEnemyTest.answer(reader, atLeastAsFresh(removed), "group", "lag", "member", user))
                        .as("round %d: as fresh as the removal", round).isEqualTo(NewEnemyTest.NO);
                assertThat(NewEnemyTest.answer(reader, atExactSnapshot(before), "group", "lag", "member", "before"))
                        .as("round %d: the snapshot before the pause", round).isEqualTo(NewEnemyTest.HAS);
            }
            assertThat(replica.headRevision(tenant)).as("the replica stayed behind").isEqualTo(head);
        } finally {
            replay("pg_wal_replay_resume()");
        }
    }

    private static void replay(String call) throws Exception {
        try (Connection c = TestReplica.connect(); java.sql.Statement s = c.createStatement()) {
            s.execute("SELECT " + call);
        }
    }
}
