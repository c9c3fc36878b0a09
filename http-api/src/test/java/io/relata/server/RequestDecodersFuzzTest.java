package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckBulkPermissionsRequest;
import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.DeleteRelationshipsRequest;
import com.authzed.api.v1.ExpandPermissionTreeRequest;
import com.authzed.api.v1.LookupResourcesRequest;
import com.authzed.api.v1.LookupSubjectsRequest;
import com.authzed.api.v1.ReadRelationshipsRequest;
import com.authzed.api.v1.WriteRelationshipsRequest;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryTupleStore;
import io.relata.zookie.ConsistencyResolver;
import io.relata.zookie.ZookieCodec;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the request decoders over the real service layer ({@link Api} on
 * the memory store): any HTTP body (JSON parsed as {@link HttpHandlers} parses it) and any
 * protobuf message of the gRPC API (translated as {@link ProtoChecks} and {@link ProtoJson}
 * translate it) is answered, or refused with a client error; never a 500 (an NPE, a
 * ClassCastException, anything {@link Errors} does not know), and never a message that grows
 * with the input.
 *
 * <p>An input's first line names the method ({@code check}, {@code write}, ...), the rest is
 * the body; for the protobuf target the first byte picks the message. Seeds:
 * {@code src/test/resources/io/relata/server/RequestDecodersFuzzTestInputs};
 * {@code JAZZER_FUZZ=1} fuzzes (see the module README).
 */
class RequestDecodersFuzzTest {

    private static final String TENANT = "fuzz";
    static final int MAX_INPUT_BYTES = 16 * 1024;
    /** Far above any refusal of ours: echoed values are cut at {@link Errors#MAX_ECHO_CHARS}. */
    private static final int MAX_MESSAGE_CHARS = 4 * 1024;
    /** The store is started afresh after this many inputs, so a long run's writes do not pile up. */
    private static final int INPUTS_PER_STORE = 2_000;

    private static final String SCHEMA = """
            use expiration

            caveat level_ok(level int, tags list<string>) {
              level >= 3 && tags.all(t, t != "")
            }
            definition user {}
            definition group {
              relation member: user | group#member
            }
            definition doc {
              relation parent: doc
              relation owner: user with expiration
              relation viewer: user | user:* | user with level_ok | group#member
              permission view = viewer + owner + parent->view
              permission edit = owner - viewer
            }
            """;

    private static MemoryTupleStore store;
    private static GraphCheckEngine engine;
    private static Api api;
    private static ProtoChecks checks;
    private static int inputs;

    /** The JSON methods by the name an input's first line gives. */
    private static final Map<String, BiConsumer<Api, JsonObject>> JSON_METHODS = Map.of(
            "check", (a, body) -> a.check(TENANT, body),
            "checkBulk", (a, body) -> a.checkBulk(TENANT, body),
            "write", (a, body) -> a.relationshipsWrite(TENANT, body),
            "delete", (a, body) -> a.relationshipsDelete(TENANT, body),
            "read", (a, body) -> a.relationshipsRead(TENANT, body, line -> true),
            "lookupResources", (a, body) -> a.lookupResources(TENANT, body, line -> true),
            "lookupSubjects", (a, body) -> a.lookupSubjects(TENANT, body, line -> true),
            "expand", (a, body) -> a.expand(TENANT, body));
    private static final List<String> JSON_NAMES = JSON_METHODS.keySet().stream().sorted().toList();

    @BeforeAll
    static void start() {
        fresh();
    }

    @AfterAll
    static void stop() {
        engine.close();
        store.close();
    }

