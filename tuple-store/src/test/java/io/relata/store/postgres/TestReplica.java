package io.relata.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The streaming replica of the test database the read-replica tests use:
 * {@code RELATA_TEST_REPLICA_URL}, else the test server's address on port 5433 (where
 * {@code .ci/replica.sh} starts one). Tests fail, never skip, when it is not there.
 */
public final class TestReplica {

    private TestReplica() {}

    /** Its settings. */
    public static PostgresConfig config() {
        String env = System.getenv("RELATA_TEST_REPLICA_URL");
        if (env != null && !env.isBlank()) {
            return PostgresConfig.fromUrl(env);
        }
        PostgresConfig primary = TestDatabase.config();
        return new PostgresConfig(primary.jdbcUrl().replaceFirst(":5432/", ":5433/"), primary.user(),
                primary.password(), 2);
    }

    /** A connection to it, or an error that says how to start one. */
    public static Connection connect() {
        PostgresConfig c = config();
        Properties p = new Properties();
        if (c.user() != null) {
            p.setProperty("user", c.user());
        }
        if (c.password() != null) {
            p.setProperty("password", c.password());
        }
        try {
            return DriverManager.getConnection(c.jdbcUrl(), p);
        } catch (SQLException e) {
            throw new IllegalStateException("No read replica at " + c.jdbcUrl() + ": start one with"
                    + " `bash .ci/replica.sh` (a streaming replica of the local PostgreSQL on port 5433) or set"
                    + " RELATA_TEST_REPLICA_URL", e);
        }
    }
}
