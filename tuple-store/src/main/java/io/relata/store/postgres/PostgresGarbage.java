package io.relata.store.postgres;

import io.relata.store.GcResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Garbage collection of the PostgreSQL store, safe with many instances on one database.
 *
 * <p><b>One collector at a time.</b> A run first takes the session advisory lock
 * {@link #LOCK_KEY} with {@code pg_try_advisory_lock} on one connection and does all its work
 * on that connection; when another instance (or another store in this JVM) holds the lock,
 * the run does nothing and returns {@link #SKIPPED}. PostgreSQL releases the lock when the
 * run ends, or when its connection dies.
 *
 * <p><b>Horizon first.</b> For each tenant the run first commits the new
 * {@code tenant_revisions.gc_horizon}, then deletes. A reader that checks the horizon and reads
 * history in one snapshot (Watch does) therefore either sees the old horizon and every row
 * (its snapshot predates the deletes) or the new horizon, and refuses a position older than
 * it: history is never read with rows missing.
 *
 * <p><b>Bounded batches.</b> Old versions, expired relationships and revision records are
 * deleted {@link #BATCH} rows per statement, each statement its own transaction, so no run
 * holds locks on many rows or a long transaction.
 */
final class PostgresGarbage {

    /** The advisory lock key: "relataGC" in ASCII. */
    static final long LOCK_KEY = 0x72656c6174614743L;

    /** Rows deleted per statement. */
    static final int BATCH = 1_000;

    /** What a run that found the lock taken returns. */
    static final GcResult SKIPPED = new GcResult(0, 0, 0);

    private final DataSource dataSource;
    private final int batch;
    private volatile Runnable afterLock = () -> { };

    PostgresGarbage(DataSource dataSource, int batch) {
        this.dataSource = dataSource;
        this.batch = batch;
    }

    /** A hook run while the lock is held, before any work: tests hold a run there. */
    void afterLock(Runnable hook) {
        this.afterLock = hook;
    }

    /**
     * Collects every tenant, unless another collector holds the lock.
     *
     * @param now     the time expiration is judged at
     * @param cutoff  versions deleted at revisions committed at or before it go
     */
    GcResult collect(Instant now, Instant cutoff) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (!tryLock(c)) {
                return SKIPPED;
            }
            try {
                afterLock.run();
                GcResult total = new GcResult(0, 0, 0);
                for (long tenant : tenants(c)) {
                    total = total.plus(collect(c, tenant, now, cutoff));
                }
                return total;
            } finally {
                unlock(c);
            }
        }
    }

    private GcResult collect(Connection c, long tenant, Instant now, Instant cutoff) throws SQLException {
        long horizon = advanceHorizon(c, tenant, cutoff);
        long old = repeat(c, OLD_VERSIONS, tenant, s -> s.setLong(2, horizon));
        Timestamp at = Timestamp.from(now);
        long expired = repeat(c, EXPIRED, tenant, s -> s.setTimestamp(2, at));
        long revisions = repeat(c, OLD_REVISIONS, tenant, s -> s.setLong(2, horizon));
        try (PreparedStatement s = c.prepareStatement(OLD_SCHEMAS)) {
            s.setLong(1, tenant);
            s.setLong(2, tenant);
            s.setLong(3, horizon);
            s.executeUpdate();
        }
        return new GcResult(old, expired, revisions);
    }

    /** Commits the tenant's new horizon (never lower than the old one) and returns it. */
    private static long advanceHorizon(Connection c, long tenant, Instant cutoff) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(ADVANCE)) {
            s.setLong(1, tenant);
            s.setTimestamp(2, Timestamp.from(cutoff));
            s.setLong(3, tenant);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        }
    }

    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    /** Runs a batched delete until it deletes fewer rows than a batch; returns the total. */
    private long repeat(Connection c, String sql, long tenant, Binder binder) throws SQLException {
        long total = 0;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            s.setLong(1, tenant);
            binder.bind(s);
            s.setInt(3, batch);
            int deleted;
            do {
                deleted = s.executeUpdate();
                total += deleted;
            } while (deleted == batch);
        }
        return total;
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            s.setLong(1, LOCK_KEY);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection c) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            s.setLong(1, LOCK_KEY);
            s.execute();
        }
    }

    private static List<Long> tenants(Connection c) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM tenants ORDER BY id");
                ResultSet r = s.executeQuery()) {
            while (r.next()) {
                out.add(r.getLong(1));
            }
        }
        return out;
    }

    private static final String ADVANCE = """
            UPDATE tenant_revisions SET gc_horizon = GREATEST(gc_horizon, coalesce(
                (SELECT max(revision) FROM revisions WHERE tenant_id = ? AND committed_at <= ?), 0))
            WHERE tenant_id = ? RETURNING gc_horizon
            """;

    private static final String OLD_VERSIONS = """
            DELETE FROM relation_tuples WHERE (tableoid, ctid) IN (
                SELECT tableoid, ctid FROM relation_tuples WHERE tenant_id = ? AND deleted_rev <= ? LIMIT ?)
            """;

    private static final String EXPIRED = """
            DELETE FROM relation_tuples WHERE (tableoid, ctid) IN (
                SELECT tableoid, ctid FROM relation_tuples WHERE tenant_id = ? AND expires_at <= ? LIMIT ?)
            """;

    private static final String OLD_REVISIONS = """
            DELETE FROM revisions WHERE (tenant_id, revision) IN (
                SELECT tenant_id, revision FROM revisions WHERE tenant_id = ? AND revision < ?
                ORDER BY revision LIMIT ?)
            """;

    private static final String OLD_SCHEMAS = """
            DELETE FROM schemas WHERE tenant_id = ? AND revision < (
                SELECT max(revision) FROM schemas WHERE tenant_id = ? AND revision <= ?)
            """;
}