    private static void fresh() {
        if (store != null) {
            stop();
        }
        store = new MemoryTupleStore(StoreOptions.DEFAULTS);
        engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(), "fuzz-secret-0123456789abcdef",
                Duration.ofSeconds(5), 1 << 20, 3, EngineOptions.DEFAULTS, null);
        api = new Api(store, engine, new ConsistencyResolver(store, new ZookieCodec(config.tokenSecret()),
                config.quantization(), Clock.systemUTC()), config, new SimpleMeterRegistry());
        checks = new ProtoChecks(api.checks());
        store.createTenant(TENANT);
        api.schemaWrite(TENANT, new JsonObject().put("schema", SCHEMA));
        api.relationshipsWrite(TENANT, new JsonObject("{\"updates\":["
                + Requests.touch("doc", "readme", "viewer", "user", "alice") + ","
                + Requests.touch("group", "eng", "member", "user", "bob") + ","
                + Requests.touch("doc", "readme", "viewer", "group", "eng").replace("\"}}}}",
                        "\"},\"optionalRelation\":\"member\"}}}") + "]}"));
        inputs = 0;
    }

    private static void nextInput() {
        if (++inputs > INPUTS_PER_STORE) {
            fresh();
        }
    }

    @FuzzTest(maxDuration = "3m")
    void jsonBody_answeredOrRefusedAsClientError(byte[] data) {
        nextInput();
        String text = new String(data, 0, Math.min(data.length, MAX_INPUT_BYTES), StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String name = newline < 0 ? text : text.substring(0, newline);
        String body = newline < 0 ? "" : text.substring(newline + 1);
        BiConsumer<Api, JsonObject> method = JSON_METHODS.get(name.strip());
        if (method == null) {
            method = JSON_METHODS.get(JSON_NAMES.get(Math.floorMod(name.hashCode(), JSON_NAMES.size())));
        }
        BiConsumer<Api, JsonObject> call = method;
        answeredOrRefused(text, () -> call.accept(api, HttpHandlers.parse(body)));
    }

    @FuzzTest(maxDuration = "3m")
    void protobufMessage_answeredOrRefusedAsClientError(byte[] data) {
        if (data.length == 0) {
            return;
        }
        nextInput();
        byte[] message = Arrays.copyOfRange(data, 1, Math.min(data.length, MAX_INPUT_BYTES));
        int kind = Math.floorMod(data[0], 8);
        Runnable call;
        try {
            call = switch (kind) {
                case 0 -> call(CheckPermissionRequest.parseFrom(message), r -> checks.check(TENANT, r));
                case 1 -> call(CheckBulkPermissionsRequest.parseFrom(message), r -> checks.checkBulk(TENANT, r));
                case 2 -> call(WriteRelationshipsRequest.parseFrom(message),
                        r -> api.relationshipsWrite(TENANT, ProtoJson.toJson(r)));
                case 3 -> call(DeleteRelationshipsRequest.parseFrom(message),
                        r -> api.relationshipsDelete(TENANT, ProtoJson.toJson(r)));
                case 4 -> call(ReadRelationshipsRequest.parseFrom(message),
                        r -> api.relationshipsRead(TENANT, ProtoJson.toJson(r), line -> true));
                case 5 -> call(LookupResourcesRequest.parseFrom(message),
                        r -> api.lookupResources(TENANT, ProtoJson.toJson(r), line -> true));
                case 6 -> call(LookupSubjectsRequest.parseFrom(message),
                        r -> api.lookupSubjects(TENANT, ProtoJson.toJson(r), line -> true));
                default -> call(ExpandPermissionTreeRequest.parseFrom(message),
                        r -> api.expand(TENANT, ProtoJson.toJson(r)));
            };
        } catch (InvalidProtocolBufferException e) {
            return; // gRPC refuses what does not decode before any handler runs
        }
        answeredOrRefused("message " + kind, call);
    }

    private static <T> Runnable call(T request, java.util.function.Consumer<T> handler) {
        return () -> handler.accept(request);
    }

    private static void answeredOrRefused(String input, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            Errors.Status status = Errors.of(e);
            assertThat(status.http()).as("%s for %s", e, input).isLessThan(500);
            assertThat(status.message()).as("message for %s", input).isNotBlank();
            assertThat(status.message().length()).as("length of %s", status.message()).isLessThanOrEqualTo(
                    MAX_MESSAGE_CHARS);
        }
    }
}
