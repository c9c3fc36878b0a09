package io.relata.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ANALYZE} of the partitions a big bulk import wrote to, in the background, so the import
 * answers as soon as it has committed (a client's deadline or cancel during the ANALYZE would
 * otherwise report a committed import as failed, and its retry would then find every
 * relationship already there).
 *
 * <p>One thread, at most {@link #MAX_PENDING} requests waiting (beyond that a request is dropped
 * and logged; autovacuum gathers the statistics later). Requests coalesce: a (tenant, resource
 * type) already waiting is not queued again, and a partition whose ANALYZE began after a request
 * was made is not analyzed again for it (that ANALYZE already saw the request's rows). A failure
 * is logged, never the import's: the import has committed.
 */
final class Analyzer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Analyzer.class);

    /** How many requests may wait for the analyzer's thread. */
    static final int MAX_PENDING = 64;

    /** How long closing the store waits for the ANALYZEs asked for. */
    static final long CLOSE_SECONDS = 10;

    private record Key(long tenantId, String resourceType) {}

    private final DataSource dataSource;
    private final ThreadPoolExecutor executor;
    private final Set<Key> waiting = ConcurrentHashMap.newKeySet();
    /** When (System.nanoTime) the last ANALYZE of each partition began; only the analyzer's thread uses it. */
    private final Map<String, Long> analyzedSince = new ConcurrentHashMap<>();
    private volatile Runnable beforeAnalyze = () -> {};

    Analyzer(DataSource dataSource) {
        this.dataSource = dataSource;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_PENDING),
                r -> {
                    Thread t = new Thread(r, "relata-postgres-analyze");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Asks for {@code ANALYZE} of the partitions holding {@code tenantId}'s rows of
     * {@code resourceTypes}, after an import of {@code rows} relationships; returns at once.
     */
    void request(long tenantId, Collection<String> resourceTypes, long rows) {
        List<Key> keys = new ArrayList<>();
        for (String type : resourceTypes) {
            Key key = new Key(tenantId, type);
            if (waiting.add(key)) {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        long requested = System.nanoTime();
        try {
            executor.execute(() -> analyze(keys, rows, requested));
        } catch (RejectedExecutionException e) {
            keys.forEach(waiting::remove);
            LOG.warn("ANALYZE after a bulk import of {} relationships skipped ({}); the import is committed and"
                    + " autovacuum will gather the statistics later", rows,
                    executor.isShutdown() ? "the store is closing" : MAX_PENDING + " requests already wait");
        }
    }

    private void analyze(List<Key> keys, long rows, long requested) {
        // No longer waiting: an import committed from now on asks again.
        keys.forEach(waiting::remove);
        long start = System.nanoTime();
        try {
            beforeAnalyze.run();
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                Set<String> partitions = new LinkedHashSet<>();
                try (PreparedStatement s = c.prepareStatement("SELECT tableoid::regclass::text FROM relation_tuples"
                        + " WHERE tenant_id = ? AND resource_type = ? LIMIT 1")) {
                    for (Key key : keys) {
                        s.setLong(1, key.tenantId());
                        s.setString(2, key.resourceType());
                        try (ResultSet r = s.executeQuery()) {
                            if (r.next()) {
                                partitions.add(r.getString(1));
                            }
                        }
                    }
                }
                Set<String> analyzed = new LinkedHashSet<>();
                try (Statement s = c.createStatement()) {
                    for (String partition : partitions) {
                        Long since = analyzedSince.get(partition);
                        if (since != null && since - requested > 0) {
                            continue;
                        }
                        analyzedSince.put(partition, System.nanoTime());
                        // The name comes from the catalog (regclass text is quoted where it needs to be).
                        s.execute("ANALYZE " + partition);
                        analyzed.add(partition);
                    }
                }
                LOG.info("bulk import of {} relationships: analyzed {} in {} ms", rows, analyzed,
                        (System.nanoTime() - start) / 1_000_000);
            }
        } catch (Throwable e) {
            LOG.warn("ANALYZE after a bulk import of {} relationships failed; the import is committed and"
                    + " autovacuum will gather the statistics later: {}", rows, String.valueOf(e.getMessage()));
        }
    }

    /** For tests: runs {@code hook} on the analyzer's thread before each ANALYZE request is served. */
    void beforeAnalyze(Runnable hook) {
        this.beforeAnalyze = hook;
    }

    /**
     * Takes no more requests and finishes the waiting ones for at most {@link #CLOSE_SECONDS} s
     * (so {@code relata import}, which closes the store as it exits, leaves the statistics
     * behind), then drops what is left.
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("ANALYZE after bulk imports still running after {} s; dropped as the store closes;"
                        + " autovacuum will gather the statistics later", CLOSE_SECONDS);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
