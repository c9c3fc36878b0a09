package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.StoreUnavailableException;
import io.relata.store.TestClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A connection killed in the middle of a write leaves nothing behind, and the store goes on. */
class PostgresFailureTest {

    @Test
    void connectionKilledMidTransaction_leavesNoPartialWrite_andTheNextCallWorks() throws Exception {
        PostgresTupleStore store = new PostgresTupleStore(TestDatabase.pool(),
                StoreOptions.DEFAULTS.withClock(new TestClock()));
        String tenant = "t-" + UUID.randomUUID();
        store.createTenant(tenant);
        Revision before = store.write(tenant, List.of(
                RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1[old]")),
                RelationshipUpdate.touch(Relationship.parse("doc:b#viewer@user:u1[old]")),
                RelationshipUpdate.touch(Relationship.parse("doc:locked#viewer@user:u1"))));
        long tenantId = store.tenantId(tenant);

        try (Connection locker = TestDatabase.connect()) {
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement("SELECT 1 FROM relation_tuples WHERE tenant_id = ?"
                    + " AND resource_id = 'locked' FOR UPDATE")) {
                lock.setLong(1, tenantId);
                lock.executeQuery().close();
            }
            // The write takes its revision, replaces doc:a and doc:b, then waits for the locked row.
            CompletableFuture<Revision> write = CompletableFuture.supplyAsync(() -> store.write(tenant, List.of(
                    RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1[new]")),
                    RelationshipUpdate.touch(Relationship.parse("doc:b#viewer@user:u1[new]")),
                    RelationshipUpdate.touch(Relationship.parse("doc:c#viewer@user:u1")),
                    RelationshipUpdate.delete(Relationship.parse("doc:locked#viewer@user:u1")))));
            int killed = killBackendWaitingOnALock(locker);
            assertThat(killed).isEqualTo(1);

            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(StoreUnavailableException.class);
            locker.rollback();
        }

        assertThat(store.headRevision(tenant)).isEqualTo(before);
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), store.headRevision(tenant), null, 10)
                .relationships()).extracting(Relationship::toString)
                .containsExactly("doc:a#viewer@user:u1[old]", "doc:b#viewer@user:u1[old]", "doc:locked#viewer@user:u1");
        Revision after = store.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:u2"))));
        assertThat(after).isEqualTo(Revision.of(before.value() + 1));
    }

    /** Terminates the backend of this database that waits on a lock (the write), once it is waiting. */
    private static int killBackendWaitingOnALock(Connection admin) throws Exception {
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            for (int attempt = 0; attempt < 200; attempt++) {
                try (ResultSet rs = s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        + " WHERE datname = current_database() AND application_name = 'relata'"
                        + " AND wait_event_type = 'Lock'")) {
                    int count = 0;
                    while (rs.next()) {
                        count += rs.getBoolean(1) ? 1 : 0;
                    }
                    if (count > 0) {
                        return count;
                    }
                }
                Thread.sleep(25);
            }
        }
        return 0;
    }
}
