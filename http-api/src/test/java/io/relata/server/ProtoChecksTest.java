package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckBulkPermissionsRequestItem;
import com.authzed.api.v1.CheckBulkPermissionsResponse;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.ZedToken;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.zookie.ConsistencyResolver;
import io.relata.zookie.ZookieCodec;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC's CheckPermission and CheckBulkPermissions, translated straight to the service layer
 * ({@link ProtoChecks}), answer exactly what the same messages got through the gateway's JSON
 * ({@link ProtoJson} around {@link Api}): the same responses, and the same errors (code,
 * message, reason) for malformed requests, unusable tokens and unknown names.
 */
class ProtoChecksTest {

    private static final String TENANT = "proto-checks";
    private static final String SCHEMA = "caveat level_ok(level int) {\n  level >= 3\n}\n"
            + "definition user {}\ndefinition group {\n  relation member: user\n}\n"
            + "definition doc {\n  relation viewer: user | user with level_ok | group#member\n"
            + "  permission view = viewer\n}";

    private MemoryTupleStore store;
    private GraphCheckEngine engine;
    private Api api;
    private ProtoChecks checks;
    private String written;

    @BeforeEach
    void start() {
        store = new MemoryTupleStore(StoreOptions.DEFAULTS);
        engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(), "proto-checks-secret-0123456789",
                Duration.ofSeconds(5), 1 << 20, 3, EngineOptions.DEFAULTS, null);
        api = new Api(store, engine, new ConsistencyResolver(store, new ZookieCodec(config.tokenSecret()),
                config.quantization(), Clock.systemUTC()), config, new SimpleMeterRegistry());
        checks = new ProtoChecks(api.checks());
        store.createTenant(TENANT);
        api.schemaWrite(TENANT, new JsonObject().put("schema", SCHEMA));
        written = api.relationshipsWrite(TENANT, new JsonObject("{\"updates\":["
                + Requests.touch("doc", "readme", "viewer", "user", "alice") + ","
                + Requests.touch("doc", "readme", "viewer", "user", "carol").replace("}}}}",
                        "}},\"optionalCaveat\":{\"caveatName\":\"level_ok\"}}}") + ","
                + Requests.touch("group", "eng", "member", "user", "bob") + "]}"))
                .getJsonObject("writtenAt").getString("token");
    }

    @AfterEach
    void stop() {
        engine.close();
        store.close();
    }

    private static ObjectReference object(String type, String id) {
        return ObjectReference.newBuilder().setObjectType(type).setObjectId(id).build();
    }

    private static SubjectReference subject(String type, String id, String relation) {
        return SubjectReference.newBuilder().setObject(object(type, id)).setOptionalRelation(relation).build();
    }

    private static Consistency fully() {
        return Consistency.newBuilder().setFullyConsistent(true).build();
    }

    private static Struct level(Value value) {
        return Struct.newBuilder().putFields("level", value).build();
    }

    /**
     * What a call gave: its answer as JSON (Any details unpacked; a debug trace's durations, which
     * differ from run to run, left out), or its error's code, message and reason.
     */
    private static Object outcome(Supplier<? extends Message> call) {
        try {
            return new JsonObject(JsonFormat.printer().usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                    .add(com.google.rpc.ErrorInfo.getDescriptor()).build()).print(call.get())
                    .replaceAll("\"duration\":\\s*\"[0-9.]+s\",?", ""));
        } catch (RuntimeException e) {
            Errors.Status status = Errors.of(e);
            return List.of(status.code(), status.message(), String.valueOf(status.reason()), status.metadata());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    private void sameAsThroughJson(CheckPermissionRequest request) {
        Object direct = outcome(() -> checks.check(TENANT, request));
        Object throughJson = outcome(() -> ProtoJson.fromJson(api.check(TENANT, ProtoJson.toJson(request)),
                CheckPermissionResponse.getDefaultInstance()));
        assertThat(direct).as("%s", request).isEqualTo(throughJson);
    }

    private void sameAsThroughJson(CheckBulkPermissionsRequest request) {
        Object direct = outcome(() -> checks.checkBulk(TENANT, request));
        Object throughJson = outcome(() -> ProtoJson.fromJson(api.checkBulk(TENANT, ProtoJson.toJson(request)),
                CheckBulkPermissionsResponse.getDefaultInstance()));
        assertThat(direct).as("%s", request).isEqualTo(throughJson);
    }

    @Test
    void checkPermission_answersAndRefusesAsThroughTheGatewayJson() {
        CheckPermissionRequest base = CheckPermissionRequest.newBuilder().setConsistency(fully())
                .setResource(object("doc", "readme")).setPermission("view").setSubject(subject("user", "alice", ""))
                .build();
        List<CheckPermissionRequest> requests = new ArrayList<>(List.of(
                base,
                base.toBuilder().setSubject(subject("user", "dave", "")).build(),
                base.toBuilder().setSubject(subject("group", "eng", "member")).build(),
                base.toBuilder().setSubject(subject("user", "carol", "")).build(),
                base.toBuilder().setSubject(subject("user", "carol", "")).setContext(level(Value.newBuilder()
                        .setNumberValue(5).build())).build(),
                base.toBuilder().setSubject(subject("user", "carol", "")).setContext(level(Value.newBuilder()
                        .setNumberValue(1).build())).build(),
                base.toBuilder().setSubject(subject("user", "carol", "")).setContext(level(Value.newBuilder()
                        .setStringValue("high").build())).build(),
                base.toBuilder().setSubject(subject("user", "carol", "")).setContext(Struct.getDefaultInstance()).build(),
                base.toBuilder().clearConsistency().build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setMinimizeLatency(true)).build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setFullyConsistent(false)).build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setAtLeastAsFresh(
                        ZedToken.newBuilder().setToken(written))).build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setAtExactSnapshot(
                        ZedToken.newBuilder().setToken(written))).build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setAtLeastAsFresh(ZedToken.getDefaultInstance()))
                        .build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setAtExactSnapshot(
                        ZedToken.newBuilder().setToken("not-a-token"))).build(),
                base.toBuilder().clearResource().build(),
                base.toBuilder().setResource(ObjectReference.getDefaultInstance()).build(),
                base.toBuilder().setResource(object("doc", "")).build(),
                base.toBuilder().setResource(object("Not A Type", "x")).build(),
                base.toBuilder().setResource(object("folder", "x")).build(),
                base.toBuilder().setPermission("").build(),
                base.toBuilder().setPermission("edit").build(),
                base.toBuilder().clearSubject().build(),
                base.toBuilder().setSubject(SubjectReference.newBuilder().setOptionalRelation("member")).build(),
                base.toBuilder().setSubject(subject("user", "*", "")).build(),
                base.toBuilder().setSubject(subject("group", "eng", "owner")).build(),
                base.toBuilder().setWithTracing(true).build()));
        // A bad token and a missing resource together: the token's error comes first, as through JSON.
        requests.add(base.toBuilder().clearResource().setConsistency(Consistency.newBuilder().setAtLeastAsFresh(
                ZedToken.newBuilder().setToken("garbage"))).build());
        for (CheckPermissionRequest request : requests) {
            sameAsThroughJson(request);
        }
    }

    @Test
    void checkBulkPermissions_answersAndRefusesAsThroughTheGatewayJson() {
        CheckBulkPermissionsRequestItem alice = CheckBulkPermissionsRequestItem.newBuilder()
                .setResource(object("doc", "readme")).setPermission("view").setSubject(subject("user", "alice", ""))
                .build();
        CheckBulkPermissionsRequestItem carol = alice.toBuilder().setSubject(subject("user", "carol", "")).build();
        CheckBulkPermissionsRequestItem unknown = alice.toBuilder().setResource(object("folder", "x")).build();
        CheckBulkPermissionsRequest base = CheckBulkPermissionsRequest.newBuilder().setConsistency(fully())
                .addItems(alice).addItems(carol.toBuilder().setContext(level(Value.newBuilder().setNumberValue(4)
                        .build()))).addItems(unknown).build();
        for (CheckBulkPermissionsRequest request : List.of(
                base,
                base.toBuilder().clearItems().build(),
                base.toBuilder().addItems(carol).build(),
                base.toBuilder().setItems(1, carol.toBuilder().clearResource()).build(),
                base.toBuilder().setItems(0, alice.toBuilder().setPermission("")).build(),
                base.toBuilder().setConsistency(Consistency.newBuilder().setAtExactSnapshot(
                        ZedToken.newBuilder().setToken("garbage"))).build())) {
            sameAsThroughJson(request);
        }
    }
}
