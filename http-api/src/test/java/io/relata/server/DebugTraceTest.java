package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsRequestItem;
import com.authzed.api.v1.CheckBulkPermissionsResponse;
import com.authzed.api.v1.CheckDebugTrace;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.DebugInformation;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.relata.engine.EngineOptions;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code withTracing} returns SpiceDB's {@code debugTrace} over HTTP (JSON) and gRPC (the
 * official Java client): the tree of sub-problems with their results, the schema used; the same
 * tree over both; on bulk check items too; and none without {@code withTracing}.
 */
class DebugTraceTest {

    private static final String KEY = "debug-trace-key";
    /** As in the engine's TracedChecksTest: nested groups and folders, an exclusion, a caveat. */
    private static final String SCHEMA = """
                caveat on_vpn(vpn bool) {
                    vpn
                }
    
                definition user {}
    
                definition group {
                    relation member: user | group#member | user with on_vpn
                }
    
                definition folder {
                    relation parent: folder
                    relation viewer: user | group#member
                    permission view = viewer + parent->view
                }
    
                definition doc {
                    relation parent: folder
                    relation viewer: user | group#member
                    relation banned: user
                    permission view = (viewer + parent->view) - banned
                }
                """;

    private static final List<String> DATA = List.of(
            "doc:d#viewer@group:g1#member",
            "group:g1#member@group:g2#member",
            "group:g2#member@group:g3#member",
            "group:g3#member@user:alice",
            "doc:d#parent@folder:f1",
            "folder:f1#viewer@user:alice",
            "folder:f1#parent@folder:f2",
            "folder:f2#viewer@user:eve",
            "folder:f1#viewer@user:carol",
            "doc:d#banned@user:carol",
            "doc:d#viewer@group:vpn#member",
            "group:vpn#member@user:dave[on_vpn]");

    private MemoryTupleStore store;
    private TestServer server;
    private ManagedChannel channel;
    private PermissionsServiceGrpc.PermissionsServiceBlockingStub grpc;

