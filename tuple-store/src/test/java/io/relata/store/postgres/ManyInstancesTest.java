package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.store.ChangeSet;
import io.relata.store.GcResult;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two store instances, each with its own pool, on one database of their own: what several
 * Relata servers sharing a PostgreSQL see. Garbage collection runs one instance at a time and
 * deletes each row once, revision times follow the database's clock, and history is never
 * read with rows that garbage collection removed.
 */
class ManyInstancesTest {

    private static final StoreOptions NO_WINDOW = StoreOptions.DEFAULTS.withGcWindow(Duration.ZERO);

    private PostgresConfig config;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void database() throws SQLException {
        config = SeparateDatabase.create("instances");
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private PostgresTupleStore instance(StoreOptions options) {
        HikariDataSource pool = PostgresTupleStore.pool(config);
        open.add(pool);
        PostgresTupleStore store = new PostgresTupleStore(pool, options);
        open.add(0, store);
        return store;
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        return DriverManager.getConnection(config.jdbcUrl(), p);
    }

    /** Writes {@code count} relationships in {@code tenant} and deletes them: {@code count} old versions. */
    private static void garbage(TupleStore store, String tenant, int count) {
        for (int from = 0; from < count; from += 1_000) {
            List<RelationshipUpdate> updates = IntStream.range(from, Math.min(count, from + 1_000))
                    .mapToObj(i -> RelationshipUpdate.touch(Relationship.parse("doc:d" + i + "#viewer@user:u" + i)))
                    .toList();
            store.write(tenant, updates);
        }
        store.delete(tenant, RelationshipFilter.ofType("doc"), List.of(), 0, false);
    }

    private long oldVersions() throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM relation_tuples WHERE deleted_rev < " + Long.MAX_VALUE);
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Whether some session holds the collector's advisory lock (a bigint key: classid high, objid low). */
    private boolean gcLockHeld() throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT count(*) FROM pg_locks"
                + " WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database"
                + " WHERE datname = current_database()) AND classid = ? AND objid = ? AND objsubid = 1")) {
            s.setLong(1, PostgresGarbage.LOCK_KEY >>> 32);
            s.setLong(2, PostgresGarbage.LOCK_KEY & 0xffffffffL);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1) > 0;
            }
        }
    }

    @Test
    void gc_whileOneInstanceCollects_theOtherSkips_andTheLockIsHeldInTheDatabase() throws Exception {
        PostgresTupleStore a = instance(NO_WINDOW);
        PostgresTupleStore b = instance(NO_WINDOW);
        a.createTenant("t");
        garbage(a, "t", 30);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        a.garbage().afterLock(() -> {
            inside.countDown();
            await(release);
        });
        assertThat(gcLockHeld()).isFalse();

        CompletableFuture<GcResult> first = CompletableFuture.supplyAsync(a::collectGarbage);
        assertThat(inside.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcLockHeld()).isTrue();
        GcResult second = b.collectGarbage();
        assertThat(second).isEqualTo(new GcResult(0, 0, 0));
        assertThat(oldVersions()).isEqualTo(30);
        release.countDown();

        assertThat(first.get(60, TimeUnit.SECONDS).deletedVersions()).isEqualTo(30);
        assertThat(oldVersions()).isZero();
        assertThat(gcLockHeld()).isFalse();
    }

    @Test
    void gc_racingInstances_neverRunAtOnce_andTogetherDeleteEachRowOnce() throws Exception {
        PostgresTupleStore a = instance(NO_WINDOW);
        PostgresTupleStore b = instance(NO_WINDOW);
        int expected = 0;
        for (int t = 0; t < 3; t++) {
            a.createTenant("t" + t);
            int count = t == 0 ? 2_500 : 40 + t; // the first needs three batches
            garbage(t % 2 == 0 ? a : b, "t" + t, count);
            expected += count;
        }
        assertThat(oldVersions()).isEqualTo(expected);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger entered = new AtomicInteger();
        Runnable count = () -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            entered.incrementAndGet();
            sleep(20); // a run holds the lock at least this long: another collector would overlap it
            running.decrementAndGet();
        };
        a.garbage().afterLock(count);
        b.garbage().afterLock(count);
        AtomicLong deleted = new AtomicLong();
        List<CompletableFuture<Void>> collectors = new ArrayList<>();
        for (PostgresTupleStore store : List.of(a, b, a, b)) {
            collectors.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 10; i++) {
                    deleted.addAndGet(store.collectGarbage().deletedVersions());
                }
            }));
        }
        CompletableFuture.allOf(collectors.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);

        assertThat(mostAtOnce.get()).isEqualTo(1);
        assertThat(entered.get()).isGreaterThan(0);
        assertThat(deleted.get()).isEqualTo(expected);
        assertThat(oldVersions()).isZero();
    }

    @Test
    void revisionTimes_andTheGcWindow_followTheDatabaseClock_notASkewedHostClock() throws Exception {
        Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofHours(-3));
        try (PostgresTupleStore store = PostgresTupleStore.open(config, StoreOptions.DEFAULTS.withClock(behind), false)) {
            store.createTenant("t");
            Revision written = store.write("t", List.of(RelationshipUpdate.touch(Relationship.parse("doc:a#viewer@user:u"))));
            Instant recorded = store.committedAt("t", written).orElseThrow();
            assertThat(Duration.between(databaseNow(), recorded).abs()).isLessThan(Duration.ofMinutes(1));
        }
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofHours(25));
        try (PostgresTupleStore store = PostgresTupleStore.open(config, StoreOptions.DEFAULTS.withClock(ahead), false)) {
            Revision before = store.headRevision("t");
            store.delete("t", RelationshipFilter.ofType("doc"), List.of(), 0, false);
            store.collectGarbage();
            // The deletion is seconds old on the database's clock, well inside the 24-hour window.
            assertThat(store.oldestReadableRevision("t")).isEqualTo(Revision.ZERO);
            assertThat(store.read("t", RelationshipFilter.ofType("doc"), before, null, 10).relationships()).hasSize(1);
        }
    }

    /**
     * A watcher resuming from the oldest readable revision while another instance writes,
     * deletes and collects: every answer is either a refusal (history gone) or complete. Each
     * write here changes exactly one relationship, so a change set without updates means a
     * change that garbage collection removed under the reader.
     */
    @Test
    void history_readWhileAnotherInstanceCollects_isCompleteOrRefused() throws Exception {
        PostgresTupleStore writer = instance(NO_WINDOW);
        PostgresTupleStore watcher = instance(NO_WINDOW);
        writer.createTenant("t");
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger complete = new AtomicInteger();
        List<String> incomplete = new java.util.concurrent.CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 400 && System.nanoTime() < deadline; i++) {
                Relationship r = Relationship.parse("doc:d" + i + "#viewer@user:u");
                writer.write("t", List.of(RelationshipUpdate.touch(r)));
                writer.write("t", List.of(RelationshipUpdate.delete(r)));
                writer.collectGarbage();
            }
        });
        while (!writes.isDone()) {
            Revision from = watcher.oldestReadableRevision("t");
            try {
                for (ChangeSet change : watcher.changesSince("t", from, 50)) {
                    if (change.updates().isEmpty()) {
                        incomplete.add("revision " + change.revision() + " read from " + from);
                    }
                }
                complete.incrementAndGet();
            } catch (RevisionUnavailableException e) {
                refused.incrementAndGet();
            }
        }
        writes.get();
        assertThat(incomplete).isEmpty();
        assertThat(complete.get() + refused.get()).isGreaterThan(50);
    }

    private Instant databaseNow() throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT clock_timestamp()");
                ResultSet r = s.executeQuery()) {
            r.next();
            return r.getTimestamp(1).toInstant();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
