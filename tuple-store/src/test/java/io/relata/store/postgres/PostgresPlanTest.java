package io.relata.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relata.store.Relationship;
import io.relata.store.RelationshipShape;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.jooq.Query;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * EXPLAIN of the engine's two hot queries, as the store builds them: each touches exactly
 * one partition of relation_tuples and uses the index meant for it. The lookup a schema
 * change makes for each thing it removes touches one partition too and stops at one row.
 */
class PostgresPlanTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PostgresTupleStore store;
    private static String tenant;

    @BeforeAll
    static void load() throws Exception {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        tenant = "t-" + UUID.randomUUID();
        store.createTenant(tenant);
        List<Relationship> rows = new ArrayList<>();
        IntStream.range(0, 20_000).forEach(i -> {
            rows.add(Relationship.parse("doc:d" + i + "#viewer@user:u" + (i % 997)));
            rows.add(Relationship.parse("doc:d" + i + "#parent@folder:f" + (i % 101)));
            rows.add(Relationship.parse("folder:f" + (i % 5000) + "#viewer@group:g" + i + "#member"));
        });
        store.bulkImport(tenant, rows.iterator());
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement()) {
            s.execute("ANALYZE relation_tuples");
        }
    }

    @Test
    void pooledConnections_planEveryExecutionForItsParameters() throws Exception {
        try (Connection c = TestDatabase.pool().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW plan_cache_mode")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo("force_custom_plan");
        }
    }

    @Test
    void forwardQuery_touchesOnePartition_andUsesTheForwardIndex() throws Exception {
        long id = store.tenantId(tenant);
        Query query = store.subjectsOfQuery(id, store.headRevision(tenant), "doc", List.of("d1", "d2", "d3"), "viewer");

        Plan plan = explain(query);

        assertThat(plan.tables).singleElement().asString().startsWith("relation_tuples_p");
        assertThat(plan.indexes).isNotEmpty().allSatisfy(index -> assertThat(childrenOf("relation_tuples_forward"))
                .contains(index));
    }

    @Test
    void reverseQuery_touchesOnePartition_andUsesTheReverseIndex() throws Exception {
        long id = store.tenantId(tenant);
        Query query = store.resourcesNamingQuery(id, store.headRevision(tenant), "doc", "viewer", "user", "",
                List.of("u1", "u2"));

        Plan plan = explain(query);

        assertThat(plan.tables).singleElement().asString().startsWith("relation_tuples_p");
        assertThat(plan.indexes).isNotEmpty().allSatisfy(index -> assertThat(childrenOf("relation_tuples_reverse"))
                .contains(index));
    }

    @Test
    void reversePageOfOneSubject_isAnOrderedRangeOfTheReverseIndex_withoutASort() throws Exception {
        long id = store.tenantId(tenant);
        Query query = store.resourcesNamingPageQuery(id, store.headRevision(tenant), "doc", "viewer", "user", "",
                List.of("u1"), io.relata.store.Relationship.parse("doc:d5#viewer@user:u1"), 100);

        Plan plan = explain(query);

        assertThat(plan.tables).singleElement().asString().startsWith("relation_tuples_p");
        assertThat(plan.indexes).isNotEmpty().allSatisfy(index -> assertThat(childrenOf("relation_tuples_reverse"))
                .contains(index));
        assertThat(plan.nodes).contains("Limit").doesNotContain("Sort");
    }

    @Test
    void reversePageOfManySubjects_readsTheReverseIndexInOrder_withoutSortingEveryMatchingRow() throws Exception {
        long id = store.tenantId(tenant);
        // 40 users of ~20 docs each: 800 matching rows, a page of 100.
        List<String> users = IntStream.range(0, 40).mapToObj(i -> "u" + (i * 7)).sorted().toList();
        Query query = store.resourcesNamingPageQuery(id, store.headRevision(tenant), "doc", "viewer", "user", "",
                users, null, 100);

        Plan plan = explain(query);

        assertThat(plan.tables).singleElement().asString().startsWith("relation_tuples_p");
        assertThat(plan.indexes).isNotEmpty().allSatisfy(index -> assertThat(childrenOf("relation_tuples_reverse"))
                .contains(index));
        // Sorting the ids (or each id's few rows) is fine; a Sort of the rows themselves by
        // (subject_id, resource_id) reads every matching row of every id before the page.
        assertThat(plan.nodes).contains("Limit");
        assertThat(plan.sortKeys).noneMatch(key -> key.contains("resource_id") && !key.startsWith("presorted "));
        assertThat(store.resourcesNaming(tenant, store.headRevision(tenant), "doc", "viewer", "user", "", users, null,
                100)).hasSize(100);
    }

    @Test
    void findAnyQuery_touchesOnePartition_andStopsAtTheFirstRow() throws Exception {
        long id = store.tenantId(tenant);
        Query query = PostgresTupleStore.findAnyQuery(store.dsl(), id, RelationshipShape.of("folder", "viewer")
                .withSubject("group", "member", null).withCaveat("").withExpiring(false), Instant.now());

        Plan plan = explain(query);

        assertThat(plan.tables).singleElement().asString().startsWith("relation_tuples_p");
        assertThat(plan.nodes).contains("Limit");
    }

    @Test
    void revisionsStayReadable_throughTheBulkImport() {
        Revision head = store.headRevision(tenant);
        assertThat(store.subjectsOf(tenant, head, "doc", List.of("d7"), "parent")).hasSize(1);
        assertThat(store.subjectsOf(tenant, Revision.ZERO, "doc", List.of("d7"), "parent")).isEmpty();
    }

    private record Plan(Set<String> tables, Set<String> indexes, Set<String> nodes, Set<String> sortKeys) {}

    private static Plan explain(Query query) throws Exception {
        String sql = store.dsl().renderInlined(query);
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
            rs.next();
            JsonNode root = JSON.readTree(rs.getString(1));
            Set<String> tables = new HashSet<>();
            Set<String> indexes = new HashSet<>();
            Set<String> nodes = new HashSet<>();
            Set<String> sortKeys = new HashSet<>();
            collect(root, tables, indexes, nodes, sortKeys);
            return new Plan(tables, indexes, nodes, sortKeys);
        }
    }

    private static void collect(JsonNode node, Set<String> tables, Set<String> indexes, Set<String> nodes,
            Set<String> sortKeys) {
        if (node.isObject()) {
            if (node.has("Node Type")) {
                nodes.add(node.get("Node Type").asText());
                // A plain Sort's keys as they are; an Incremental Sort's marked "presorted " when
                // its input comes already ordered by all but the last key (it sorts small groups).
                if (node.get("Node Type").asText().equals("Sort") && node.has("Sort Key")) {
                    sortKeys.add(node.get("Sort Key").toString());
                }
                if (node.get("Node Type").asText().equals("Incremental Sort") && node.has("Sort Key")) {
                    sortKeys.add("presorted " + node.get("Sort Key").toString());
                }
            }
            if (node.has("Relation Name")) {
                tables.add(node.get("Relation Name").asText());
            }
            if (node.has("Index Name")) {
                indexes.add(node.get("Index Name").asText());
            }
        }
        node.forEach(child -> collect(child, tables, indexes, nodes, sortKeys));
    }

    /** The per-partition indexes attached to a partitioned index. */
    private static Set<String> childrenOf(String parentIndex) throws Exception {
        Set<String> out = new HashSet<>();
        try (Connection c = TestDatabase.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT child.relname FROM pg_inherits i"
                        + " JOIN pg_class child ON child.oid = i.inhrelid"
                        + " JOIN pg_class parent ON parent.oid = i.inhparent"
                        + " WHERE parent.relname = '" + parentIndex + "'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        assertThat(out).as("partition indexes of %s", parentIndex).isNotEmpty();
        return out;
    }
}
