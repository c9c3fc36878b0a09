package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When the fail-fast pool marks the database down, and that it keeps probing until it answers:
 * one lost connection is not an outage, and a probe that fails with an Error does not end the
 * probing. The pool underneath is the test database's, reached through a source that fails on
 * command (the shared PostgreSQL server is never touched).
 */
class FailFastDataSourceTest {

    /**
     * The test database's pool; the next {@code sqlFailures} takes fail as when the database
     * cannot be reached, then the next {@code errors} with an Error.
     */
    private static final class Scripted implements DataSource {
        final AtomicInteger sqlFailures = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();

        @Override
        public Connection getConnection() throws SQLException {
            if (sqlFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new SQLTransientConnectionException("Connection refused", "08001");
            }
            if (errors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new NoClassDefFoundError("a class the probe needed");
            }
            return TestDatabase.pool().getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }

    private final Scripted source = new Scripted();
    private final FailFastDataSource failFast = new FailFastDataSource(source);

    @AfterEach
    void close() {
        failFast.close();
    }

    private static SQLException reset() {
        return new SQLException("An I/O error occurred while sending to the backend: Connection reset", "08006");
    }

    @Test
    void oneConnectionLostOnItsOwn_doesNotMarkThePoolDown_butSeveralInARowDo() throws Exception {
        failFast.callFailed(reset());
        assertThat(failFast.available()).as("after one lost connection").isTrue();
        try (Connection c = failFast.getConnection()) {
            assertThat(c.isValid(5)).isTrue();
        }

        // A call that reached the database between failures: they are not in a row.
        for (int i = 1; i < FailFastDataSource.CALL_FAILURES_IN_A_ROW; i++) {
            failFast.callFailed(reset());
            failFast.callSucceeded();
        }
        assertThat(failFast.available()).as("failures with answers between them").isTrue();

        for (int i = 0; i < FailFastDataSource.CALL_FAILURES_IN_A_ROW; i++) {
            failFast.callFailed(reset());
        }
        assertThat(failFast.available()).as("after " + FailFastDataSource.CALL_FAILURES_IN_A_ROW
                + " lost in a row").isFalse();
        awaitAvailable();
    }

    @Test
    void failingToTakeAConnection_marksThePoolDownAtOnce() {
        source.sqlFailures.set(1_000_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(failFast::getConnection)
                .isInstanceOf(SQLException.class);
        assertThat(failFast.available()).isFalse();
        // Refused by the fail-fast pool itself, without asking the pool underneath.
        org.assertj.core.api.Assertions.assertThatThrownBy(failFast::getConnection)
                .isInstanceOf(SQLTransientConnectionException.class).hasMessageContaining("not answering");
        source.sqlFailures.set(0);
    }

    @Test
    void aProbeFailingWithAnError_keepsProbing_andThePoolComesBack() throws Exception {
        source.sqlFailures.set(1);
        source.errors.set(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(failFast::getConnection)
                .isInstanceOf(SQLException.class);
        assertThat(failFast.available()).isFalse();
        awaitAvailable();
        assertThat(source.errors.get()).as("the probes that failed with an Error").isZero();
        try (Connection c = failFast.getConnection()) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    /** Polls (at most 30 s) until a probe has found the database answering. */
    private void awaitAvailable() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!failFast.available() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(failFast.available()).as("the pool is back once a probe gets an answer").isTrue();
    }
}
