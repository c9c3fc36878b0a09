package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.migrations.Migrator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.Field;
import org.junit.jupiter.api.Test;

/** The hand-written jOOQ table definitions match the migrated database, and migrations are current. */
class PostgresTablesTest {

    @Test
    void declaredColumns_matchTheMigratedTables() throws Exception {
        TestDatabase.pool();
        try (Connection c = TestDatabase.connect()) {
            for (Map.Entry<String, List<Field<?>>> table : Tables.COLUMNS.entrySet()) {
                Set<String> actual = new HashSet<>();
                try (PreparedStatement s = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                        + " WHERE table_schema = current_schema() AND table_name = ?")) {
                    s.setString(1, table.getKey());
                    try (ResultSet rs = s.executeQuery()) {
                        while (rs.next()) {
                            actual.add(rs.getString(1));
                        }
                    }
                }
                Set<String> declared = new HashSet<>();
                table.getValue().forEach(f -> declared.add(f.getName()));
                assertThat(actual).as("columns of %s", table.getKey()).isEqualTo(declared);
            }
        }
    }

    @Test
    void relationTuples_isHashPartitioned() throws Exception {
        TestDatabase.pool();
        try (Connection c = TestDatabase.connect();
                ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_inherits i"
                        + " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'relation_tuples'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(Migrator.DEFAULT_PARTITIONS);
        }
        assertThat(new Migrator(TestDatabase.pool()).isCurrent()).isTrue();
        assertThat(new Migrator(TestDatabase.pool()).migrate()).as("migrating again does nothing").isZero();
    }

    @Test
    void urls_areReadInLibpqAndJdbcForms() {
        PostgresConfig c = PostgresConfig.fromUrl("postgresql://alice:s%40cret@db.example:6543/authz?sslmode=require");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/authz?sslmode=require");
        assertThat(c.user()).isEqualTo("alice");
        assertThat(c.password()).isEqualTo("s@cret");
        assertThat(c.database()).isEqualTo("authz");
        assertThat(c.withDatabase("postgres").jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/postgres?sslmode=require");
        assertThat(PostgresConfig.fromUrl("jdbc:postgresql://h/d").jdbcUrl()).isEqualTo("jdbc:postgresql://h/d");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PostgresConfig.fromUrl("mysql://x:pw@h/d"))
                .hasMessageContaining("mysql://x:***@h/d").hasMessageNotContaining("pw");
    }
}
