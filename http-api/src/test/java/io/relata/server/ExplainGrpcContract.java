package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.relata.api.v1.ExplainPermissionResponse;
import io.relata.api.v1.ExplainServiceGrpc;
import io.relata.api.v1.ExplanationHop;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.KeyAccess;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
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
 * {@code relata.v1.ExplainService/ExplainPermission} over a real gRPC channel answers as
 * {@code POST /relata/v1/permissions/explain} does (the same service method): the shortest granting
 * chain with its rules for HAS, the closest miss for NO, the answer's token; and it is guarded as the
 * route is, by the operation table: a key without {@code read} is refused PERMISSION_DENIED.
 */
abstract class ExplainGrpcContract {

    private static final String SCHEMA = """
            definition user {}
            definition folder {
                relation viewer: user
            }
            definition doc {
                relation parent: folder
                relation viewer: user
                permission view = viewer + parent->viewer
            }
            """;

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;
    private String key;
    private String checkOnlyKey;

    protected abstract TupleStore newStore();

    protected abstract ApiKeys keys(TupleStore store);

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        String tenant = "explain-grpc-" + UUID.randomUUID();
        store.createTenant(tenant);
        store.writeSchema(tenant, SCHEMA);
        store.write(tenant, List.of("doc:d#parent@folder:f", "folder:f#viewer@user:alice", "doc:d#viewer@user:carol")
                .stream().map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());
        ApiKeys keys = keys(store);
        key = keys.create(tenant, "explain").secret();
        checkOnlyKey = keys.create(tenant, "check only", KeyAccess.of(List.of("check"), List.of())).secret();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(), "explain-grpc-secret-0123456789",
                Duration.ofSeconds(5), 1 << 20, 100, EngineOptions.DEFAULTS, null), store, keys);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        store.close();
    }

    private static CheckPermissionRequest request(String user) {
        return CheckPermissionRequest.newBuilder().setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d")).setPermission("view")
                .setSubject(SubjectReference.newBuilder().setObject(
                        ObjectReference.newBuilder().setObjectType("user").setObjectId(user))).build();
    }

    private ExplainPermissionResponse grpc(String user, String bearer) {
        return ExplainServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(bearer))
                .withDeadlineAfter(10, TimeUnit.SECONDS).explainPermission(request(user));
    }

    private JsonObject http(String user) throws Exception {
        Reply reply = server.post("/relata/v1/permissions/explain", "{\"consistency\":{\"fullyConsistent\":true},"
                + "\"resource\":{\"objectType\":\"doc\",\"objectId\":\"d\"},\"permission\":\"view\",\"subject\":"
                + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}", key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    /** Each hop as {@code relationship | rule | via}. */
    private static List<String> hops(List<ExplanationHop> hops) {
        return hops.stream().map(h -> h.getRelationship() + " | " + h.getRule() + " | " + h.getVia()).toList();
    }

    private static List<String> hops(JsonArray hops) {
        return hops.stream().map(h -> (JsonObject) h).map(h -> h.getString("relationship") + " | "
                + h.getString("rule") + " | " + h.getString("via")).toList();
    }

    @Test
    void explainHas_overGrpc_givesTheShortestChain_asHttpDoes() throws Exception {
        ExplainPermissionResponse alice = grpc("alice", key);
        assertThat(alice.getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        assertThat(alice.getCheckedAt().getToken()).isNotBlank();
        assertThat(alice.getComplete()).isTrue();
        assertThat(alice.getChainList()).extracting(ExplanationHop::getRelationship)
                .containsExactly("doc:d#parent@folder:f", "folder:f#viewer@user:alice");
        assertThat(alice.getChain(0).getRule()).isEqualTo("doc#view = viewer + parent->viewer");
        JsonObject overHttp = http("alice");
        assertThat(hops(alice.getChainList())).isEqualTo(hops(overHttp.getJsonArray("chain")));
        assertThat(alice.getPermissionship().name()).isEqualTo(overHttp.getString("permissionship"));

        assertThat(grpc("carol", key).getChainList()).extracting(ExplanationHop::getRelationship)
                .containsExactly("doc:d#viewer@user:carol");
    }

    @Test
    void explainNo_overGrpc_givesTheClosestMiss_asHttpDoes() throws Exception {
        ExplainPermissionResponse bob = grpc("bob", key);
        assertThat(bob.getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_NO_PERMISSION);
        assertThat(bob.getMissingList()).isNotEmpty();
        JsonObject overHttp = http("bob");
        assertThat(hops(bob.getMissingList())).isEqualTo(hops(overHttp.getJsonArray("missing")));
        assertThat(hops(bob.getChainList())).isEqualTo(hops(overHttp.getJsonArray("chain")));
        assertThat(bob.getComplete()).isEqualTo(overHttp.getBoolean("complete"));
    }

    @Test
    void explainOverGrpc_needsTheReadScope() {
        assertThatThrownBy(() -> grpc("alice", checkOnlyKey)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getStatus().getDescription()).contains("`read`");
                });
    }
}
