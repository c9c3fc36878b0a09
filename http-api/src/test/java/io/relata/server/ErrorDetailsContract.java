package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over HTTP, on every store (each store's test extends this class): each error SpiceDB sends
 * with a {@code google.rpc.ErrorInfo} comes with SpiceDB's gRPC code, the HTTP status the
 * gateway maps it to, and a detail of type {@code google.rpc.ErrorInfo} with SpiceDB's
 * reason, domain {@code authzed.com} and the metadata that reason documents.
 */
abstract class ErrorDetailsContract {

    /** Limits kept small so requests can pass them. */
    static final StoreOptions STORE_OPTIONS = StoreOptions.DEFAULTS.withMaxUpdatesPerWrite(3);
    private static final int MAX_BULK = 2;
    private static final int MAX_DEPTH = 3;

    private static final String SCHEMA = """
            caveat ratio(x int) {
                10 / x == 5
            }

            definition user {}

            definition group {
                relation member: user | group#member
            }

            definition doc {
                relation viewer: user | user with ratio | group#member
                relation owner: user
                permission view = viewer + owner
            }
            """;

    protected abstract TupleStore newStore();

    protected abstract ApiKeys keys(TupleStore store);

    private TupleStore store;
    private TestServer server;
    private String key;

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        String tenant = "err-" + UUID.randomUUID();
        store.createTenant(tenant);
        key = "err-key-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant), "error-details-secret-0123456789",
                Duration.ZERO, 64 * 1024, MAX_BULK, EngineOptions.DEFAULTS.withMaxDepth(MAX_DEPTH), null), store,
                keys(store));
        Reply schema = post("/v1/schema/write", new JsonObject().put("schema", SCHEMA));
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    // ---- schema ---------------------------------------------------------------------------------------

    @Test
    void schemaSyntaxError_isSchemaParseError_atTheLineAndColumnOfTheError() throws Exception {
        // Line 3 (0-based 2), column 5 (0-based 4): `relation` without a name.
        Reply r = post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n    relation : user\n}\n"));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_SCHEMA_PARSE_ERROR");
        assertThat(info.getJsonObject("metadata").getString("start_line_number")).isEqualTo("2");
        assertThat(info.getJsonObject("metadata").getString("start_column_position")).isEqualTo("13");
        assertThat(info.getJsonObject("metadata").fieldNames()).contains("end_line_number", "end_column_position",
                "source_code");
    }

    @Test
    void schemaTypeError_isSchemaParseError_pointingAtTheUnknownType() throws Exception {
        Reply r = post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n relation viewer: usr\n}"));

        JsonObject metadata = expect(r, 400, 3, "ERROR_REASON_SCHEMA_PARSE_ERROR").getJsonObject("metadata");
        assertThat(r.json().getString("message")).contains("schema:3:19");
        assertThat(metadata.getString("start_line_number")).isEqualTo("2");
        assertThat(metadata.getString("start_column_position")).isEqualTo("18");
        assertThat(metadata.getString("source_code")).isEqualTo("usr");
    }

    @Test
    void schemaWithAThousandErrorsOnOneLine_answersABoundedBody_withThePositionOfTheFirst() throws Exception {
        String types = String.join(" | ", java.util.Collections.nCopies(1000, "user"));
        Reply r = post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n  relation viewer: " + types + "\n}\n"));

        JsonObject metadata = expect(r, 400, 3, "ERROR_REASON_SCHEMA_PARSE_ERROR").getJsonObject("metadata");
        // Unbounded, this body was 10.6 MB: 999 errors, each with the whole 7 KB line.
        assertThat(r.body().length()).isLessThan(100_000);
        assertThat(r.json().getString("message")).contains("schema:3:27: `user` is listed twice")
                .contains("and " + (999 - io.relata.schema.SchemaCompiler.MAX_DIAGNOSTICS) + " more errors");
        assertThat(metadata.getString("start_line_number")).isEqualTo("2");
        assertThat(metadata.getString("start_column_position")).isEqualTo("26");
        assertThat(metadata.getString("source_code")).isEqualTo("user");
    }

    @Test
    void schemaChangeThatOrphansRelationships_isSchemaTypeError_namingWhatIsInUse() throws Exception {
        assertThat(write(touch("doc", "d", "owner", "user", "ann")).status()).isEqualTo(200);

        Reply r = post("/v1/schema/write", new JsonObject().put("schema", SCHEMA.replace("relation owner: user", "")
                .replace("viewer + owner", "viewer")));

        JsonObject metadata = expect(r, 400, 3, "ERROR_REASON_SCHEMA_TYPE_ERROR").getJsonObject("metadata");
        assertThat(metadata.getMap()).containsEntry("resource_type", "doc").containsEntry("relation", "owner")
                .containsEntry("operation", "delete_relation").containsEntry("relationship", "doc:d#owner@user:ann");
    }

    // ---- relationship writes --------------------------------------------------------------------------

    @Test
    void writeToUnknownDefinition_isUnknownDefinition() throws Exception {
        Reply r = write(touch("folder", "f", "viewer", "user", "ann"));

        JsonObject info = expect(r, 400, 9, "ERROR_REASON_UNKNOWN_DEFINITION");
        assertThat(info.getJsonObject("metadata").getMap()).containsExactlyEntriesOf(Map.of("definition_name", "folder"));
    }

    @Test
    void writeWithUnknownSubjectType_isUnknownDefinitionOfTheSubjectType() throws Exception {
        Reply r = write(touch("doc", "d", "viewer", "robot", "r2"));

        JsonObject info = expect(r, 400, 9, "ERROR_REASON_UNKNOWN_DEFINITION");
        assertThat(info.getJsonObject("metadata").getString("definition_name")).isEqualTo("robot");
    }

    @Test
    void writeToUnknownRelation_isUnknownRelationOrPermission() throws Exception {
        Reply r = write(touch("doc", "d", "editor", "user", "ann"));

        JsonObject info = expect(r, 400, 9, "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("definition_name", "doc")
                .containsEntry("relation_or_permission_name", "editor");
    }

    @Test
    void writeToPermission_isInvalidArgument_cannotUpdatePermission() throws Exception {
        Reply r = write(touch("doc", "d", "view", "user", "ann"));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_CANNOT_UPDATE_PERMISSION");
        assertThat(r.json().getString("message")).contains("is a permission");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("definition_name", "doc")
                .containsEntry("permission_name", "view");
    }

    @Test
    void writeOfSubjectTypeTheRelationDoesNotAllow_isInvalidSubjectType() throws Exception {
        Reply r = write(touch("doc", "d", "owner", "group", "eng", "member"));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_INVALID_SUBJECT_TYPE");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("definition_name", "doc")
                .containsEntry("relation_name", "owner").containsEntry("subject_type", "group#member");
    }

    @Test
    void writeWithCaveatTheSchemaLacks_isInvalidSubjectType_asInSpiceDb() throws Exception {
        JsonObject u = touch("doc", "d", "viewer", "user", "ann");
        u.getJsonObject("relationship").put("optionalCaveat", new JsonObject().put("caveatName", "nosuch"));

        JsonObject info = expect(write(u), 400, 3, "ERROR_REASON_INVALID_SUBJECT_TYPE");
        assertThat(info.getJsonObject("metadata").getString("subject_type")).isEqualTo("user with nosuch");
    }

    @Test
    void writeWithCaveatContextOfTheWrongType_isCaveatParameterTypeError() throws Exception {
        JsonObject u = touch("doc", "d", "viewer", "user", "ann");
        u.getJsonObject("relationship").put("optionalCaveat", new JsonObject().put("caveatName", "ratio")
                .put("context", new JsonObject().put("x", "many")));

        JsonObject info = expect(write(u), 400, 3, "ERROR_REASON_CAVEAT_PARAMETER_TYPE_ERROR");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("caveat_name", "ratio")
                .containsEntry("parameter_name", "x");
    }

    @Test
    void tooManyUpdates_isTooManyUpdatesInRequest_withTheCounts() throws Exception {
        JsonArray updates = new JsonArray();
        for (int i = 0; i < 4; i++) {
            updates.add(touch("doc", "d" + i, "owner", "user", "ann"));
        }
        Reply r = post("/v1/relationships/write", new JsonObject().put("updates", updates));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_TOO_MANY_UPDATES_IN_REQUEST");
        assertThat(info.getJsonObject("metadata").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "update_count", "4", "maximum_updates_allowed", "3"));
    }

    @Test
    void tooManyPreconditions_isTooManyPreconditionsInRequest_withSpiceDbsKeys() throws Exception {
        JsonArray preconditions = new JsonArray();
        for (int i = 0; i < 4; i++) {
            preconditions.add(new JsonObject().put("operation", "OPERATION_MUST_NOT_MATCH")
                    .put("filter", new JsonObject().put("resourceType", "doc").put("optionalResourceId", "p" + i)));
        }
        Reply r = post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("doc", "d", "owner", "user", "ann"))).put("optionalPreconditions", preconditions));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_TOO_MANY_PRECONDITIONS_IN_REQUEST");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("precondition_count", "4")
                .containsEntry("maximum_updates_allowed", "3");
    }

    @Test
    void sameRelationshipTwice_isUpdatesOnSameRelationship() throws Exception {
        Reply r = post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("doc", "d", "owner", "user", "ann")).add(touch("doc", "d", "owner", "user", "ann"))));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_UPDATES_ON_SAME_RELATIONSHIP");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("definition_name", "doc")
                .containsEntry("relationship", "doc:d#owner@user:ann");
    }

    @Test
    void failedPrecondition_isWriteOrDeletePreconditionFailure_withTheFilter() throws Exception {
        JsonObject precondition = new JsonObject().put("operation", "OPERATION_MUST_MATCH").put("filter",
                new JsonObject().put("resourceType", "doc").put("optionalResourceId", "d").put("optionalRelation", "owner")
                        .put("optionalSubjectFilter", new JsonObject().put("subjectType", "user")
                                .put("optionalSubjectId", "ann")));
        Reply r = post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("doc", "d", "viewer", "user", "bob"))).put("optionalPreconditions",
                        new JsonArray().add(precondition)));

        JsonObject info = expect(r, 400, 9, "ERROR_REASON_WRITE_OR_DELETE_PRECONDITION_FAILURE");
        assertThat(info.getJsonObject("metadata").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "precondition_operation", "OPERATION_MUST_MATCH", "precondition_resource_type", "doc",
                "precondition_resource_id", "d", "precondition_relation", "owner",
                "precondition_subject_type", "user", "precondition_subject_id", "ann"));
    }

    @Test
    void createOfAnExistingRelationship_isAttemptToRecreateRelationship_withItsParts() throws Exception {
        JsonObject create = touch("doc", "d", "owner", "user", "ann").put("operation", "OPERATION_CREATE");
        assertThat(write(create).status()).isEqualTo(200);

        JsonObject info = expect(write(create), 409, 6, "ERROR_REASON_ATTEMPT_TO_RECREATE_RELATIONSHIP");
        assertThat(info.getJsonObject("metadata").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "relationship", "doc:d#owner@user:ann", "resource_type", "doc", "resource_object_id", "d",
                "resource_relation", "owner", "subject_type", "user", "subject_object_id", "ann",
                "subject_relation", ""));
    }

    @Test
    void deleteOfMoreThanItsLimit_isInvalidArgument_tooManyRelationshipsForTransactionalDelete() throws Exception {
        assertThat(post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("doc", "a", "owner", "user", "ann")).add(touch("doc", "b", "owner", "user", "ann"))))
                .status()).isEqualTo(200);

        Reply r = post("/v1/relationships/delete", new JsonObject().put("relationshipFilter", new JsonObject()
                .put("resourceType", "doc").put("optionalRelation", "owner")).put("optionalLimit", 1));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("limit", "1")
                .containsEntry("filter_resource_type", "doc").containsEntry("filter_relation", "owner");
    }

    // ---- reads and permissions --------------------------------------------------------------------------

    @Test
    void readWithACursorThisServerDidNotIssue_isInvalidCursor() throws Exception {
        Reply r = post("/v1/relationships/read", new JsonObject().put("relationshipFilter", new JsonObject()
                .put("resourceType", "doc")).put("optionalCursor", new JsonObject().put("token", "not-a-cursor!")));

        expect(r, 400, 3, "ERROR_REASON_INVALID_CURSOR");
    }

    @Test
    void readOfAnUnknownType_isUnknownDefinition() throws Exception {
        Reply r = post("/v1/relationships/read", new JsonObject().put("relationshipFilter", new JsonObject()
                .put("resourceType", "folder")));

        JsonObject info = expect(r, 400, 9, "ERROR_REASON_UNKNOWN_DEFINITION");
        assertThat(info.getJsonObject("metadata").getString("definition_name")).isEqualTo("folder");
    }

    @Test
    void checkOfAnUnknownType_isUnknownDefinition() throws Exception {
        JsonObject info = expect(check("folder", "f", "view", "ann", null), 400, 9, "ERROR_REASON_UNKNOWN_DEFINITION");
        assertThat(info.getJsonObject("metadata").getString("definition_name")).isEqualTo("folder");
    }

    @Test
    void checkOfAnUnknownPermission_isUnknownRelationOrPermission() throws Exception {
        JsonObject info = expect(check("doc", "d", "edit", "ann", null), 400, 9,
                "ERROR_REASON_UNKNOWN_RELATION_OR_PERMISSION");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("definition_name", "doc")
                .containsEntry("relation_or_permission_name", "edit");
    }

    @Test
    void checkOfAWildcardSubject_isWildcardNotAllowed() throws Exception {
        JsonObject info = expect(check("doc", "d", "view", "*", null), 400, 3, "ERROR_REASON_WILDCARD_NOT_ALLOWED");
        assertThat(info.getJsonObject("metadata").getString("field")).isEqualTo("subject.object_id");
    }

    @Test
    void checkDeeperThanTheMaximumDepth_isResourceExhausted_maximumDepthExceeded() throws Exception {
        JsonArray updates = new JsonArray();
        for (int i = 0; i < 3; i++) {
            updates.add(touch("group", "g" + i, "member", "group", "g" + (i + 1), "member"));
        }
        assertThat(post("/v1/relationships/write", new JsonObject().put("updates", updates)).status()).isEqualTo(200);
        assertThat(post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("group", "g3", "member", "group", "g4", "member"))
                .add(touch("group", "g4", "member", "user", "ann")))).status()).isEqualTo(200);

        JsonObject info = expect(check("group", "g0", "member", "ann", null), 429, 8,
                "ERROR_REASON_MAXIMUM_DEPTH_EXCEEDED");
        assertThat(info.getJsonObject("metadata").getString("maximum_depth_allowed")).isEqualTo(String.valueOf(MAX_DEPTH));
    }

    @Test
    void caveatThatFailsToEvaluate_isCaveatEvaluationError() throws Exception {
        JsonObject u = touch("doc", "d", "viewer", "user", "ann");
        u.getJsonObject("relationship").put("optionalCaveat", new JsonObject().put("caveatName", "ratio"));
        assertThat(write(u).status()).isEqualTo(200);

        JsonObject info = expect(check("doc", "d", "view", "ann", new JsonObject().put("x", 0)), 400, 3,
                "ERROR_REASON_CAVEAT_EVALUATION_ERROR");
        assertThat(info.getJsonObject("metadata").getString("caveat_name")).isEqualTo("ratio");
    }

    @Test
    void checkContextOfTheWrongType_isCaveatParameterTypeError() throws Exception {
        JsonObject u = touch("doc", "d", "viewer", "user", "ann");
        u.getJsonObject("relationship").put("optionalCaveat", new JsonObject().put("caveatName", "ratio"));
        assertThat(write(u).status()).isEqualTo(200);

        JsonObject info = expect(check("doc", "d", "view", "ann", new JsonObject().put("x", "two")), 400, 3,
                "ERROR_REASON_CAVEAT_PARAMETER_TYPE_ERROR");
        assertThat(info.getJsonObject("metadata").getMap()).containsEntry("caveat_name", "ratio")
                .containsEntry("parameter_name", "x");
    }

    @Test
    void bulkCheckOfTooManyItems_carriesTheCounts_underSpiceDbsUnspecifiedReason() throws Exception {
        JsonArray items = new JsonArray();
        for (int i = 0; i < 3; i++) {
            items.add(new JsonObject().put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d" + i))
                    .put("permission", "view").put("subject", subject("ann")));
        }
        Reply r = post("/v1/permissions/checkbulk", new JsonObject().put("items", items));

        JsonObject info = expect(r, 400, 3, "ERROR_REASON_UNSPECIFIED");
        assertThat(info.getJsonObject("metadata").getMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "check_count", "3", "maximum_checks_allowed", "2"));
    }

    @Test
    void invalidZedToken_isInvalidArgument_withoutDetails_asInSpiceDb() throws Exception {
        Reply r = post("/v1/permissions/check", checkBody("doc", "d", "view", "ann", null)
                .put("consistency", new JsonObject().put("atLeastAsFresh", new JsonObject().put("token", "garbage"))));

        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().getInteger("code")).isEqualTo(3);
        assertThat(r.json().getJsonArray("details")).isEmpty();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Asserts the status, code and the one ErrorInfo detail's reason and domain; returns the detail. */
    private static JsonObject expect(Reply r, int http, int code, String reason) {
        assertThat(r.status()).as(r.body()).isEqualTo(http);
        JsonObject body = r.json();
        assertThat(body.getInteger("code")).as(r.body()).isEqualTo(code);
        JsonArray details = body.getJsonArray("details");
        assertThat(details).as(r.body()).hasSize(1);
        JsonObject info = details.getJsonObject(0);
        assertThat(info.getString("@type")).isEqualTo("type.googleapis.com/google.rpc.ErrorInfo");
        assertThat(info.getString("reason")).as(r.body()).isEqualTo(reason);
        assertThat(info.getString("domain")).isEqualTo("authzed.com");
        assertThat(info.getJsonObject("metadata")).isNotNull();
        return info;
    }

    private Reply post(String path, JsonObject body) throws Exception {
        return server.post(path, body.encode(), key);
    }

    private Reply write(JsonObject update) throws Exception {
        return post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray().add(update)));
    }

    private Reply check(String type, String id, String permission, String user, JsonObject context) throws Exception {
        return post("/v1/permissions/check", checkBody(type, id, permission, user, context));
    }

    private static JsonObject checkBody(String type, String id, String permission, String user, JsonObject context) {
        JsonObject body = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", type).put("objectId", id))
                .put("permission", permission).put("subject", subject(user));
        return context == null ? body : body.put("context", context);
    }

    private static JsonObject subject(String user) {
        return new JsonObject().put("object", new JsonObject().put("objectType", "user").put("objectId", user));
    }

    private static JsonObject touch(String type, String id, String relation, String subjectType, String subjectId) {
        return touch(type, id, relation, subjectType, subjectId, null);
    }

    private static JsonObject touch(String type, String id, String relation, String subjectType, String subjectId,
            String subjectRelation) {
        JsonObject subject = new JsonObject().put("object", new JsonObject().put("objectType", subjectType)
                .put("objectId", subjectId));
        if (subjectRelation != null) {
            subject.put("optionalRelation", subjectRelation);
        }
        return new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", new JsonObject()
                .put("resource", new JsonObject().put("objectType", type).put("objectId", id))
                .put("relation", relation).put("subject", subject));
    }
}
