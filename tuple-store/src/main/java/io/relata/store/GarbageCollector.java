package io.relata.store;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link TupleStore#collectGarbage()} in the background at a fixed interval, on one
 * daemon thread. A failed run is logged and retried at the next interval.
 */
public final class GarbageCollector implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);

    private final TupleStore store;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong runs = new AtomicLong();

    private GarbageCollector(TupleStore store, Duration interval) {
        this.store = store;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relata-gc");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::runQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts collecting every {@code interval}.
     *
     * @throws IllegalArgumentException if the interval is not positive
     */
    public static GarbageCollector start(TupleStore store, Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the GC interval must be positive, got " + interval);
        }
        return new GarbageCollector(store, interval);
    }

    /** How many runs have completed. */
    public long runs() {
        return runs.get();
    }

    private void runQuietly() {
        try {
            GcResult result = store.collectGarbage();
            runs.incrementAndGet();
            if (result.deletedVersions() + result.expired() + result.revisions() > 0) {
                LOG.info("garbage collection removed {} old versions, {} expired relationships, {} revision records",
                        result.deletedVersions(), result.expired(), result.revisions());
            }
        } catch (RuntimeException e) {
            LOG.warn("garbage collection failed; retrying at the next interval: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
