package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.relata.api.v1.CheckCompositePermissionRequest;
import io.relata.api.v1.CompositePermissionsServiceGrpc;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a scoped key must not learn, over real sockets, on every store (each store's test extends
 * this class): a key limited to `doc` cannot name another type through snake_case fields, a
 * composite's principals, or an explanation; a traced check needs `read` and every type;
 * explain needs `read`; key creation reads `resource_types` and refuses unknown fields.
 */
abstract class ScopedKeyLeaksContract {

    protected abstract TupleStore newStore();

    protected abstract ApiKeys keys(TupleStore store);

    static final String SCHEMA = """
            definition user {}

            definition token {
                relation owner: user
            }

            definition doc {
                relation viewer: user
                relation token_viewer: token
                permission view = viewer
                permission token_view = token_viewer
            }

            definition secret {
                relation reader: user
                permission read = reader
            }

            composite token_of_owner = token > user where token#owner {
                permission doc#view = token_view > view
            }
            """;

    private static final String ADMIN = "leaks-admin-0123456789";

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;
    private String tenant;
    private String fullKey;
    /** check, read, write, watch; limited to `doc`. */
    private String docKey;
    /** Only `check`, every type. */
    private String checkKey;
    /** `check` and `read`, every type. */
    private String checkReadKey;

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        tenant = "leaks-" + UUID.randomUUID();
        fullKey = "leaks-full-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(fullKey, tenant),
                "leaks-keys-secret-0123456789", Duration.ofMillis(100), 1 << 20, 100,
                EngineOptions.DEFAULTS, ADMIN), store, keys(store));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
        ok(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), fullKey));
        ok(server.post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("doc", "d1", "token_viewer", "token", "t9"))
                .add(touch("doc", "d1", "viewer", "user", "alice"))
                .add(touch("token", "t9", "owner", "user", "alice"))
                .add(touch("secret", "s1", "reader", "user", "alice"))).encode(), fullKey));
        docKey = createKey(new JsonObject().put("scopes", new JsonArray().add("check").add("read").add("write")
                .add("watch")).put("resourceTypes", new JsonArray().add("doc")));
        checkKey = createKey(new JsonObject().put("scopes", new JsonArray().add("check")));
        checkReadKey = createKey(new JsonObject().put("scopes", new JsonArray().add("check").add("read")));
        // The checks below read at minimizeLatency (so their answers can be cached): wait until its
        // window holds the writes above.
        JsonObject check = new JsonObject().put("resource", ref("secret", "s1")).put("permission", "read")
                .put("subject", new JsonObject().put("object", ref("user", "alice")));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!server.post("/v1/permissions/check", check.encode(), fullKey).body()
                .contains("PERMISSIONSHIP_HAS_PERMISSION")) {
            assertThat(System.nanoTime()).as("minimizeLatency sees the setup's writes").isLessThan(until);
            Thread.sleep(50);
        }
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        store.close();
    }

    // ---- 1. snake_case fields ------------------------------------------------------------------

    @Test
    void typeLimitedKey_namingAnotherTypeInSnakeCase_isRefusedLikeCamelCase() throws Exception {
        JsonObject secretFilter = new JsonObject().put("resource_type", "secret");
        JsonArray preconditions = new JsonArray().add(new JsonObject().put("operation", "OPERATION_MUST_MATCH")
                .put("filter", secretFilter));
        // A precondition over `secret` would tell (200 or 409) whether a secret relationship exists.
        denied(server.post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("doc", "d2", "viewer", "user", "erin"))).put("optional_preconditions", preconditions)
                .encode(), docKey), "`optionalPreconditions[0].filter.resourceType` names `secret`");
        denied(server.post("/v1/relationships/delete", new JsonObject().put("relationshipFilter", new JsonObject()
                .put("resourceType", "doc").put("optionalResourceId", "nothing"))
                .put("optional_preconditions", preconditions).encode(), docKey),
                "`optionalPreconditions[0].filter.resourceType` names `secret`");
        denied(server.post("/v1/relationships/delete", new JsonObject().put("relationship_filter", secretFilter)
                .encode(), docKey), "`relationshipFilter.resourceType` names `secret`");
        denied(server.post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", new JsonObject()
                        .put("resource", new JsonObject().put("object_type", "secret").put("object_id", "s2"))
                        .put("relation", "reader").put("subject", new JsonObject().put("object",
                                ref("user", "erin")))))).encode(), docKey), "names `secret`");
        denied(server.post("/v1/relationships/read", new JsonObject().put("relationship_filter", secretFilter)
                .encode(), docKey), "`relationshipFilter.resourceType` names `secret`");
        denied(server.post("/v1/relationships/exportbulk", new JsonObject()
                .put("optional_relationship_filter", secretFilter).encode(), docKey),
                "`optionalRelationshipFilter.resourceType` names `secret`");
        denied(server.post("/v1/permissions/check", new JsonObject().put("resource", new JsonObject()
                .put("object_type", "secret").put("object_id", "s1")).put("permission", "read")
                .put("subject", new JsonObject().put("object", ref("user", "alice"))).encode(), docKey),
                "`resource.objectType` names `secret`");
        denied(server.post("/v1/permissions/resources", new JsonObject().put("resource_object_type", "secret")
                .put("permission", "read").put("subject", new JsonObject().put("object", ref("user", "alice")))
                .encode(), docKey), "`resourceObjectType` names `secret`");
        denied(server.post("/v1/watch", new JsonObject().put("optional_object_types", new JsonArray().add("secret"))
                .encode(), docKey), "`optionalObjectTypes[0]` names `secret`");
        denied(server.post("/v1/watch", new JsonObject().put("optional_relationship_filters", new JsonArray()
                .add(secretFilter)).encode(), docKey), "`optionalRelationshipFilters[0].resourceType` names `secret`");
        assertThat(relationships("doc")).as("the refused writes wrote nothing").doesNotContain("doc:d2#viewer@user:erin");
        assertThat(relationships("secret")).containsExactly("secret:s1#reader@user:alice");
    }

    // ---- 2. composite principals ---------------------------------------------------------------

    @Test
    void typeLimitedKey_compositeWhosePrincipalIsAnotherType_isRefused_overHttpAndGrpc() throws Exception {
        JsonArray principals = new JsonArray().add(new JsonObject().put("object", ref("token", "t9")))
                .add(new JsonObject().put("object", ref("user", "alice")));
        JsonObject check = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", ref("doc", "d1")).put("permission", "view").put("principals", principals);
        Reply full = server.post("/relata/v1/permissions/check", check.encode(), fullKey);
        ok(full);
        assertThat(full.json().getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(full.body()).as("the links show the binding's resource").contains("\"t9\"");

        denied(server.post("/relata/v1/permissions/check", check.encode(), docKey),
                "`principals[0].object.objectType` names `token`");
        denied(server.post("/relata/v1/permissions/checkbulk", new JsonObject().put("items", new JsonArray()
                .add(check)).encode(), docKey), "`items[0].principals[0].object.objectType` names `token`");
        denied(server.post("/relata/v1/permissions/resources", new JsonObject().put("resourceObjectType", "doc")
                .put("permission", "view").put("principals", principals).encode(), docKey),
                "`principals[0].object.objectType` names `token`");
        assertGrpcDenied(() -> CompositePermissionsServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken(docKey)).checkCompositePermission(
                        CheckCompositePermissionRequest.newBuilder().setResource(object("doc", "d1"))
                                .setPermission("view").addPrincipals(subject("token", "t9"))
                                .addPrincipals(subject("user", "alice")).build()),
                "`principals[0].object.objectType` names `token`");
    }

    // ---- 3. traced checks ----------------------------------------------------------------------

    @Test
    void tracedCheck_needsReadAndEveryType_overHttpAndGrpc_evenWhenTheAnswerIsCached() throws Exception {
        JsonObject check = new JsonObject().put("resource", ref("doc", "d1")).put("permission", "view")
                .put("subject", new JsonObject().put("object", ref("user", "alice")));
        JsonObject traced = check.copy().put("withTracing", true);
        // Untraced checks warm the key, the revision window and the answer, so a fast path would find it.
        for (int i = 0; i < 5; i++) {
            ok(server.post("/v1/permissions/check", check.encode(), checkKey));
            denied(server.post("/v1/permissions/check", traced.encode(), checkKey), "lacks the `read` scope");
        }
        denied(server.post("/v1/permissions/check", check.copy().put("with_tracing", true).encode(), checkKey),
                "lacks the `read` scope");
        denied(server.post("/v1/permissions/checkbulk", new JsonObject().put("items", new JsonArray().add(check))
                .put("withTracing", true).encode(), checkKey), "lacks the `read` scope");
        denied(server.post("/v1/permissions/check", traced.encode(), docKey), "may not ask for `withTracing`");
        denied(server.post("/v1/permissions/checkbulk", new JsonObject().put("items", new JsonArray().add(check))
                .put("withTracing", true).encode(), docKey), "may not ask for `withTracing`");

        CheckPermissionRequest grpcCheck = CheckPermissionRequest.newBuilder().setResource(object("doc", "d1"))
                .setPermission("view").setSubject(subject("user", "alice")).build();
        PermissionsServiceGrpc.PermissionsServiceBlockingStub checkOnly = PermissionsServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken(checkKey));
        for (int i = 0; i < 5; i++) {
            checkOnly.checkPermission(grpcCheck);
            assertGrpcDenied(() -> checkOnly.checkPermission(grpcCheck.toBuilder().setWithTracing(true).build()),
                    "lacks the `read` scope");
        }
        assertGrpcDenied(() -> PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(
                new BearerToken(docKey)).checkPermission(grpcCheck.toBuilder().setWithTracing(true).build()),
                "may not ask for `withTracing`");

        Reply allowed = server.post("/v1/permissions/check", traced.encode(), checkReadKey);
        ok(allowed);
        assertThat(allowed.json().getJsonObject("debugTrace")).as(allowed.body()).isNotNull();
        assertThat(PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(checkReadKey))
                .checkPermission(grpcCheck.toBuilder().setWithTracing(true).build()).hasDebugTrace()).isTrue();
    }

    // ---- 4. explain ----------------------------------------------------------------------------

    @Test
    void explain_needsReadAsWellAsCheck_andAKeyNotLimitedToTypes() throws Exception {
        JsonObject explain = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", ref("doc", "d1")).put("permission", "view")
                .put("subject", new JsonObject().put("object", ref("user", "alice")));
        denied(server.post("/relata/v1/permissions/explain", explain.encode(), checkKey), "lacks the `read` scope");
        denied(server.post("/relata/v1/permissions/explain", explain.encode(), docKey),
                "needs a key that may touch every resource type (its answer shows relationships of any type)");
        ok(server.post("/relata/v1/permissions/explain", explain.encode(), checkReadKey));
    }

    // ---- 6. key creation -----------------------------------------------------------------------

    @Test
    void keyCreation_readsSnakeCaseResourceTypes_andRefusesUnknownFields() throws Exception {
        String snakeKey = createKey(new JsonObject().put("scopes", new JsonArray().add("check"))
                .put("resource_types", new JsonArray().add("doc")));
        denied(server.post("/v1/permissions/check", new JsonObject().put("resource", ref("secret", "s1"))
                .put("permission", "read").put("subject", new JsonObject().put("object", ref("user", "alice")))
                .encode(), snakeKey), "names `secret`");
        Reply misspelt = server.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant)
                .put("scopes", new JsonArray().add("check")).put("resourceType", new JsonArray().add("doc"))
                .encode(), ADMIN);
        assertThat(misspelt.status()).as(misspelt.body()).isEqualTo(400);
        assertThat(misspelt.json().getString("message")).contains("no field `resourceType`");
        Reply list = server.post("/v1/tenants/keys/list", new JsonObject().put("tenant", tenant).encode(), ADMIN);
        ok(list);
        assertThat(list.json().getJsonArray("keys")).as("the refused key was not made").hasSize(4);
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String createKey(JsonObject access) throws Exception {
        Reply created = server.post("/v1/tenants/keys/create", access.copy().put("tenant", tenant).put("label", "t")
                .encode(), ADMIN);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        return created.json().getString("key");
    }

    private List<String> relationships(String type) throws Exception {
        Reply r = server.post("/v1/relationships/read", new JsonObject().put("consistency", new JsonObject()
                .put("fullyConsistent", true)).put("relationshipFilter", new JsonObject().put("resourceType", type))
                .encode(), fullKey);
        ok(r);
        return r.lines().stream().map(l -> l.getJsonObject("result").getJsonObject("relationship")).map(rel ->
                rel.getJsonObject("resource").getString("objectType") + ":" + rel.getJsonObject("resource")
                        .getString("objectId") + "#" + rel.getString("relation") + "@" + rel.getJsonObject("subject")
                        .getJsonObject("object").getString("objectType") + ":" + rel.getJsonObject("subject")
                        .getJsonObject("object").getString("objectId")).toList();
    }

    private static void ok(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static void denied(Reply r, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().getInteger("code")).isEqualTo(7);
        assertThat(r.json().getString("message")).contains(message);
    }

    private static void assertGrpcDenied(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    private static JsonObject ref(String type, String id) {
        return new JsonObject().put("objectType", type).put("objectId", id);
    }

    private static JsonObject touch(String type, String id, String relation, String subjectType, String subjectId) {
        return new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", new JsonObject()
                .put("resource", ref(type, id)).put("relation", relation)
                .put("subject", new JsonObject().put("object", ref(subjectType, subjectId))));
    }

    private static ObjectReference object(String type, String id) {
        return ObjectReference.newBuilder().setObjectType(type).setObjectId(id).build();
    }

    private static SubjectReference subject(String type, String id) {
        return SubjectReference.newBuilder().setObject(object(type, id)).build();
    }
}
