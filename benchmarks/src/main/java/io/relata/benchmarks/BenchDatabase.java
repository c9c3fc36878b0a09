package io.relata.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.migrations.Migrator;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;

/** The database a benchmark runs in, dropped and created again so every run starts empty. */
final class BenchDatabase {

    private BenchDatabase() {}

    /** Drops and creates the database of {@code config}, migrates it, and returns a pool on it. */
    static HikariDataSource fresh(PostgresConfig config) throws Exception {
        PostgresConfig admin = config.withDatabase("postgres");
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        try (Connection c = DriverManager.getConnection(admin.jdbcUrl(), p); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + config.database() + "\"");
            s.execute("CREATE DATABASE \"" + config.database() + "\"");
        }
        HikariDataSource pool = PostgresTupleStore.pool(config);
        new Migrator(pool).migrate();
        return pool;
    }

    /** Refreshes the planner's statistics after an import. */
    static void analyze(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("ANALYZE relation_tuples");
        }
    }
}