    @BeforeEach
    void start() throws Exception {
        store = new MemoryTupleStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "default"),
                "debug-trace-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 100,
                EngineOptions.DEFAULTS.withCacheSize(0), null).withGrpcPort(0), store, new MemoryApiKeys(store));
        store.createTenant("default");
        store.writeSchema("default", SCHEMA);
        store.write("default", DATA.stream()
                .map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());
        int port = server.startGrpc();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        grpc = PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(KEY));
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        store.close();
    }

    private static String body(String user, boolean tracing) {
        return "{\"consistency\":{\"fullyConsistent\":true},\"resource\":{\"objectType\":\"doc\",\"objectId\":\"d\"},"
                + "\"permission\":\"view\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user
                + "\"}}" + (tracing ? ",\"withTracing\":true" : "") + "}";
    }

    private JsonObject httpCheck(String user, boolean tracing) throws Exception {
        TestServer.Reply reply = server.post("/v1/permissions/check", body(user, tracing), KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private CheckPermissionResponse grpcCheck(String user) {
        return grpc.checkPermission(CheckPermissionRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d")).setPermission("view")
                .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                        .setObjectType("user").setObjectId(user)))
                .setWithTracing(true).build());
    }

    /** A trace as lines {@code indent resource#permission RESULT [cached]}, durations left out. */
    private static String shape(CheckDebugTrace t, String indent) {
        StringBuilder out = new StringBuilder(indent).append(t.getResource().getObjectType()).append(':')
                .append(t.getResource().getObjectId()).append('#').append(t.getPermission()).append(' ')
                .append(t.getPermissionType().name().replace("PERMISSION_TYPE_", "")).append(' ')
                .append(t.getResult().name().replace("PERMISSIONSHIP_", "")).append('\n');
        for (CheckDebugTrace s : t.getSubProblems().getTracesList()) {
            out.append(shape(s, indent + "  "));
        }
        return out.toString();
    }

    private static DebugInformation parse(JsonObject debugTrace) throws Exception {
        DebugInformation.Builder out = DebugInformation.newBuilder();
        JsonFormat.parser().merge(debugTrace.encode(), out);
        return out.build();
    }

    @Test
    void tracedCheck_hasTheSameSubProblemTreeOverHttpAndGrpc() throws Exception {
        JsonObject http = httpCheck("eve", true);
        assertThat(http.getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        DebugInformation viaHttp = parse(http.getJsonObject("debugTrace"));
        CheckPermissionResponse viaGrpc = grpcCheck("eve");
        assertThat(viaGrpc.hasDebugTrace()).isTrue();
        // eve views doc:d through two nested folders: parent->view twice, then the folder's viewer.
        String expected = """
                doc:d#view PERMISSION HAS_PERMISSION
                  doc:d#viewer RELATION NO_PERMISSION
                    group:g1#member RELATION NO_PERMISSION
                      group:g2#member RELATION NO_PERMISSION
                        group:g3#member RELATION NO_PERMISSION
                    group:vpn#member RELATION NO_PERMISSION
                  folder:f1#view PERMISSION HAS_PERMISSION
                    folder:f1#viewer RELATION NO_PERMISSION
                    folder:f2#view PERMISSION HAS_PERMISSION
                      folder:f2#viewer RELATION HAS_PERMISSION
                  doc:d#banned RELATION NO_PERMISSION
                """;
        assertThat(shape(viaHttp.getCheck(), "")).isEqualTo(expected);
        assertThat(shape(viaGrpc.getDebugTrace().getCheck(), "")).isEqualTo(expected);
        assertThat(viaHttp.getSchemaUsed()).isEqualTo(SCHEMA.strip());
        assertThat(viaGrpc.getDebugTrace().getSchemaUsed()).isEqualTo(SCHEMA.strip());
        CheckDebugTrace root = viaGrpc.getDebugTrace().getCheck();
        assertThat(root.getSubject().getObject().getObjectId()).isEqualTo("eve");
        assertThat(root.hasDuration()).isTrue();
        // A leaf is resolved, not cached (the server has no sub-result cache here).
        CheckDebugTrace banned = root.getSubProblems().getTraces(2);
        assertThat(banned.getResolutionCase()).isEqualTo(CheckDebugTrace.ResolutionCase.WAS_CACHED_RESULT);
        assertThat(banned.getWasCachedResult()).isFalse();
    }

    @Test
    void tracedNo_reportsEverySubProblemAsNo() throws Exception {
        JsonObject http = httpCheck("nobody", true);
        assertThat(http.getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        DebugInformation trace = parse(http.getJsonObject("debugTrace"));
        assertThat(shape(trace.getCheck(), "").lines().collect(Collectors.toList()))
                .hasSizeGreaterThan(5).allSatisfy(line -> assertThat(line).endsWith("NO_PERMISSION"));
        // A NO whose base never held does not ask the excluded side.
        assertThat(shape(trace.getCheck(), "")).doesNotContain("banned");
    }

    @Test
    void tracedConditional_carriesTheCaveatAndItsMissingParameter() throws Exception {
        CheckPermissionResponse dave = grpcCheck("dave");
        assertThat(dave.getPermissionship())
                .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_CONDITIONAL_PERMISSION);
        CheckDebugTrace vpn = dave.getDebugTrace().getCheck().getSubProblems().getTraces(0).getSubProblems()
                .getTracesList().stream().filter(t -> t.getResource().getObjectId().equals("vpn")).findFirst()
                .orElseThrow();
        assertThat(vpn.getResult()).isEqualTo(CheckDebugTrace.Permissionship.PERMISSIONSHIP_CONDITIONAL_PERMISSION);
        assertThat(vpn.getCaveatEvaluationInfo().getCaveatName()).isEqualTo("on_vpn");
        assertThat(vpn.getCaveatEvaluationInfo().getExpression()).isEqualTo("vpn");
        assertThat(vpn.getCaveatEvaluationInfo().getPartialCaveatInfo().getMissingRequiredContextList())
                .containsExactly("vpn");
    }

    @Test
    void untracedCheck_hasNoTrace() throws Exception {
        assertThat(httpCheck("eve", false).getValue("debugTrace")).isNull();
        CheckPermissionResponse plain = grpc.checkPermission(grpcRequestWithoutTracing());
        assertThat(plain.hasDebugTrace()).isFalse();
    }

    private static CheckPermissionRequest grpcRequestWithoutTracing() {
        return CheckPermissionRequest.newBuilder().setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d")).setPermission("view")
                .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                        .setObjectType("user").setObjectId("eve"))).build();
    }

    @Test
    void bulkCheckWithTracing_tracesEachItem() throws Exception {
        CheckBulkPermissionsRequest.Builder request = CheckBulkPermissionsRequest.newBuilder()
                .setConsistency(Consistency.newBuilder().setFullyConsistent(true)).setWithTracing(true);
        for (String user : List.of("alice", "nobody")) {
            request.addItems(CheckBulkPermissionsRequestItem.newBuilder()
                    .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d")).setPermission("view")
                    .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                            .setObjectType("user").setObjectId(user))));
        }
        CheckBulkPermissionsResponse viaGrpc = grpc.checkBulkPermissions(request.build());
        assertThat(viaGrpc.getPairs(0).getItem().getDebugTrace().getCheck().getResult())
                .isEqualTo(CheckDebugTrace.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        assertThat(viaGrpc.getPairs(1).getItem().getDebugTrace().getCheck().getResult())
                .isEqualTo(CheckDebugTrace.Permissionship.PERMISSIONSHIP_NO_PERMISSION);
        TestServer.Reply http = server.post("/v1/permissions/checkbulk", JsonFormat.printer().print(request), KEY);
        JsonObject first = http.json().getJsonArray("pairs").getJsonObject(0).getJsonObject("item");
        assertThat(shape(parse(first.getJsonObject("debugTrace")).getCheck(), ""))
                .isEqualTo(shape(viaGrpc.getPairs(0).getItem().getDebugTrace().getCheck(), ""));
    }
}
