package io.relata.migrations;

import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Brings a PostgreSQL database to Relata's current schema with Flyway, from the SQL scripts
 * in {@code db/relata}. Safe to run again and from several processes at once (Flyway takes
 * a lock).
 */
public final class Migrator {

    /** Hash partitions of {@code relation_tuples} unless configured otherwise. */
    public static final int DEFAULT_PARTITIONS = 16;

    private static final String LOCATION = "classpath:db/relata";

    private final Flyway flyway;

    /**
     * @param partitions how many hash partitions {@code relation_tuples} gets; only the first
     *                   migration of a database uses it
     * @throws IllegalArgumentException if {@code partitions} is not between 1 and 1024
     */
    public Migrator(DataSource dataSource, int partitions) {
        if (partitions < 1 || partitions > 1024) {
            throw new IllegalArgumentException("partitions must be between 1 and 1024, got " + partitions);
        }
        this.flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .placeholders(Map.of("partitions", Integer.toString(partitions)))
                .load();
    }

    public Migrator(DataSource dataSource) {
        this(dataSource, DEFAULT_PARTITIONS);
    }

    /** Applies every pending migration; returns how many were applied. */
    public int migrate() {
        MigrateResult result = flyway.migrate();
        return result.migrationsExecuted;
    }

    /** True when the database has every migration this build knows, and no failed one. */
    public boolean isCurrent() {
        MigrationInfo[] pending = flyway.info().pending();
        MigrationInfo current = flyway.info().current();
        return pending.length == 0 && current != null && current.getState().isApplied()
                && !current.getState().isFailed();
    }

    /** The version the database is at, or "none". */
    public String currentVersion() {
        MigrationInfo current = flyway.info().current();
        return current == null ? "none" : current.getVersion().getVersion();
    }
}
