package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.Revision;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /relata/v1/schema/validate} and {@code /relata/v1/validation/run} over a server on
 * PostgreSQL: their answers, their errors, and that they leave the caller's tenant as it was.
 */
class ValidationEndpointsTest {

    private static final String KEY = "validation-key-" + UUID.randomUUID();
    private static final String TENANT = "validation-" + UUID.randomUUID();
    private static PostgresTupleStore store;
    private static TestServer server;

    private static final String BROKEN = "definition user {}\n\ndefinition doc {\n    relation viewer: usr\n}\n";

    private static final String FILE = """
            schema: |-
              definition user {}

              definition doc {
                  relation viewer: user
                  permission view = viewer
              }
            relationships: |-
              doc:readme#viewer@user:alice
            assertions:
              assertTrue:
                - doc:readme#view@user:alice
                - doc:readme#view@user:bob
              assertFalse:
                - doc:readme#view@user:carol
            validation:
              doc:readme#view:
                - "[user:alice] is <doc:readme#viewer>"
            """;

    @BeforeAll
    static void start() throws Exception {
        store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, TENANT), "validation-secret-0123456789",
                Duration.ofSeconds(5), 256 * 1024, 50, EngineOptions.DEFAULTS, null), store, new PostgresApiKeys(store));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Reply post(String path, JsonObject body) throws Exception {
        return server.post(path, body.encode(), KEY);
    }

    @Test
    void schemaValidate_givesEachErrorAtItsLineAndColumn() throws Exception {
        Reply reply = post("/relata/v1/schema/validate", new JsonObject().put("schema", BROKEN));
        assertThat(reply.status()).isEqualTo(200);
        JsonObject answer = reply.json();
        assertThat(answer.getBoolean("valid")).isFalse();
        JsonObject error = answer.getJsonArray("diagnostics").getJsonObject(0);
        assertThat(error.getString("severity")).isEqualTo("error");
        assertThat(error.getString("message")).contains("usr").contains("did you mean `user`?");
        assertThat(error.getInteger("line")).isEqualTo(4);
        assertThat(error.getInteger("column")).isEqualTo(22);
        assertThat(error.getInteger("endLine")).isEqualTo(4);
        assertThat(error.getInteger("endColumn")).isEqualTo(24);

        JsonObject fixed = post("/relata/v1/schema/validate",
                new JsonObject().put("schema", BROKEN.replace("usr", "user"))).json();
        assertThat(fixed.getBoolean("valid")).isTrue();
        assertThat(fixed.getJsonArray("diagnostics")).isEmpty();
    }

    @Test
    void schemaValidate_needsTheSchemaAndAKey() throws Exception {
        Reply missing = post("/relata/v1/schema/validate", new JsonObject());
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.json().getString("message")).contains("schema");
        assertThat(server.post("/relata/v1/schema/validate", new JsonObject().put("schema", BROKEN).encode(), "wrong")
                .status()).isEqualTo(401);
    }

    @Test
    void validationRun_saysWhichAssertionsFail_answersChecksAndExpands_andWritesNothing() throws Exception {
        Revision before = store.headRevision(TENANT);
        Reply reply = post("/relata/v1/validation/run", new JsonObject().put("validationFile", FILE)
                .put("checks", new JsonArray().add("doc:readme#view@user:alice").add("doc:readme#view@user:carol"))
                .put("expand", new JsonArray().add("doc:readme#view")));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonObject answer = reply.json();
        assertThat(answer.getJsonArray("schemaDiagnostics")).isEmpty();
        assertThat(answer.getInteger("relationships")).isEqualTo(1);
        JsonArray results = answer.getJsonArray("results");
        assertThat(results).hasSize(4);
        assertThat(results.getJsonObject(0).getMap()).containsEntry("kind", "assertTrue")
                .containsEntry("text", "doc:readme#view@user:alice").containsEntry("line", 12).containsEntry("holds", true);
        JsonObject bob = results.getJsonObject(1);
        assertThat(bob.getBoolean("holds")).isFalse();
        assertThat(bob.getInteger("line")).isEqualTo(13);
        assertThat(bob.getString("failure")).contains("expected HAS, found NO");
        assertThat(results.getJsonObject(2).getMap()).containsEntry("kind", "assertFalse").containsEntry("holds", true);
        assertThat(results.getJsonObject(3).getMap()).containsEntry("kind", "validation")
                .containsEntry("text", "doc:readme#view").containsEntry("holds", true);

        JsonArray checks = answer.getJsonArray("checks");
        assertThat(checks.getJsonObject(0).getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(checks.getJsonObject(1).getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        JsonObject tree = answer.getJsonArray("expand").getJsonObject(0).getJsonObject("treeRoot");
        // `view = viewer` has one operand: its tree is viewer's leaf, as in SpiceDB.
        assertThat(tree.getJsonObject("expandedObject").getString("objectId")).isEqualTo("readme");
        assertThat(tree.getJsonObject("leaf").getJsonArray("subjects").getJsonObject(0).getJsonObject("object")
                .getString("objectId")).isEqualTo("alice");

        JsonObject parsed = answer.getJsonObject("file");
        assertThat(parsed.getString("schema")).startsWith("definition user {}");
        assertThat(parsed.getJsonArray("relationships").getList()).containsExactly("doc:readme#viewer@user:alice");
        assertThat(parsed.getJsonObject("assertions").getJsonArray("assertTrue")).hasSize(2);
        assertThat(parsed.getJsonObject("validation").getJsonArray("doc:readme#view").getList())
                .containsExactly("[user:alice] is <doc:readme#viewer>");

        // The caller's tenant is untouched: no schema, no relationships, no new revision.
        assertThat(store.headRevision(TENANT)).isEqualTo(before);
        assertThat(store.readSchema(TENANT, store.headRevision(TENANT))).isEmpty();
        assertThat(post("/v1/schema/read", new JsonObject()).status()).isEqualTo(404);
    }

    @Test
    void validationRun_withSchemaErrors_givesTheirPositionsInTheSchemaAndRunsNothing() throws Exception {
        String file = "schema: |-\n" + BROKEN.indent(2) + "relationships: \"\"\n";
        JsonObject answer = post("/relata/v1/validation/run", new JsonObject().put("validationFile", file)).json();
        JsonObject error = answer.getJsonArray("schemaDiagnostics").getJsonObject(0);
        assertThat(error.getInteger("line")).isEqualTo(4);
        assertThat(error.getInteger("column")).isEqualTo(22);
        assertThat(answer.getInteger("schemaLine")).isEqualTo(2);
        assertThat(answer.containsKey("results")).isFalse();
    }

    @Test
    void validationRun_pastItsBudget_failsTheRestAsNotEvaluated() {
        // A budget already spent: no assertion is evaluated, and each says so.
        JsonObject answer = new Validations(EngineOptions.DEFAULTS, Duration.ofMillis(-1))
                .run(new JsonObject().put("validationFile", FILE));
        JsonArray results = answer.getJsonArray("results");
        assertThat(results).hasSize(4);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.getJsonObject(i).getMap()).containsEntry("holds", false)
                    .containsEntry("failure", ValidationRun.NOT_EVALUATED);
        }
    }

    @Test
    void validationRun_refusesWhatItCannotRun_withTheLine() throws Exception {
        Reply schemaFile = post("/relata/v1/validation/run",
                new JsonObject().put("validationFile", "schemaFile: /etc/passwd\n"));
        assertThat(schemaFile.status()).isEqualTo(400);
        assertThat(schemaFile.json().getString("message")).contains("validation.yaml:1:").contains("schemaFile")
                .doesNotContain("root:");

        Reply unfit = post("/relata/v1/validation/run", new JsonObject().put("validationFile",
                FILE.replace("doc:readme#viewer@user:alice", "doc:readme#viewer@user:alice\n  doc:readme#viewer@doc:other")));
        assertThat(unfit.status()).isEqualTo(400);
        assertThat(unfit.json().getString("message")).contains("validation.yaml:10:");

        Reply notYaml = post("/relata/v1/validation/run", new JsonObject().put("validationFile", "schema: [\n"));
        assertThat(notYaml.status()).isEqualTo(400);
        assertThat(notYaml.json().getString("message")).contains("not valid YAML");

        Reply badCheck = post("/relata/v1/validation/run", new JsonObject().put("validationFile", FILE)
                .put("checks", new JsonArray().add("doc:readme")));
        assertThat(badCheck.status()).isEqualTo(400);
        assertThat(badCheck.json().getString("message")).contains("check `doc:readme`");

        JsonArray many = new JsonArray();
        for (int i = 0; i <= Validations.MAX_QUESTIONS; i++) {
            many.add("doc:readme#view@user:u" + i);
        }
        Reply tooMany = post("/relata/v1/validation/run", new JsonObject().put("validationFile", FILE).put("checks", many));
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.json().getString("message")).contains("at most " + Validations.MAX_QUESTIONS);
    }
}
