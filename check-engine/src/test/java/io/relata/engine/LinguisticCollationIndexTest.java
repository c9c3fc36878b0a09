package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.index.GroupIndexOptions;
import io.relata.migrations.Migrator;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.SubjectRef;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On a PostgreSQL database whose collation orders ids otherwise than Java does (ICU
 * {@code en-US}: case and punctuation weigh less than letters), the nested-group index gives
 * lookups no page, since its pages come in Java's order and a walk mixing them with the store's
 * could skip or repeat rows: lookups come exactly as with the index off. On the test database
 * (a byte-order collation) the index suites show it giving pages.
 */
class LinguisticCollationIndexTest {

    @Test
    void onALinguisticCollation_theIndexGivesLookupsNoPage_andTheyComeAsWithoutIt() throws Exception {
        String database = TestDatabase.config().database() + "_icu";
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            s.execute("CREATE DATABASE \"" + database + "\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'"
                    + " LOCALE 'C.UTF-8'");
        }
        PostgresConfig config = TestDatabase.config().withDatabase(database).withPoolSize(4);
        try (HikariDataSource pool = PostgresTupleStore.pool(config)) {
            new Migrator(pool).migrate();
            PostgresTupleStore store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
            assertThat(store.ordersIdsAsJava()).as("ICU en-US orders ids as Java does").isFalse();
            String tenant = "icu";
            store.createTenant(tenant);
            store.writeSchema(tenant, GroupIndexContract.SCHEMA);
            // Ids whose order differs between en-US and Java: "B" < "a" in Java, "a" < "B" in en-US;
            // '_' and '-' sort before letters in Java's order of these, and are nearly ignored in en-US.
            List<String> ids = List.of("a", "B", "_c", "C-1", "c0", "Z", "b_", "a-b", "A");
            List<Relationship> rows = new ArrayList<>();
            for (String id : ids) {
                rows.add(Relationship.parse("group:" + id + "#member@user:ann"));
                rows.add(Relationship.parse("group:top#member@group:" + id + "#member"));
                rows.add(Relationship.parse("project:p" + id + "#namespace@group:" + id));
            }
            rows.add(Relationship.parse("project:ptop#namespace@group:top"));
            Revision at = store.bulkImport(tenant, rows.iterator());
            EngineOptions base = EngineOptions.DEFAULTS.withCacheSize(0).withRelationshipCacheSize(0);
            try (GraphCheckEngine off = new GraphCheckEngine(store, base);
                    GraphCheckEngine on = new GraphCheckEngine(store,
                            base.withGroupIndex(GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10))))) {
                for (String permission : List.of("view", "member")) {
                    String type = permission.equals("view") ? "project" : "group";
                    List<String> withOut = lookup(off, tenant, at, type, permission);
                    List<String> with = lookup(on, tenant, at, type, permission);
                    assertThat(with).as(permission).isEqualTo(withOut);
                    assertThat(with).as(permission).hasSize(ids.size() + 1);
                }
                assertThat(on.groupIndex().orElseThrow().lookupStepsAnswered()).as("pages the index gave").isZero();
                // The index still answers checks: their answers do not depend on row order.
                assertThat(on.check(tenant, at, CheckRequest.of("project:ptop", "view", "user:ann")).get()
                        .permissionship()).isEqualTo(Permissionship.HAS);
            }
        } finally {
            try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS \"" + database + "\" WITH (FORCE)");
            }
        }
    }

    private static List<String> lookup(GraphCheckEngine engine, String tenant, Revision at, String type,
            String permission) {
        List<String> out = new ArrayList<>();
        engine.streamResources(tenant, at, type, permission, SubjectRef.parse("user:ann"), Map.of(), null, 0,
                (r, cursor) -> out.add(r.id()));
        return out;
    }
}
