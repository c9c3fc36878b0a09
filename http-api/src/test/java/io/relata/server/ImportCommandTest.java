package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relata import FILE} into the test database: a validation file with its schema, and
 * NDJSON in both shapes (a relationship a line, or a request message a line) at one revision;
 * a line the schema refuses, a line that is not JSON and a relationship that already exists
 * each write nothing, and the error names the file and line.
 */
class ImportCommandTest {

    private static final String SCHEMA = """
            definition user {}
            definition doc {
                relation viewer: user
            }
            """;

    private static TupleStore store;
    private static String url;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        // The database the tests use (TestDatabase has migrated it).
        String env = System.getenv("RELATA_TEST_DATABASE_URL");
        url = env == null || env.isBlank() ? TestDatabase.DEFAULT_URL : env;
    }

    @AfterAll
    static void close() {
        store.close();
    }

    private static String tenantWithSchema() {
        String tenant = "import-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        return tenant;
    }

    private List<String> docs(String tenant) {
        List<String> out = new ArrayList<>();
        store.read(tenant, RelationshipFilter.ofType("doc"), store.headRevision(tenant), null, 1_000)
                .relationships().forEach(r -> out.add(r.toString()));
        return out;
    }

    private static String rel(String doc, String user) {
        return "{\"resource\":{\"objectType\":\"doc\",\"objectId\":\"" + doc + "\"},\"relation\":\"viewer\","
                + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}";
    }

    @Test
    void aValidationFile_withItsSchema_intoANewTenant() throws Exception {
        Path yaml = dir.resolve("file.yaml");
        Files.writeString(yaml, "schema: |-\n" + SCHEMA.indent(2) + "relationships: |-\n  doc:a#viewer@user:u1\n"
                + "  doc:b#viewer@user:u2\n");
        String tenant = "import-" + UUID.randomUUID();

        Cli.Run run = Cli.run("import", yaml.toString(), "--datastore-url", url, "--tenant", tenant, "--create-tenant",
                "--with-schema");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.out()).contains("imported 2 relationships");
        assertThat(docs(tenant)).containsExactly("doc:a#viewer@user:u1", "doc:b#viewer@user:u2");
    }

    @Test
    void ndjson_ofBothShapes_atOneRevision() throws Exception {
        String tenant = tenantWithSchema();
        Revision before = store.headRevision(tenant);
        Path file = dir.resolve("rels.ndjson");
        Files.writeString(file, rel("a", "u1") + "\n\n{\"relationships\":[" + rel("b", "u1") + "," + rel("c", "u2")
                + "]}\n" + rel("d", "u3") + "\n");

        Cli.Run run = Cli.run("import", file.toString(), "--datastore-url", url, "--tenant", tenant);

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(store.headRevision(tenant)).as("one revision").isEqualTo(Revision.of(before.value() + 1));
        assertThat(docs(tenant)).containsExactly("doc:a#viewer@user:u1", "doc:b#viewer@user:u1",
                "doc:c#viewer@user:u2", "doc:d#viewer@user:u3");
    }

    @Test
    void aBadLine_writesNothing_andIsNamed() throws Exception {
        String tenant = tenantWithSchema();
        store.write(tenant, List.of(RelationshipUpdate.touch(Relationship.parse("doc:old#viewer@user:u1"))));
        StringBuilder good = new StringBuilder();
        for (int i = 0; i < 2_500; i++) {
            good.append(rel("d" + i, "u" + i)).append('\n');
        }
        Path refused = dir.resolve("refused.ndjson");
        Files.writeString(refused, good + rel("x", "u1").replace("\"viewer\"", "\"owner\"") + "\n");
        Path notJson = dir.resolve("broken.ndjson");
        Files.writeString(notJson, good + "{not json\n");
        Path duplicate = dir.resolve("duplicate.ndjson");
        Files.writeString(duplicate, good + rel("old", "u1") + "\n");

        Cli.Run schema = Cli.run("import", refused.toString(), "--datastore-url", url, "--tenant", tenant);
        Cli.Run json = Cli.run("import", notJson.toString(), "--datastore-url", url, "--tenant", tenant);
        Cli.Run exists = Cli.run("import", duplicate.toString(), "--datastore-url", url, "--tenant", tenant);

        assertThat(schema.status()).isEqualTo(1);
        assertThat(schema.err()).contains("doc:x#owner@user:u1").contains(refused + ":2501");
        assertThat(json.status()).isEqualTo(1);
        assertThat(json.err()).contains(notJson + ":2501");
        assertThat(exists.status()).isEqualTo(1);
        assertThat(exists.err()).contains("doc:old#viewer@user:u1").contains("already exists");
        assertThat(docs(tenant)).as("nothing was imported").containsExactly("doc:old#viewer@user:u1");
    }
}
