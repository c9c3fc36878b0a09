package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Relationship;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.TupleStoreContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import io.relata.store.Revision;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PostgresTupleStoreTest extends TupleStoreContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new PostgresTupleStore(TestDatabase.pool(), options);
    }

    /**
     * A big import leaves the planner statistics: the partition it wrote to is analyzed (by the
     * store, in the background once the import has committed, not by autovacuum) and counts the
     * rows in {@code pg_class.reltuples}.
     */
    @Test
    void bulkImport_analyzesThePartitionItWroteTo_soonAfterItAnswers() throws Exception {
        int count = (int) BulkCopy.ANALYZE_AFTER_ROWS;
        String type = "analyzed_" + Long.toHexString(System.nanoTime());
        Timestamp before = databaseNow();

        store.bulkImport(tenant, rows(type, count));

        awaitAnalyzed(type, before, count);
    }

    /**
     * The import answers once committed, however long the ANALYZE after it takes: here the
     * analyzer is held until the import has answered, and the statistics come after.
     */
    @Test
    void bulkImport_answersWithoutWaitingForItsAnalyze() throws Exception {
        int count = (int) BulkCopy.ANALYZE_AFTER_ROWS;
        String type = "held_" + Long.toHexString(System.nanoTime());
        Timestamp before = databaseNow();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ((PostgresTupleStore) store).analyzer().beforeAnalyze(() -> {
            entered.countDown();
            try {
                release.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<Revision> imported = CompletableFuture.supplyAsync(() ->
                store.bulkImport(tenant, rows(type, count)));
        try {
            assertThat(imported.get(60, TimeUnit.SECONDS)).as("the import's answer, the analyzer held").isNotNull();
            assertThat(entered.await(60, TimeUnit.SECONDS)).as("the analyzer was asked").isTrue();
        } finally {
            release.countDown();
        }
        awaitAnalyzed(type, before, count);
    }

    private static Iterator<Relationship> rows(String type, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> Relationship.parse(type + ":r" + i + "#viewer@user:u" + (i % 100))).iterator();
    }

    private static Timestamp databaseNow() throws Exception {
        try (Connection c = TestDatabase.connect(); ResultSet r = c.createStatement().executeQuery("SELECT now()")) {
            r.next();
            return r.getTimestamp(1);
        }
    }

    /** Polls (at most a minute) until the partition holding {@code type} was analyzed after {@code before}. */
    private static void awaitAnalyzed(String type, Timestamp before, int count) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = TestDatabase.connect(); PreparedStatement s = c.prepareStatement("""
                    SELECT s.last_analyze, k.reltuples
                    FROM relation_tuples t
                    JOIN pg_stat_user_tables s ON s.relid = t.tableoid
                    JOIN pg_class k ON k.oid = t.tableoid
                    WHERE t.resource_type = ? LIMIT 1""")) {
                s.setString(1, type);
                try (ResultSet r = s.executeQuery()) {
                    assertThat(r.next()).isTrue();
                    Timestamp analyzed = r.getTimestamp(1);
                    boolean done = analyzed != null && !analyzed.before(before) && r.getDouble(2) >= count;
                    if (done || System.nanoTime() > until) {
                        assertThat(analyzed).as("last_analyze of the partition").isNotNull().isAfterOrEqualTo(before);
                        assertThat(r.getDouble(2)).as("reltuples of the partition").isGreaterThanOrEqualTo(count);
                        return;
                    }
                }
            }
            Thread.sleep(50);
        }
    }
}
