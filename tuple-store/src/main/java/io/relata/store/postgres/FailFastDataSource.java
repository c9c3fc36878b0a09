package io.relata.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A pool that, once the database has stopped answering, refuses connections at once instead
 * of making every caller wait the pool's whole timeout, and is back as soon as the database
 * answers again. When taking a connection fails for want of the database, the pool is marked
 * down and a probe connects directly (not through the pool, whose retries back off up to
 * seconds) every {@link #PROBE_MILLIS} ms; the first probe that gets an answer marks it up.
 * A call on a connection already taken that loses the database marks the pool down only when
 * a direct connection fails too, or {@link #CALL_FAILURES_IN_A_ROW} calls in a row did: one
 * connection reset by itself is not an outage (the pool drops that connection and the next
 * caller gets another).
 * While it is down the pool's idle connections are evicted, so none broken by the outage is
 * handed out afterwards.
 */
final class FailFastDataSource implements DataSource {

    /** How often a down database is probed. */
    static final long PROBE_MILLIS = 200;

    /** How many calls in a row must lose the database before the pool is marked down. */
    static final int CALL_FAILURES_IN_A_ROW = 3;

    /**
     * How long one probe waits for the database to connect and to answer, in seconds, when the
     * pool does not say: the pool's own wait ({@link PostgresTupleStore#ACQUIRE_TIMEOUT_MILLIS}),
     * so a slow but healthy database that the pool would reach is not kept marked down.
     */
    private static final int DEFAULT_PROBE_TIMEOUT_SECONDS =
            (int) Math.max(1, (PostgresTupleStore.ACQUIRE_TIMEOUT_MILLIS + 999) / 1_000);

    private static final System.Logger LOG = System.getLogger(FailFastDataSource.class.getName());

    private final DataSource pool;
    private final ScheduledExecutorService prober;
    private volatile boolean down;
    private volatile String lastFailure = "";
    private final java.util.concurrent.atomic.AtomicInteger callFailures = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean verifying = new java.util.concurrent.atomic.AtomicBoolean();
    private ScheduledFuture<?> probing;

    FailFastDataSource(DataSource pool) {
        this.pool = pool;
        this.prober = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relata-postgres-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** Whether the last attempt found the database answering. */
    boolean available() {
        return !down;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("the database is not answering (" + lastFailure
                    + "); retried every " + PROBE_MILLIS + " ms", "08001");
        }
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (isConnectionFailure(e)) {
                markDown(e);
            }
            throw e;
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the pool's credentials are fixed");
    }

    /**
     * True when {@code e} says the database could not be reached (SQL state class 08, which the
     * pool passes on from its last attempt); a pool merely busy (every connection in use) is not.
     */
    static boolean isConnectionFailure(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reports that a call on a connection already taken failed: when {@code e} says the
     * database could not be reached, and so did the {@link #CALL_FAILURES_IN_A_ROW} - 1 calls
     * before it, the pool is marked down until a probe gets an answer.
     */
    void callFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && isConnectionFailure(s)) {
                if (callFailures.incrementAndGet() >= CALL_FAILURES_IN_A_ROW) {
                    markDown(s);
                } else {
                    verify(s);
                }
                return;
            }
        }
        callSucceeded();
    }

    /**
     * After one lost connection, which may be that connection's alone: asks the database
     * directly (one caller at a time, on the failed call's thread), and marks the pool down when
     * that fails too, so an outage is still noticed by its first failure.
     */
    private void verify(SQLException lost) {
        if (down || !verifying.compareAndSet(false, true)) {
            return;
        }
        try (Connection c = connectDirectly()) {
            if (!c.isValid(probeTimeoutSeconds())) {
                markDown(lost);
            }
        } catch (SQLException e) {
            markDown(e);
        } catch (Throwable e) {
            markDown(lost);
        } finally {
            verifying.set(false);
        }
    }

    /** Reports that a call reached the database (a failure it answered with counts as reaching it). */
    void callSucceeded() {
        if (callFailures.get() != 0) {
            callFailures.set(0);
        }
    }

    private synchronized void markDown(SQLException e) {
        lastFailure = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (down || prober.isShutdown()) {
            return;
        }
        down = true;
        callFailures.set(0);
        LOG.log(System.Logger.Level.WARNING, "the database is not answering; probing it every {0} ms: {1}",
                PROBE_MILLIS, lastFailure);
        if (pool instanceof HikariDataSource hikari && hikari.getHikariPoolMXBean() != null) {
            hikari.getHikariPoolMXBean().softEvictConnections();
        }
        // The first probe at once: a connection lost on its own (not the database) costs a moment only.
        probing = prober.scheduleWithFixedDelay(this::probe, 0, PROBE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void probe() {
        try (Connection c = connectDirectly()) {
            if (!c.isValid(probeTimeoutSeconds())) {
                return;
            }
        } catch (Throwable e) {
            // Anything, an Error too: one escaping would end the scheduled probing and leave the pool down.
            lastFailure = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            if (e instanceof Error) {
                LOG.log(System.Logger.Level.WARNING, "probing the database failed; probing on", e);
            }
            return;
        }
        synchronized (this) {
            down = false;
            if (probing != null) {
                probing.cancel(false);
                probing = null;
            }
        }
        LOG.log(System.Logger.Level.INFO, "the database answers again");
    }

    /** A connection of its own to the pool's database, or one from the pool when its settings are unknown. */
    private Connection connectDirectly() throws SQLException {
        if (pool instanceof HikariDataSource hikari && hikari.getJdbcUrl() != null) {
            Properties properties = new Properties();
            if (hikari.getUsername() != null) {
                properties.setProperty("user", hikari.getUsername());
            }
            if (hikari.getPassword() != null) {
                properties.setProperty("password", hikari.getPassword());
            }
            // The pool's connection settings (its connect timeout among them), then a socket timeout
            // as long as the pool's wait, so a probe waits as long as a pool caller would.
            hikari.getDataSourceProperties().forEach((k, v) -> properties.setProperty(String.valueOf(k),
                    String.valueOf(v)));
            properties.putIfAbsent("connectTimeout", String.valueOf(probeTimeoutSeconds()));
            properties.putIfAbsent("socketTimeout", String.valueOf(probeTimeoutSeconds()));
            properties.setProperty("ApplicationName", "relata-probe");
            return DriverManager.getConnection(hikari.getJdbcUrl(), properties);
        }
        return pool.getConnection();
    }

    /** How long a probe waits, in seconds: as long as a caller of the pool waits for a connection. */
    private int probeTimeoutSeconds() {
        if (pool instanceof HikariDataSource hikari && hikari.getConnectionTimeout() > 0) {
            return (int) Math.max(1, (hikari.getConnectionTimeout() + 999) / 1_000);
        }
        return DEFAULT_PROBE_TIMEOUT_SECONDS;
    }

    /** Stops probing; the pool itself is closed by its owner. */
    void close() {
        prober.shutdownNow();
    }

    @Override
    public String toString() {
        return "the PostgreSQL pool" + (down ? " (the database is not answering)" : "");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(pool)) {
            return type.cast(pool);
        }
        return pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(pool) || pool.isWrapperFor(type);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }
}
