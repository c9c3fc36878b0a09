package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.StoreUnavailableException;
import io.relata.store.WriteValidator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection killed while a group of writes is in PostgreSQL ({@link PostgresWrites}): killed
 * on the round trip that carries the {@code COMMIT}, every write of the group fails and
 * nothing is left; killed before, the group runs again on another connection and each write
 * commits once.
 */
class PostgresGroupFailureTest {

    private final PostgresTupleStore store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
    private final PostgresWrites writes = new PostgresWrites(TestDatabase.pool(), StoreOptions.DEFAULTS);
    private final String tenant = "t-" + UUID.randomUUID();

    private static GroupCommit.Pending write(RelationshipUpdate update, Precondition... preconditions) {
        return new GroupCommit.Pending(List.of(update), List.of(preconditions), Map.of(), WriteValidator.NONE);
    }

    private static RelationshipUpdate touch(String r) {
        return RelationshipUpdate.touch(Relationship.parse(r));
    }

    /** Commits the group on another thread; as GroupCommit does, what the committer throws fails them all. */
    private CompletableFuture<Void> commitAsync(long tenantId, List<GroupCommit.Pending> group) {
        return CompletableFuture.runAsync(() -> {
            try {
                writes.commit(tenantId, group, () -> {});
            } catch (RuntimeException e) {
                group.forEach(p -> p.result.completeExceptionally(e));
            }
        });
    }

    private List<String> state() {
        return store.read(tenant, RelationshipFilter.ofType("doc"), store.headRevision(tenant), null, 10).relationships()
                .stream().map(Relationship::toString).toList();
    }

    private Revision setUp() {
        store.createTenant(tenant);
        return store.write(tenant, List.of(touch("doc:a#viewer@user:u1[old]"), touch("doc:locked#viewer@user:u1")));
    }

    private static Connection lockRow(long tenantId) throws Exception {
        Connection locker = TestDatabase.connect();
        locker.setAutoCommit(false);
        try (PreparedStatement lock = locker.prepareStatement("SELECT 1 FROM relation_tuples WHERE tenant_id = ?"
                + " AND resource_id = 'locked' FOR UPDATE")) {
            lock.setLong(1, tenantId);
            lock.executeQuery().close();
        }
        return locker;
    }

    @Test
    void killedOnTheRoundTripWithTheCommit_failsEveryWriteOfTheGroup_andLeavesNothing() throws Exception {
        Revision before = setUp();
        long tenantId = store.tenantId(tenant);
        List<GroupCommit.Pending> group = List.of(write(touch("doc:a#viewer@user:u1[new]")),
                write(RelationshipUpdate.delete(Relationship.parse("doc:locked#viewer@user:u1"))),
                write(touch("doc:c#viewer@user:u1")));
        try (Connection locker = lockRow(tenantId)) {
            CompletableFuture<Void> done = commitAsync(tenantId, group);
            assertThat(killBackendWaitingOnALock()).isEqualTo(1);
            done.get(10, TimeUnit.SECONDS);
            locker.rollback();
        }
        for (GroupCommit.Pending p : group) {
            assertThat(p.result).isCompletedExceptionally();
            assertThat(p.result.handle((r, e) -> e).join()).isInstanceOf(StoreUnavailableException.class);
        }
        assertThat(store.headRevision(tenant)).isEqualTo(before);
        assertThat(state()).containsExactly("doc:a#viewer@user:u1[old]", "doc:locked#viewer@user:u1");
        assertThat(store.write(tenant, List.of(touch("doc:d#viewer@user:u2")))).isEqualTo(Revision.of(before.value() + 1));
    }

    @Test
    void killedBeforeTheCommit_runsTheGroupAgain_andCommitsEachWriteOnce() throws Exception {
        Revision before = setUp();
        long tenantId = store.tenantId(tenant);
        // The precondition sends the writes before it; they wait for the locked row, and are killed there.
        List<GroupCommit.Pending> group = List.of(write(touch("doc:a#viewer@user:u1[new]")),
                write(RelationshipUpdate.delete(Relationship.parse("doc:locked#viewer@user:u1"))),
                write(touch("doc:b#viewer@user:u1"), Precondition.mustNotMatch(RelationshipFilter.of("doc", "locked",
                        "viewer"))));
        CompletableFuture<Void> done;
        try (Connection locker = lockRow(tenantId)) {
            done = commitAsync(tenantId, group);
            assertThat(killBackendWaitingOnALock()).isEqualTo(1);
            locker.rollback();
        }
        done.get(10, TimeUnit.SECONDS);
        Revision revision = Revision.of(before.value() + 1);
        for (GroupCommit.Pending p : group) {
            assertThat(p.result.join()).isEqualTo(revision);
        }
        assertThat(store.headRevision(tenant)).isEqualTo(revision);
        assertThat(state()).containsExactly("doc:a#viewer@user:u1[new]", "doc:b#viewer@user:u1");
    }

    /** Terminates the store's backend that waits on a lock, once it waits. */
    private static int killBackendWaitingOnALock() throws Exception {
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
