package io.relata.benchmarks;

import io.relata.store.postgres.PostgresConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;

/** The database a benchmark runs in, dropped and created again so every run starts empty. */
final class BenchDatabase {

    private BenchDatabase() {}

    static void recreate(PostgresConfig config) throws Exception {
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
    }
}
