package io.relata.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.migrations.Migrator;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A fresh, migrated database of its own on the test server, for tests whose assertions cover
 * the whole database (garbage collection runs over every tenant; advisory locks are per
 * database), so other tests' rows and collectors cannot disturb them.
 */
public final class SeparateDatabase {

    private SeparateDatabase() {}

    /** Drops {@code name} if it exists, creates it empty and migrates it; returns its settings. */
    public static PostgresConfig create(String name) throws SQLException {
        String database = TestDatabase.config().database() + "_" + name;
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + database + "\"");
        }
        PostgresConfig config = TestDatabase.config().withDatabase(database).withPoolSize(4);
        try (HikariDataSource pool = PostgresTupleStore.pool(config)) {
            new Migrator(pool).migrate();
        }
        return config;
    }
}
