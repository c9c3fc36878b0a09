package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.StoreTimeoutException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read timeout ({@link StoreOptions#readTimeout()}) bounds the lookups a request makes besides
 * relationships and schema: head and oldest revision, revision at a time, commit time, tenant, API
 * key and the change log Watch reads. While another connection holds the table exclusively, each is
 * cancelled in the database at the 1 s timeout with {@link StoreTimeoutException} (no backend still
 * waits), and the pool's only connection then serves the same lookup.
 */
class PostgresLookupTimeoutTest {

    private static HikariDataSource pool;
    private static PostgresTupleStore store;
    private static PostgresApiKeys keys;
    private static String tenant;
    private static Revision written;
    private static ApiKeys.NewKey key;

    @BeforeEach
    void open() {
        // One connection: the call after a cancelled one gets the very connection it ran on.
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(1));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS.withReadTimeout(Duration.ofSeconds(1)));
        keys = new PostgresApiKeys(store);
        tenant = "lookup-timeout-" + UUID.randomUUID();
        store.createTenant(tenant);
        written = store.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u1"))));
        key = keys.create(tenant, "timeouts", KeyAccess.FULL);
    }

    @AfterEach
    void close() {
        store.close();
        pool.close();
    }

    static Stream<Arguments> lookups() {
        return Stream.of(
                Arguments.of("head revision", "tenant_revisions", (Supplier<Object>) () -> store.headRevision(tenant)),
                Arguments.of("oldest readable revision", "tenant_revisions",
                        (Supplier<Object>) () -> store.oldestReadableRevision(tenant)),
                Arguments.of("revision at a time", "revisions",
                        (Supplier<Object>) () -> store.revisionAt(tenant, Instant.now())),
                Arguments.of("commit time of a revision", "revisions",
                        (Supplier<Object>) () -> store.committedAt(tenant, written)),
                Arguments.of("change log (Watch)", "revisions",
                        (Supplier<Object>) () -> store.changesSince(tenant, Revision.of(0), 10)),
                // A store that has not seen the tenant yet looks it up.
                Arguments.of("tenant", "tenants", (Supplier<Object>) () ->
                        new PostgresTupleStore(pool, store.options()).tenantExists(tenant)),
                Arguments.of("API key", "api_keys", (Supplier<Object>) () -> keys.find(key.secret())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lookups")
    void lookupBlockedByALock_isCancelledAtTheReadTimeout_andTheConnectionServesTheNext(String name, String table,
            Supplier<Object> lookup) throws Exception {
        try (Connection locker = lock(table)) {
            long started = System.nanoTime();
            CompletableFuture<Object> call = CompletableFuture.supplyAsync(lookup);
            Throwable failure;
            try {
                call.get(15, TimeUnit.SECONDS);
                throw new AssertionError(name + " answered although " + table + " was locked");
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(failure).as(name).isInstanceOf(StoreTimeoutException.class).hasMessageContaining("retry");
            assertThat(millis).as("cancelled at the 1 s timeout, not at the lock's release").isLessThan(10_000);
            assertThat(waitingRelataBackends(locker)).as("no backend still waits on the lock").isZero();
        }
        assertThat(CompletableFuture.supplyAsync(lookup).get(15, TimeUnit.SECONDS)).as(name).isNotNull();
    }

    private static Connection lock(String table) throws Exception {
        Connection locker = TestDatabase.connect();
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
            s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
        return locker;
    }

    private static int waitingRelataBackends(Connection locker) throws Exception {
        try (PreparedStatement q = locker.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = 'relata'"
                + " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
