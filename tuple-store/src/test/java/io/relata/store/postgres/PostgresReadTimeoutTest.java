package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.StoreTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The read timeout ({@link StoreOptions#readTimeout()}) on real PostgreSQL: while another
 * connection holds an exclusive lock on the relationships table, a read is cancelled in the
 * database after its timeout (its backend no longer waits), fails with
 * {@link StoreTimeoutException}, and the pool's only connection serves the next call; a write
 * behind the same lock is not cut at the read timeout and commits once the lock goes.
 */
class PostgresReadTimeoutTest {

    private HikariDataSource pool;
    private PostgresTupleStore store;
    private String tenant;

    @BeforeEach
    void open() {
        // One connection: the call after a cancelled read gets the very connection it ran on.
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(1));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS.withReadTimeout(Duration.ofSeconds(1)));
        tenant = "timeout-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
    }

    @AfterEach
    void close() {
        store.close();
        pool.close();
    }

    @Test
    void readBlockedByALock_isCancelledAtItsTimeout_andTheConnectionServesTheNextRead() throws Exception {
        Revision head = store.headRevision(tenant);
        try (Connection locker = lockRelationships()) {
            long started = System.nanoTime();
            CompletableFuture<List<Relationship>> read = CompletableFuture.supplyAsync(
                    () -> store.subjectsOf(tenant, head, "doc", Set.of("a"), "viewer"));
            Throwable failure = failureWithin(read, 15);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(failure).isInstanceOf(StoreTimeoutException.class)
                    .hasMessageContaining("deadline");
            assertThat(millis).as("cancelled at the 1 s timeout, not at the lock's release").isLessThan(10_000);
            assertThat(waitingRelataBackends(locker)).as("no backend still waits on the lock").isZero();
        }
        // The lock is gone: the same (only) connection answers.
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), head, null, 10).relationships())
                .extracting(Relationship::toString).containsExactly("doc:a#viewer@user:u1");
    }

    @Test
    void writeBlockedByTheSameLock_isNotCutAtTheReadTimeout() throws Exception {
        CompletableFuture<Revision> write;
        try (Connection locker = lockRelationships()) {
            write = CompletableFuture.supplyAsync(() -> store.write(tenant,
                    List.of(RelationshipUpdate.touch(Relationship.parse("doc:b#viewer@user:u2")))));
            // Well past the 1 s read timeout, the write still waits for the lock.
            Thread.sleep(3_000);
            assertThat(write).as("the write waits, it is not cancelled").isNotDone();
            assertThat(waitingRelataBackends(locker)).isEqualTo(1);
        }
        Revision written = write.get(30, TimeUnit.SECONDS);
        assertThat(store.read(tenant, RelationshipFilter.ofType("doc"), written, null, 10).relationships())
                .extracting(Relationship::toString)
                .containsExactly("doc:a#viewer@user:u1", "doc:b#viewer@user:u2");
    }

    /** A connection outside the pool whose open transaction holds relation_tuples exclusively. */
    private static Connection lockRelationships() throws Exception {
        Connection locker = TestDatabase.connect();
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
            s.execute("LOCK TABLE relation_tuples IN ACCESS EXCLUSIVE MODE");
        }
        return locker;
    }

    /** Backends of the store's pool that wait on a lock now. */
    private static int waitingRelataBackends(Connection locker) throws Exception {
        try (PreparedStatement q = locker.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = 'relata'"
                + " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static Throwable failureWithin(CompletableFuture<?> call, int seconds) throws Exception {
        try {
            call.get(seconds, TimeUnit.SECONDS);
            throw new AssertionError("the read answered although the table was locked");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
