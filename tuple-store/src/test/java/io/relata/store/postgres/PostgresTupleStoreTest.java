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
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PostgresTupleStoreTest extends TupleStoreContract {

    @Override
    protected TupleStore newStore(StoreOptions options) {
        return new PostgresTupleStore(TestDatabase.pool(), options);
    }

    /**
     * A big import leaves the planner statistics: the partition it wrote to has been analyzed
     * (by the import, not autovacuum) and counts the rows in {@code pg_class.reltuples}.
     */
    @Test
    void bulkImport_analyzesThePartitionItWroteTo_beforeItAnswers() throws Exception {
        int count = (int) BulkCopy.ANALYZE_AFTER_ROWS;
        String type = "analyzed_" + Long.toHexString(System.nanoTime());
        Timestamp before;
        try (Connection c = TestDatabase.connect(); ResultSet r = c.createStatement().executeQuery("SELECT now()")) {
            r.next();
            before = r.getTimestamp(1);
        }

        store.bulkImport(tenant, IntStream.range(0, count)
                .mapToObj(i -> Relationship.parse(type + ":r" + i + "#viewer@user:u" + (i % 100))).iterator());

        try (Connection c = TestDatabase.connect(); PreparedStatement s = c.prepareStatement("""
                SELECT s.last_analyze, k.reltuples
                FROM relation_tuples t
                JOIN pg_stat_user_tables s ON s.relid = t.tableoid
                JOIN pg_class k ON k.oid = t.tableoid
                WHERE t.resource_type = ? LIMIT 1""")) {
            s.setString(1, type);
            try (ResultSet r = s.executeQuery()) {
                assertThat(r.next()).isTrue();
                assertThat(r.getTimestamp(1)).as("last_analyze of the partition").isNotNull()
                        .isAfterOrEqualTo(before);
                assertThat(r.getDouble(2)).as("reltuples of the partition").isGreaterThanOrEqualTo(count);
            }
        }
    }
}
