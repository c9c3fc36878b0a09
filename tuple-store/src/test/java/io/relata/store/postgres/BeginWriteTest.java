package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The start of a write's transaction, {@code relata_begin_write} (migration V5): the commit
 * time it records never goes back behind the revision before, and a database without it
 * (a server newer than its database's migrations) fails writes with a message that says to
 * migrate, not an SQL state.
 */
class BeginWriteTest {

    @Test
    void aCommitTimeReadBeforeTheLock_isNeverRecordedBeforeTheRevisionBelowIt() throws Exception {
        try (HikariDataSource pool = PostgresTupleStore.pool(SeparateDatabase.create("begin_write"));
                PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS)) {
            store.createTenant("t");
            Revision first = store.write("t", List.of(RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:u"))));
            long tenantId = store.tenantId("t");
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                // A group whose time was read before a later group took the lock and committed.
                try (ResultSet r = s.executeQuery("SELECT revision FROM relata_begin_write(" + tenantId
                        + ", timestamptz '2000-01-01 00:00:00+00', '{}'::jsonb, NULL)")) {
                    r.next();
                    assertThat(r.getLong(1)).isEqualTo(first.value() + 1);
                }
                c.commit();
                try (ResultSet r = s.executeQuery("SELECT (SELECT committed_at FROM revisions WHERE tenant_id = "
                        + tenantId + " AND revision = " + (first.value() + 1) + ") >= (SELECT committed_at FROM"
                        + " revisions WHERE tenant_id = " + tenantId + " AND revision = " + first.value() + ")")) {
                    r.next();
                    assertThat(r.getBoolean(1)).as("committed_at of the later revision is not before the one below").isTrue();
                }
            }
        }
    }

    @Test
    void onADatabaseWithoutTheFunction_aWriteSaysToMigrate() throws Exception {
        try (HikariDataSource pool = PostgresTupleStore.pool(SeparateDatabase.create("begin_write_missing"));
                PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS)) {
            store.createTenant("t");
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP FUNCTION relata_begin_write");
            }
            assertThatThrownBy(() -> store.write("t",
                    List.of(RelationshipUpdate.touch(Relationship.parse("doc:d#viewer@user:u")))))
                    .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("relata migrate");
        }
    }
}
