package io.relata.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.migrations.Migrator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The PostgreSQL the tests run against, migrated once per JVM.
 *
 * <p>Where it comes from, in order: {@code RELATA_TEST_DATABASE_URL}
 * ({@code postgresql://user@host:port/database}); else the local server at
 * {@code postgresql://postgres@127.0.0.1:5432/relata_test} (the database is created if
 * missing); else a Testcontainers PostgreSQL when Docker runs; else the tests fail with a
 * message that says how to provide one. Tests never skip for want of a database.
 */
public final class TestDatabase {

    public static final String DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/relata_test";

    private static PostgresConfig config;
    private static HikariDataSource pool;

    private TestDatabase() {}

    /** The shared, migrated pool. */
    public static synchronized HikariDataSource pool() {
        if (pool == null) {
            config = resolve();
            pool = PostgresTupleStore.pool(config.withPoolSize(12));
            new Migrator(pool).migrate();
            Runtime.getRuntime().addShutdownHook(new Thread(pool::close));
        }
        return pool;
    }

    /** Connection settings of the shared database. */
    public static synchronized PostgresConfig config() {
        pool();
        return config;
    }

    /** A new connection outside the pool, for tests that lock or kill things. */
    public static Connection connect() throws SQLException {
        PostgresConfig c = config();
        return DriverManager.getConnection(c.jdbcUrl(), properties(c));
    }

    private static PostgresConfig resolve() {
        String env = System.getenv("RELATA_TEST_DATABASE_URL");
        String url = env == null || env.isBlank() ? DEFAULT_URL : env;
        PostgresConfig candidate = PostgresConfig.fromUrl(url);
        SQLException failure;
        try {
            reach(candidate);
            return candidate;
        } catch (SQLException e) {
            failure = e;
        }
        if ("3D000".equals(failure.getSQLState())) {
            try {
                createDatabase(candidate);
                reach(candidate);
                return candidate;
            } catch (SQLException e) {
                failure = e;
            }
        }
        if (dockerAvailable()) {
            return Containers.start();
        }
        throw new IllegalStateException("No PostgreSQL for the tests: could not connect to " + url + " ("
                + failure.getMessage() + ") and Docker is not available for Testcontainers. Start PostgreSQL"
                + " (pg_ctlcluster --skip-systemctl-redirect 15 main start, or `bash .ci/run`), or set"
                + " RELATA_TEST_DATABASE_URL=postgresql://user:password@host:5432/database", failure);
    }

    private static void reach(PostgresConfig c) throws SQLException {
        try (Connection ignored = DriverManager.getConnection(c.jdbcUrl(), properties(c))) {
            // reachable
        }
    }

    private static void createDatabase(PostgresConfig c) throws SQLException {
        PostgresConfig admin = c.withDatabase("postgres");
        try (Connection connection = DriverManager.getConnection(admin.jdbcUrl(), properties(admin));
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE \"" + c.database().replace("\"", "\"\"") + "\"");
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    private static Properties properties(PostgresConfig c) {
        Properties p = new Properties();
        if (c.user() != null) {
            p.setProperty("user", c.user());
        }
        if (c.password() != null) {
            p.setProperty("password", c.password());
        }
        return p;
    }

    private static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Kept apart so Testcontainers classes load only when Docker is there. */
    private static final class Containers {

        static PostgresConfig start() {
            org.testcontainers.postgresql.PostgreSQLContainer container =
                    new org.testcontainers.postgresql.PostgreSQLContainer("postgres:15");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
            return new PostgresConfig(container.getJdbcUrl(), container.getUsername(), container.getPassword(),
                    PostgresConfig.DEFAULT_POOL_SIZE);
        }
    }
}
