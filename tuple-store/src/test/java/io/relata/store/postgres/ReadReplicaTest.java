package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.ReplicaRoutedTupleStore;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against a real streaming replica of the test database ({@code .ci/replica.sh} starts one on
 * port 5433; {@code RELATA_TEST_REPLICA_URL} names another): a read at a revision the replica
 * has not replayed (its replay paused) goes to the primary and sees that revision's writes and
 * deletes; reads at replayed revisions go to the replica.
 */
class ReadReplicaTest {

    private HikariDataSource replicaPool;
    private PostgresConfig replicaConfig;
    private PostgresTupleStore primary;
    private PostgresTupleStore replica;
    private ReplicaRoutedTupleStore routed;
    private final String tenant = "replica-" + UUID.randomUUID();

    @BeforeEach
    void open() throws SQLException {
        replicaConfig = TestReplica.config();
        try (Connection c = TestReplica.connect()) {
            assertThat(c.isValid(5)).isTrue();
        }
        replay("pg_wal_replay_resume()"); // should a run killed midway have left it paused
        primary = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        replicaPool = PostgresTupleStore.pool(replicaConfig.withPoolSize(2));
        replica = new PostgresTupleStore(replicaPool, StoreOptions.DEFAULTS);
        routed = new ReplicaRoutedTupleStore(primary, replica);
        primary.createTenant(tenant);
    }

    @AfterEach
    void close() throws SQLException {
        if (routed == null) {
            return;
        }
        replay("pg_wal_replay_resume()");
        routed.close();
        replicaPool.close();
    }

    private Connection connectReplica() {
        return TestReplica.connect();
    }

    private void replay(String call) throws SQLException {
        try (Connection c = connectReplica(); Statement s = c.createStatement()) {
            s.execute("SELECT " + call);
        }
    }

    private void pauseReplay() throws Exception {
        replay("pg_wal_replay_pause()");
        for (int i = 0; i < 600; i++) {
            try (Connection c = connectReplica(); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT pg_get_wal_replay_pause_state()")) {
                r.next();
                if (r.getString(1).equals("paused")) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the replica did not pause its replay within 60 s");
    }

    private void awaitReplayed(Revision revision) throws Exception {
        for (int i = 0; i < 600; i++) {
            try {
                if (replica.headRevision(tenant).compareTo(revision) >= 0) {
                    return;
                }
            } catch (io.relata.store.TenantNotFoundException notYet) {
                // the tenant itself has not been replayed yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the replica did not replay revision " + revision + " within 60 s");
    }

    private List<String> docs(Revision at) {
        return routed.read(tenant, RelationshipFilter.ofType("doc"), at, null, 100).relationships().stream()
                .map(Relationship::toString).toList();
    }

    @Test
    void readsAtRevisionsTheReplicaHasNotReplayed_goToThePrimary_andSeeTheirDeletes() throws Exception {
        Relationship alice = Relationship.parse("doc:a#viewer@user:alice");
        Relationship bob = Relationship.parse("doc:a#viewer@user:bob");
        Revision first = primary.write(tenant, List.of(RelationshipUpdate.touch(alice)));
        awaitReplayed(first);
        assertThat(docs(first)).containsExactly(alice.toString());
        assertThat(routed.replicaReads()).isEqualTo(1);

        pauseReplay();
        Revision second = primary.write(tenant, List.of(RelationshipUpdate.delete(alice), RelationshipUpdate.touch(bob)));
        assertThat(replica.headRevision(tenant)).as("the paused replica is behind").isLessThan(second);

        assertThat(docs(second)).as("alice's removal is seen at once").containsExactly(bob.toString());
        assertThat(routed.primaryReads()).isEqualTo(1);
        assertThat(docs(first)).containsExactly(alice.toString());
        assertThat(routed.replicaReads()).as("an older revision, replayed, still reads the replica").isEqualTo(2);

        replay("pg_wal_replay_resume()");
        awaitReplayed(second);
        assertThat(docs(second)).containsExactly(bob.toString());
        assertThat(routed.replicaReads()).isEqualTo(3);
        assertThat(routed.primaryReads()).isEqualTo(1);
    }

    /** What {@code --datastore-read-replica-url} opens: the store on a read-only standby, its schema checked. */
    @Test
    void theServersWayOfOpeningTheReplica_worksOnAReadOnlyStandby() throws Exception {
        Revision written = primary.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:o#viewer@user:o"))));
        awaitReplayed(written);
        try (PostgresTupleStore opened = PostgresTupleStore.open(replicaConfig, StoreOptions.DEFAULTS, false)) {
            assertThat(opened.headRevision(tenant)).isEqualTo(written);
            assertThat(opened.read(tenant, RelationshipFilter.ofType("doc"), written, null, 10).relationships())
                    .hasSize(1);
        }
    }
}
