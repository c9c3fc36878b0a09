package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsRequestItem;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.ExportBulkRelationshipsRequest;
import com.authzed.api.v1.LookupResourcesRequest;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.ReadRelationshipsRequest;
import com.authzed.api.v1.Relationship;
import com.authzed.api.v1.RelationshipFilter;
import com.authzed.api.v1.RelationshipUpdate;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchServiceGrpc;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.authzed.grpcutil.BearerToken;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.relata.engine.EngineOptions;
import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.KeyAccess.Scope;
import io.relata.store.TupleStore;
import io.relata.server.TestServer.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Least-privilege keys over real sockets, on every store (each store's test extends this class):
 * keys made through the admin API with some scopes, or limited to resource types, are refused
 * (PERMISSION_DENIED, HTTP 403, naming the scope or the field) every HTTP route and every gRPC
 * method (SpiceDB's official Java client, and grpc-java's own calls for every method the server
 * serves) whose scope they lack, and allowed those whose scope they hold.
 */
abstract class ScopedKeysContract {

    protected abstract TupleStore newStore();

    protected abstract ApiKeys keys(TupleStore store);

    static final String SCHEMA = """
            definition user {}

            definition group {
                relation member: user
            }

            definition project {
                relation developer: user | group#member
                permission push = developer
            }

            definition secret {
                relation reader: user
                permission read = reader
            }

            composite pair = user > user {
                permission project#push = push > push
            }
            """;

    private static final String ADMIN = "scoped-admin-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;
    private String tenant;
    private String fullKey;
    /** A key holding every scope but the one it is filed under. */
    private final Map<Scope, String> lacking = new EnumMap<>(Scope.class);
    /** A key holding only the scope it is filed under. */
    private final Map<Scope, String> only = new EnumMap<>(Scope.class);
    /** Every scope but schema, limited to `project`. */
    private String projectKey;

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        tenant = "scoped-" + UUID.randomUUID();
        fullKey = "scoped-full-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(fullKey, tenant),
                "scoped-keys-secret-0123456789", Duration.ofMillis(100), 1 << 20, 100,
                EngineOptions.DEFAULTS, ADMIN), store, keys(store));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
        ok(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), fullKey));
        ok(server.post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("project", "api", "developer", "alice"))
                .add(touch("secret", "s1", "reader", "alice"))).encode(), fullKey));
        for (Scope scope : Scope.values()) {
            EnumSet<Scope> others = EnumSet.complementOf(EnumSet.of(scope));
            lacking.put(scope, createKey(others.stream().map(Scope::wireName).toList(), List.of()));
            only.put(scope, createKey(List.of(scope.wireName()), List.of()));
        }
        projectKey = createKey(List.of("check", "read", "write", "watch"), List.of("project"));
        // The tests' checks read at minimizeLatency (so their answers can be cached): wait until its
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

    private String createKey(List<String> scopes, List<String> types) throws Exception {
        JsonObject body = new JsonObject().put("tenant", tenant).put("label", "test")
                .put("scopes", new JsonArray(new ArrayList<>(scopes)));
        if (!types.isEmpty()) {
            body.put("resourceTypes", new JsonArray(new ArrayList<>(types)));
        }
        Reply created = server.post("/v1/tenants/keys/create", body.encode(), ADMIN);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        return created.json().getString("key");
    }

    // ---- every HTTP route -----------------------------------------------------------------------

    /** A valid request to each route that a tenant key may reach; a route missing here fails the test. */
    private static Map<String, String> bodies() {
        JsonObject check = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", ref("project", "api")).put("permission", "push")
                .put("subject", new JsonObject().put("object", ref("user", "alice")));
        JsonObject expand = new JsonObject().put("resource", ref("project", "api")).put("permission", "push");
        JsonObject exportFilter = new JsonObject().put("optionalRelationshipFilter",
                new JsonObject().put("resourceType", "project"));
        Map<String, String> b = new HashMap<>();
        b.put("/v1/permissions/check", check.encode());
        b.put("/v1/permissions/checkbulk", new JsonObject().put("items", new JsonArray().add(check)).encode());
        b.put("/v1/experimental/permissions/bulkcheckpermission", b.get("/v1/permissions/checkbulk"));
        b.put("/v1/permissions/expand", expand.encode());
        b.put("/relata/v1/permissions/expand", expand.encode());
        b.put("/v1/permissions/resources", new JsonObject().put("resourceObjectType", "project").put("permission", "push")
                .put("subject", new JsonObject().put("object", ref("user", "alice"))).encode());
        b.put("/v1/permissions/subjects", expand.copy().put("subjectObjectType", "user").encode());
        b.put("/v1/relationships/read", new JsonObject().put("relationshipFilter",
                new JsonObject().put("resourceType", "project")).encode());
        b.put("/v1/relationships/exportbulk", exportFilter.encode());
        b.put("/v1/experimental/relationships/bulkexport", exportFilter.encode());
        b.put("/v1/schema/read", "{}");
        for (String prefix : List.of("/v1/schema/", "/v1/experimental/")) {
            b.put(prefix + "reflectschema", "{}");
            b.put(prefix + "diffschema", new JsonObject().put("comparisonSchema", SCHEMA).encode());
            b.put(prefix + "permissions/computable", new JsonObject().put("definitionName", "project")
                    .put("relationName", "developer").encode());
            b.put(prefix + "permissions/dependent", new JsonObject().put("definitionName", "project")
                    .put("permissionName", "push").encode());
        }
        b.put("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("project", "api", "developer", "carol"))).encode());
        b.put("/v1/relationships/delete", new JsonObject().put("relationshipFilter", new JsonObject()
                .put("resourceType", "project").put("optionalResourceId", "nothing")).encode());
        b.put("/v1/relationships/importbulk", null); // a fresh relationship each time, see importLine
        b.put("/v1/experimental/relationships/bulkimport", null);
        b.put("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode());
        JsonObject composite = check.copy();
        composite.remove("subject");
        composite.put("principals", new JsonArray().add(new JsonObject().put("object", ref("user", "alice")))
                .add(new JsonObject().put("object", ref("user", "alice"))));
        b.put("/relata/v1/permissions/check", composite.encode());
        b.put("/relata/v1/permissions/checkbulk", new JsonObject().put("items", new JsonArray().add(composite)).encode());
        b.put("/relata/v1/permissions/resources", new JsonObject().put("resourceObjectType", "project")
                .put("permission", "push").put("principals", composite.getJsonArray("principals")).encode());
        b.put("/relata/v1/permissions/explain", check.encode());
        b.put("/relata/v1/schema/validate", new JsonObject().put("schema", SCHEMA).encode());
        b.put("/relata/v1/validation/run", new JsonObject().put("validationFile", "schema: |-\n"
                + SCHEMA.indent(2) + "relationships: \"\"\n").encode());
        b.put("/v1/watch", new JsonObject().put("optionalObjectTypes", new JsonArray().add("project")).encode());
        return b;
    }

    private static String importLine() {
        return new JsonObject().put("relationships", new JsonArray().add(touch("project", "p" + UUID.randomUUID()
                .toString().replace("-", ""), "developer", "dave").getJsonObject("relationship"))).encode() + "\n";
    }

    @Test
    void everyHttpRoute_refusesAKeyWithoutItsScope_andAllowsAKeyWithOnlyThatScope() throws Exception {
        Map<String, String> bodies = bodies();
        int routes = 0;
        for (Operation operation : Operation.values()) {
            if (operation.scope == null) {
                continue;
            }
            for (String path : operation.httpPaths) {
                assertThat(bodies).as("a request body for " + path).containsKey(path);
                String body = bodies.get(path) == null ? importLine() : bodies.get(path);

                Reply denied = send(path, body, lacking.get(operation.scope));
                assertThat(denied.status()).as(path + " without `" + operation.scope.wireName() + "`: "
                        + denied.body()).isEqualTo(403);
                assertThat(denied.json().getInteger("code")).isEqualTo(7);
                assertThat(denied.json().getString("message")).contains("lacks the `" + operation.scope.wireName()
                        + "` scope");

                body = bodies.get(path) == null ? importLine() : body;
                // An operation needing a second scope (explain: `read` too) is allowed with just both.
                String onlyKey = operation.alsoNeeds == null ? only.get(operation.scope)
                        : createKey(List.of(operation.scope.wireName(), operation.alsoNeeds.wireName()), List.of());
                Reply allowed = send(path, body, onlyKey);
                assertThat(allowed.status()).as(path + " with only `" + operation.scope.wireName() + "`: "
                        + allowed.body()).isEqualTo(200);
                assertThat(allowed.body()).as(path).doesNotContain("\"error\"");
                routes++;
            }
        }
        assertThat(routes).isEqualTo(server.server().routePaths().size() - nonTenantRoutes());
    }

    private static int nonTenantRoutes() {
        int n = 0;
        for (Operation o : Operation.values()) {
            n += o.scope == null ? o.httpPaths.size() : 0;
        }
        return n;
    }

    /** POSTs {@code body}; a watch is read only up to its headers, then let go. */
    private Reply send(String path, String body, String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofSeconds(30)).build();
        HttpResponse<InputStream> response = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (path.equals("/v1/watch") && response.statusCode() == 200) {
                return new Reply(200, "");
            }
            return new Reply(response.statusCode(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    // ---- every gRPC method ----------------------------------------------------------------------

    @Test
    void everyGrpcMethod_refusesAKeyWithoutItsScope_andAllowsAKeyWithOnlyThatScope() throws Exception {
        List<String> methods = server.server().grpcMethods();
        int guarded = 0;
        for (String method : methods) {
            Operation operation = Operation.ofGrpc(method);
            if (operation.scope == null) {
                continue;
            }
            Status denied = call(method, lacking.get(operation.scope));
            // An operation needing a second scope (explain: `read` too) is allowed with just both.
            Status allowed = call(method, operation.alsoNeeds == null ? only.get(operation.scope)
                    : createKey(List.of(operation.scope.wireName(), operation.alsoNeeds.wireName()), List.of()));
            if (denied.getCode() == Status.Code.UNIMPLEMENTED) {
                // Not offered: nothing is served to either key.
                assertThat(allowed.getCode()).as(method).isEqualTo(Status.Code.UNIMPLEMENTED);
                continue;
            }
            assertThat(denied.getCode()).as(method + " without `" + operation.scope.wireName() + "`: " + denied)
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(denied.getDescription()).contains("lacks the `" + operation.scope.wireName() + "` scope");
            assertThat(allowed.getCode()).as(method + " with only `" + operation.scope.wireName() + "`: " + allowed)
                    .isNotIn(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED);
            guarded++;
        }
        assertThat(guarded).as("guarded methods of " + methods).isGreaterThanOrEqualTo(24);
    }

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };

    /** Calls {@code method} with one empty message (every field at its default) and gives the status it ends with. */
    private Status call(String method, String key) throws Exception {
        MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNKNOWN).setFullMethodName(method)
                .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        ClientCall<byte[], byte[]> call = channel.newCall(descriptor, CallOptions.DEFAULT
                .withCallCredentials(new BearerToken(key)).withDeadlineAfter(3, TimeUnit.SECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                closed.complete(status);
            }
        }, new Metadata());
        call.request(Integer.MAX_VALUE);
        call.sendMessage(new byte[0]);
        call.halfClose();
        return closed.get(30, TimeUnit.SECONDS);
    }

    @Test
    void officialClient_checkOnlyKey_checksAndLooksUp_butCannotWriteReadOrWatch() throws Exception {
        BearerToken checker = new BearerToken(only.get(Scope.CHECK));
        PermissionsServiceGrpc.PermissionsServiceBlockingStub permissions = PermissionsServiceGrpc
                .newBlockingStub(channel).withCallCredentials(checker);
        assertThat(permissions.checkPermission(check("project", "api")).getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        List<String> found = new ArrayList<>();
        permissions.lookupResources(LookupResourcesRequest.newBuilder().setResourceObjectType("project")
                .setPermission("push").setSubject(subject("alice")).build())
                .forEachRemaining(r -> found.add(r.getResourceObjectId()));
        assertThat(found).containsExactly("api");

        assertDenied(() -> permissions.writeRelationships(write("project", "api")), "`write` scope");
        assertDenied(() -> permissions.readRelationships(read("project")).hasNext(), "`read` scope");
        assertDenied(() -> WatchServiceGrpc.newBlockingStub(channel).withCallCredentials(checker)
                .watch(WatchRequest.getDefaultInstance()).hasNext(), "`watch` scope");
        assertThat(relationshipsOf("project")).as("nothing written").doesNotContain("project:api#developer@user:bob");
    }

    // ---- resource-type limits -------------------------------------------------------------------

    @Test
    void typeLimitedKey_overGrpc_namesOnlyItsTypes_evenWhenTheAnswerIsCached() throws Exception {
        PermissionsServiceGrpc.PermissionsServiceBlockingStub full = PermissionsServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken(fullKey));
        PermissionsServiceGrpc.PermissionsServiceBlockingStub limited = PermissionsServiceGrpc.newBlockingStub(channel)
                .withCallCredentials(new BearerToken(projectKey));
        CheckPermissionRequest secret = CheckPermissionRequest.newBuilder().setResource(object("secret", "s1"))
                .setPermission("read").setSubject(subject("alice")).build();
        assertThat(limited.checkPermission(check("project", "api")).getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        // The key is cached now; each full check right before warms the revision window and the answer,
        // so the limited check finds it at hand: its refusal must come on gRPC's fast path too.
        for (int i = 0; i < 10; i++) {
            full.checkPermission(secret);
            assertDenied(() -> limited.checkPermission(secret), "`resource.objectType` names `secret`");
        }
        assertDenied(() -> limited.checkBulkPermissions(CheckBulkPermissionsRequest.newBuilder()
                .addItems(item("project", "api")).addItems(item("secret", "s1")).build()),
                "`items[1].resource.objectType` names `secret`");
        assertDenied(() -> limited.lookupResources(LookupResourcesRequest.newBuilder().setResourceObjectType("secret")
                .setPermission("read").setSubject(subject("alice")).build()).hasNext(), "`resourceObjectType`");
        assertDenied(() -> limited.writeRelationships(write("secret", "s2")), "names `secret`");
        assertDenied(() -> limited.readRelationships(ReadRelationshipsRequest.newBuilder().setRelationshipFilter(
                RelationshipFilter.newBuilder().setOptionalRelation("reader")).build()).hasNext(),
                "`relationshipFilter.resourceType` must name one of them");
        assertDenied(() -> limited.exportBulkRelationships(ExportBulkRelationshipsRequest.getDefaultInstance())
                .hasNext(), "`optionalRelationshipFilter.resourceType` must name one of them");
        assertDenied(() -> WatchServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(projectKey))
                .watch(WatchRequest.getDefaultInstance()).hasNext(), "`optionalObjectTypes` must name one of them");

        limited.writeRelationships(write("project", "api"));
        List<String> read = new ArrayList<>();
        limited.readRelationships(read("project")).forEachRemaining(r -> read.add(r.getRelationship()
                .getSubject().getObject().getObjectId()));
        assertThat(read).containsExactlyInAnyOrder("alice", "bob");
        assertThat(relationshipsOf("secret")).as("nothing of the refused write").containsExactly(
                "secret:s1#reader@user:alice");
    }

    @Test
    void typeLimitedKey_overHttp_refusesOtherTypesUnfilteredReadsAndImports_andAllowsItsOwn() throws Exception {
        JsonObject secretCheck = new JsonObject().put("resource", ref("secret", "s1")).put("permission", "read")
                .put("subject", new JsonObject().put("object", ref("user", "alice")));
        // Once the key is cached, each full check right before warms the revision window and the answer,
        // so the limited check finds it at hand: its refusal must come on the event loop's fast path too.
        for (int i = 0; i < 10; i++) {
            ok(server.post("/v1/permissions/check", secretCheck.encode(), fullKey));
            denied(server.post("/v1/permissions/check", secretCheck.encode(), projectKey),
                    "`resource.objectType` names `secret`");
        }
        denied(server.post("/v1/permissions/subjects", new JsonObject().put("resource", ref("secret", "s1"))
                .put("permission", "read").put("subjectObjectType", "user").encode(), projectKey), "names `secret`");
        denied(server.post("/v1/permissions/expand", new JsonObject().put("resource", ref("secret", "s1"))
                .put("permission", "read").encode(), projectKey), "names `secret`");
        denied(server.post("/v1/relationships/read", "{\"relationshipFilter\": {}}", projectKey),
                "`relationshipFilter.resourceType` must name one of them");
        denied(server.post("/v1/relationships/delete", new JsonObject().put("relationshipFilter", new JsonObject()
                .put("resourceType", "secret")).encode(), projectKey), "names `secret`");
        denied(server.post("/v1/relationships/write", new JsonObject().put("updates", new JsonArray()
                .add(touch("project", "api", "developer", "erin")))
                .put("optionalPreconditions", new JsonArray().add(new JsonObject()
                        .put("operation", "OPERATION_MUST_MATCH").put("filter", new JsonObject()
                                .put("resourceType", "secret")))).encode(), projectKey),
                "`optionalPreconditions[0].filter.resourceType` names `secret`");
        denied(server.post("/v1/relationships/exportbulk", "{}", projectKey),
                "`optionalRelationshipFilter.resourceType` must name one of them");
        denied(server.post("/v1/relationships/importbulk", importLine(), projectKey),
                "needs a key that may touch every resource type");
        denied(server.post("/v1/watch", new JsonObject().put("optionalObjectTypes", new JsonArray().add("project")
                .add("secret")).encode(), projectKey), "`optionalObjectTypes[1]` names `secret`");
        assertThat(relationshipsOf("project")).as("the refused write wrote nothing")
                .doesNotContain("project:api#developer@user:erin");

        ok(server.post("/v1/permissions/check", bodies().get("/v1/permissions/check"), projectKey));
        ok(server.post("/v1/relationships/exportbulk", bodies().get("/v1/relationships/exportbulk"), projectKey));
        ok(server.post("/v1/schema/read", "{}", projectKey));
        Reply written = server.post("/v1/relationships/write", bodies().get("/v1/relationships/write"), projectKey);
        ok(written);
        assertThat(relationshipsOf("project")).contains("project:api#developer@user:carol");
    }

    @Test
    void keyCreation_refusesScopesThatCannotBeEnforced_andTheListShowsWhatEachKeyMayDo() throws Exception {
        Reply typedSchema = server.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant)
                .put("scopes", new JsonArray().add("schema")).put("resourceTypes", new JsonArray().add("project"))
                .encode(), ADMIN);
        assertThat(typedSchema.status()).as(typedSchema.body()).isEqualTo(400);
        assertThat(typedSchema.json().getString("message")).contains("cannot hold the `schema` scope");
        Reply unknown = server.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant)
                .put("scopes", new JsonArray().add("admin")).encode(), ADMIN);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().getString("message")).contains("unknown scope `admin`")
                .contains("check, read, write, schema, watch");
        Reply none = server.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant)
                .put("scopes", new JsonArray()).encode(), ADMIN);
        assertThat(none.status()).isEqualTo(400);

        Reply full = server.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant).encode(), ADMIN);
        ok(full);
        ok(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(),
                full.json().getString("key")));

        Reply list = server.post("/v1/tenants/keys/list", new JsonObject().put("tenant", tenant).encode(), ADMIN);
        ok(list);
        Map<String, JsonObject> byId = new HashMap<>();
        list.json().getJsonArray("keys").forEach(k -> byId.put(((JsonObject) k).getString("keyId"), (JsonObject) k));
        JsonObject fullInfo = byId.get(full.json().getString("keyId"));
        assertThat(fullInfo.getJsonArray("scopes").getList()).containsExactly("check", "read", "write", "schema",
                "watch");
        assertThat(fullInfo.getJsonArray("resourceTypes").getList()).isEmpty();
        assertThat(byId.values()).anySatisfy(k -> {
            assertThat(k.getJsonArray("scopes").getList()).containsExactly("check", "read", "write", "watch");
            assertThat(k.getJsonArray("resourceTypes").getList()).containsExactly("project");
        });
    }

    @Test
    void denials_areCountedByReasonInMetrics() throws Exception {
        denied(server.post("/v1/relationships/write", bodies().get("/v1/relationships/write"), only.get(Scope.CHECK)),
                "`write` scope");
        denied(server.post("/v1/relationships/write", bodies().get("/v1/relationships/write"), only.get(Scope.READ)),
                "`write` scope");
        denied(server.post("/v1/permissions/resources", new JsonObject().put("resourceObjectType", "secret")
                .put("permission", "read").put("subject", new JsonObject().put("object", ref("user", "alice")))
                .encode(), projectKey), "names `secret`");
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("relata_auth_denied_total{reason=\"write\"} 2.0")
                .contains("relata_auth_denied_total{reason=\"resource_type\"} 1.0");
    }

    // ---- helpers --------------------------------------------------------------------------------

    private List<String> relationshipsOf(String type) throws Exception {
        Reply r = server.post("/v1/relationships/read", new JsonObject().put("consistency", new JsonObject()
                .put("fullyConsistent", true)).put("relationshipFilter", new JsonObject().put("resourceType", type))
                .encode(), fullKey);
        ok(r);
        return r.lines().stream().map(l -> l.getJsonObject("result").getJsonObject("relationship")).map(rel ->
                rel.getJsonObject("resource").getString("objectType") + ":" + rel.getJsonObject("resource")
                        .getString("objectId") + "#" + rel.getString("relation") + "@" + rel.getJsonObject("subject")
                        .getJsonObject("object").getString("objectType") + ":" + rel.getJsonObject("subject")
                        .getJsonObject("object").getString("objectId")).collect(Collectors.toList());
    }

    private static void ok(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
    }

    private static void denied(Reply r, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(403);
        assertThat(r.json().getInteger("code")).isEqualTo(7);
        assertThat(r.json().getString("message")).contains(message);
    }

    private static void assertDenied(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).as(e.toString()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.getStatus().getDescription()).contains(message);
        });
    }

    static JsonObject ref(String type, String id) {
        return new JsonObject().put("objectType", type).put("objectId", id);
    }

    static JsonObject touch(String type, String id, String relation, String user) {
        return new JsonObject().put("operation", "OPERATION_TOUCH").put("relationship", new JsonObject()
                .put("resource", ref(type, id)).put("relation", relation)
                .put("subject", new JsonObject().put("object", ref("user", user))));
    }

    private static ObjectReference object(String type, String id) {
        return ObjectReference.newBuilder().setObjectType(type).setObjectId(id).build();
    }

    private static SubjectReference subject(String user) {
        return SubjectReference.newBuilder().setObject(object("user", user)).build();
    }

    private static CheckPermissionRequest check(String type, String id) {
        return CheckPermissionRequest.newBuilder().setResource(object(type, id))
                .setPermission(type.equals("project") ? "push" : "read").setSubject(subject("alice")).build();
    }

    private static CheckBulkPermissionsRequestItem item(String type, String id) {
        return CheckBulkPermissionsRequestItem.newBuilder().setResource(object(type, id))
                .setPermission(type.equals("project") ? "push" : "read").setSubject(subject("alice")).build();
    }

    private static WriteRelationshipsRequest write(String type, String id) {
        return WriteRelationshipsRequest.newBuilder().addUpdates(RelationshipUpdate.newBuilder()
                .setOperation(RelationshipUpdate.Operation.OPERATION_TOUCH).setRelationship(Relationship.newBuilder()
                        .setResource(object(type, id)).setRelation(type.equals("project") ? "developer" : "reader")
                        .setSubject(subject("bob")))).build();
    }

    private static ReadRelationshipsRequest read(String type) {
        return ReadRelationshipsRequest.newBuilder().setRelationshipFilter(RelationshipFilter.newBuilder()
                .setResourceType(type)).setConsistency(com.authzed.api.v1.Consistency.newBuilder()
                        .setFullyConsistent(true)).build();
    }
}
