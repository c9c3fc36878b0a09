package io.relata.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database server's clock, read without a round trip: the local clock plus the offset
 * to PostgreSQL's {@code clock_timestamp()}, measured at start and again every
 * {@link #REFRESH} (half the round trip is taken as the transit time, so the error is at
 * most half a round trip). Every instance on one database then records revision times, judges
 * expiration and places the GC window on the same clock, however skewed their hosts are.
 *
 * <p>When a measurement fails the last offset stays in force (zero before the first success)
 * and the next refresh tries again. {@link #close()} stops the refreshes.
 */
public final class DatabaseClock extends Clock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseClock.class);

    /** How often the offset is measured again. */
    public static final Duration REFRESH = Duration.ofSeconds(10);

    private final DataSource dataSource;
    private final Clock local;
    private final ScheduledExecutorService refresher;
    private volatile Duration offset = Duration.ZERO;

    private DatabaseClock(DataSource dataSource, Clock local) {
        this.dataSource = dataSource;
        this.local = local;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relata-db-clock");
            t.setDaemon(true);
            return t;
        });
    }

    /** Measures the offset of {@code local} to the database's clock now, then every {@link #REFRESH}. */
    public static DatabaseClock start(DataSource dataSource, Clock local) {
        DatabaseClock clock = new DatabaseClock(dataSource, local);
        clock.measureQuietly();
        long millis = REFRESH.toMillis();
        clock.refresher.scheduleWithFixedDelay(clock::measureQuietly, millis, millis, TimeUnit.MILLISECONDS);
        return clock;
    }


    /** Measures the offset once. */
    void measure() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT clock_timestamp()")) {
            Instant sent = local.instant();
            Instant database;
            try (ResultSet r = s.executeQuery()) {
                r.next();
                database = r.getTimestamp(1).toInstant();
            }
            Instant received = local.instant();
            Instant midpoint = sent.plus(Duration.between(sent, received).dividedBy(2));
            offset = Duration.between(midpoint, database);
        }
    }

    private void measureQuietly() {
        try {
            measure();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not read the database clock; keeping the last offset: {}", e.getMessage());
        }
    }

    @Override
    public Instant instant() {
        return local.instant().plus(offset);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public void close() {
        refresher.shutdown(); // a measurement under way finishes (interrupting it would break its connection)
    }
}
