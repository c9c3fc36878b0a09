package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.Relationship;
import com.authzed.api.v1.RelationshipUpdate;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.relata.engine.EngineOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --audit-log}: every kind of decision and write, over HTTP and gRPC, leaves one JSON line
 * with its time, tenant, key id (never the key), request, answer and revision; lookups one line
 * per request with the count; the lines are all in the file once the server has stopped. Each
 * store runs it.
 */
abstract class AuditLogContract {

    @TempDir
    Path dir;

    protected abstract TupleStore newStore();

    /** The API keys of {@code store}'s kind. */
    protected abstract io.relata.store.ApiKeys keys(TupleStore store);

    private static final String SCHEMA = "definition user {}\ndefinition doc {\n  relation viewer: user\n"
            + "  permission view = viewer\n}";

    @Test
    void everyDecisionAndWrite_overBothTransports_leavesOneLine_withTheKeysListedId() throws Exception {
        String tenant = "audit-" + UUID.randomUUID();
        Path log = dir.resolve("audit.jsonl");
        Instant before = Instant.now();
        String key;
        String listedId;
        try (TupleStore store = newStore()) {
            store.createTenant(tenant);
            io.relata.store.ApiKeys keys = keys(store);
            key = keys.create(tenant, "audited").secret();
            // The id `relata key list` shows for it.
            listedId = keys.list(tenant).get(0).keyId();
            TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(),
                    "audit-test-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 100, EngineOptions.DEFAULTS, null)
                    .withGrpcPort(0), store, keys);
            ManagedChannel channel = null;
            try {
                assertThat(log).doesNotExist();
                server.server().auditTo(log.toString());
                String fresh = "{\"fullyConsistent\":true}";
                ok(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), key));
                ok(server.post("/v1/relationships/write", "{\"updates\":[{\"operation\":\"OPERATION_TOUCH\","
                        + "\"relationship\":{\"resource\":{\"objectType\":\"doc\",\"objectId\":\"a\"},\"relation\":"
                        + "\"viewer\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}}}}]}", key));
                String check = "{\"consistency\":" + fresh + ",\"resource\":{\"objectType\":\"doc\",\"objectId\":\"a\"},"
                        + "\"permission\":\"view\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}}}";
                ok(server.post("/v1/permissions/check", check, key));
                ok(server.post("/relata/v1/permissions/explain", check, key));
                ok(server.post("/v1/permissions/checkbulk", "{\"consistency\":" + fresh + ",\"items\":["
                        + "{\"resource\":{\"objectType\":\"doc\",\"objectId\":\"a\"},\"permission\":\"view\",\"subject\":"
                        + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}}},"
                        + "{\"resource\":{\"objectType\":\"doc\",\"objectId\":\"a\"},\"permission\":\"view\",\"subject\":"
                        + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"bob\"}}}]}", key));
                ok(server.post("/v1/permissions/resources", "{\"consistency\":" + fresh + ",\"resourceObjectType\":"
                        + "\"doc\",\"permission\":\"view\",\"subject\":{\"object\":{\"objectType\":\"user\","
                        + "\"objectId\":\"alice\"}}}", key));
                ok(server.post("/v1/permissions/subjects", "{\"consistency\":" + fresh + ",\"resource\":{\"objectType\":"
                        + "\"doc\",\"objectId\":\"a\"},\"permission\":\"view\",\"subjectObjectType\":\"user\"}", key));
                ok(server.post("/v1/relationships/importbulk", "{\"relationships\":[{\"resource\":{\"objectType\":"
                        + "\"doc\",\"objectId\":\"b\"},\"relation\":\"viewer\",\"subject\":{\"object\":"
                        + "{\"objectType\":\"user\",\"objectId\":\"carl\"}}}]}\n", key));
                // A refused request decides nothing and is not recorded.
                assertThat(server.post("/v1/permissions/check", check.replace("\"view\"", "\"edit\""), key).status())
                        .isEqualTo(400);

                channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
                PermissionsServiceGrpc.PermissionsServiceBlockingStub grpc = PermissionsServiceGrpc
                        .newBlockingStub(channel).withCallCredentials(new BearerToken(key));
                ObjectReference doc = ObjectReference.newBuilder().setObjectType("doc").setObjectId("a").build();
                SubjectReference dan = SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                        .setObjectType("user").setObjectId("dan")).build();
                grpc.writeRelationships(WriteRelationshipsRequest.newBuilder().addUpdates(RelationshipUpdate.newBuilder()
                        .setOperation(RelationshipUpdate.Operation.OPERATION_TOUCH).setRelationship(Relationship
                                .newBuilder().setResource(doc).setRelation("viewer").setSubject(dan))).build());
                CheckPermissionResponse danCheck = grpc.checkPermission(CheckPermissionRequest.newBuilder()
                        .setConsistency(Consistency.newBuilder().setFullyConsistent(true)).setResource(doc)
                        .setPermission("view").setSubject(dan).build());
                assertThat(danCheck.getPermissionship())
                        .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
                ok(server.post("/v1/relationships/delete", "{\"relationshipFilter\":{\"resourceType\":\"doc\","
                        + "\"optionalResourceId\":\"b\"}}", key));
            } finally {
                if (channel != null) {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
                server.close();
            }
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(text).doesNotContain(key);
        List<JsonObject> lines = text.lines().map(JsonObject::new).toList();
        assertThat(lines).extracting(l -> l.getString("kind")).containsExactly("schema.write", "relationships.write",
                "check", "explain", "checkbulk", "checkbulk", "lookupresources", "lookupsubjects", "import",
                "relationships.write", "check", "relationships.delete");
        assertThat(listedId).startsWith("key_");
        for (JsonObject line : lines) {
            assertThat(line.getString("tenant")).isEqualTo(tenant);
            assertThat(line.getString("keyId")).isEqualTo(listedId);
            assertThat(Instant.parse(line.getString("time"))).isAfterOrEqualTo(before.minusSeconds(1));
            assertThat(Long.parseLong(line.getString("revision"))).as(line.encode()).isPositive();
        }
        assertThat(lines.get(1).getJsonObject("request").getJsonArray("listed"))
                .containsExactly("TOUCH doc:a#viewer@user:alice");
        assertThat(lines.get(2).getJsonObject("request").getString("subject")).isEqualTo("user:alice");
        assertThat(lines.get(2).getJsonObject("answer").getString("permissionship")).isEqualTo("HAS");
        assertThat(lines.get(5).getJsonObject("answer").getString("permissionship")).isEqualTo("NO");
        assertThat(lines.get(5).getJsonObject("request").getInteger("item")).isEqualTo(1);
        assertThat(lines.get(6).getJsonObject("answer").getLong("results")).isEqualTo(1L);
        assertThat(lines.get(7).getJsonObject("answer").getLong("results")).isEqualTo(1L);
        assertThat(lines.get(8).getJsonObject("answer").getLong("loaded")).isEqualTo(1L);
        assertThat(lines.get(9).getJsonObject("request").getJsonArray("listed"))
                .containsExactly("TOUCH doc:a#viewer@user:dan");
        assertThat(lines.get(10).getJsonObject("request").getString("subject")).isEqualTo("user:dan");
        assertThat(lines.get(11).getJsonObject("answer").getLong("deleted")).isEqualTo(1L);
        // The write's revision is the one the next read saw.
        assertThat(Long.parseLong(lines.get(2).getString("revision")))
                .isGreaterThanOrEqualTo(Long.parseLong(lines.get(1).getString("revision")));
    }

    private static final String COMPOSITE_SCHEMA = "definition user {}\ndefinition token {\n  relation owner: user\n}\n"
            + "definition doc {\n  relation viewer: user | token\n  permission view = viewer\n}\n"
            + "composite pat = token > user where token#owner {\n  permission doc#view = view > view\n}";

    @Test
    void compositeDecisions_leaveOneLineEach_withTheChain() throws Exception {
        String key = "audit-key-" + UUID.randomUUID();
        String tenant = "audit-" + UUID.randomUUID();
        Path log = dir.resolve("composite.jsonl");
        try (TupleStore store = newStore()) {
            store.createTenant(tenant);
            TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant),
                    "audit-test-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 100, EngineOptions.DEFAULTS, null),
                    store, new MemoryApiKeys(store));
            try {
                server.server().auditTo(log.toString());
                ok(server.post("/v1/schema/write", new JsonObject().put("schema", COMPOSITE_SCHEMA).encode(), key));
                ok(server.post("/v1/relationships/write", "{\"updates\":["
                        + touch("doc", "a", "viewer", "token", "t1") + "," + touch("doc", "a", "viewer", "user", "alice")
                        + "," + touch("token", "t1", "owner", "user", "alice") + "]}", key));
                String fresh = "\"consistency\":{\"fullyConsistent\":true}";
                String alice = "\"resource\":{\"objectType\":\"doc\",\"objectId\":\"a\"},\"permission\":\"view\","
                        + "\"principals\":[" + subject("token", "t1") + "," + subject("user", "alice") + "]";
                String bob = alice.replace("alice", "bob");
                ok(server.post("/relata/v1/permissions/check", "{" + fresh + "," + alice + "}", key));
                ok(server.post("/relata/v1/permissions/checkbulk", "{" + fresh + ",\"items\":[{" + alice + "},{" + bob
                        + "}]}", key));
                ok(server.post("/relata/v1/permissions/resources", "{" + fresh + ",\"resourceObjectType\":\"doc\","
                        + "\"permission\":\"view\",\"principals\":[" + subject("token", "t1") + ","
                        + subject("user", "alice") + "]}", key));
            } finally {
                server.close();
            }
        }
        List<JsonObject> lines = Files.readString(log, StandardCharsets.UTF_8).lines().map(JsonObject::new).toList();
        assertThat(lines).extracting(l -> l.getString("kind")).containsExactly("schema.write", "relationships.write",
                "compositecheck", "compositecheckbulk", "compositecheckbulk", "compositelookupresources");
        assertThat(lines.get(2).getJsonObject("request").getJsonArray("principals"))
                .containsExactly("token:t1", "user:alice");
        assertThat(lines.get(2).getJsonObject("answer").getString("permissionship")).isEqualTo("HAS");
        assertThat(lines.get(4).getJsonObject("request").getJsonArray("principals"))
                .containsExactly("token:t1", "user:bob");
        assertThat(lines.get(4).getJsonObject("answer").getString("permissionship")).isEqualTo("NO");
        assertThat(lines.get(5).getJsonObject("answer").getLong("results")).isEqualTo(1L);
        for (JsonObject line : lines) {
            assertThat(line.getString("keyId")).isEqualTo("preshared");
            assertThat(Long.parseLong(line.getString("revision"))).as(line.encode()).isPositive();
        }
    }

    private static String subject(String type, String id) {
        return "{\"object\":{\"objectType\":\"" + type + "\",\"objectId\":\"" + id + "\"}}";
    }

    private static String touch(String type, String id, String relation, String subjectType, String subjectId) {
        return "{\"operation\":\"OPERATION_TOUCH\",\"relationship\":{\"resource\":{\"objectType\":\"" + type
                + "\",\"objectId\":\"" + id + "\"},\"relation\":\"" + relation + "\",\"subject\":"
                + subject(subjectType, subjectId) + "}}";
    }

    private static void ok(TestServer.Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }
}
