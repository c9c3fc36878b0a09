package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.relata.engine.EngineOptions;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Traces of one check, received by a real OTLP/HTTP endpoint from the real exporter: the request
 * span (HTTP or gRPC) in the caller's trace (W3C {@code traceparent}), the engine's dispatch
 * spans under it and the store's query spans under those, named for the statement and carrying
 * no parameter. Runs against every store through {@link #newStore()}.
 */
abstract class TracesContract {

    /** A store over the implementation's storage. */
    protected abstract TupleStore newStore();

    /** The kind of datastore the store spans name. */
    protected abstract String system();

    private static final String SCHEMA = """
            definition user {}
            definition group {
                relation member: user
            }
            definition doc {
                relation viewer: user | group#member
                permission view = viewer
            }
            """;
    private static final SecureRandom RANDOM = new SecureRandom();

    private OtlpReceiver receiver;
    private Tracing tracing;
    private TupleStore store;
    private RelataServer relata;
    private TestServer server;
    private String key;
    /** Ids no span may carry: they are the check's parameters. */
    private String doc;
    private String group;
    private String user;

    @BeforeEach
    void start() throws Exception {
        receiver = new OtlpReceiver();
        tracing = Tracing.exportingTo(receiver.endpoint(), "relata-test");
        key = "traces-" + UUID.randomUUID();
        String tenant = "traces-" + UUID.randomUUID();
        store = newStore();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(key, tenant), "traces-test-secret-0123456789",
                Duration.ofSeconds(5), 1 << 20, 100, EngineOptions.DEFAULTS, null);
        MemoryApiKeys keys = new MemoryApiKeys(store);
        relata = new RelataServer(config, store, keys, Authenticator.of(config, keys), tracing);
        server = TestServer.of(relata, relata.start().toCompletionStage().toCompletableFuture().get());
        doc = "doc" + UUID.randomUUID().toString().replace("-", "");
        group = "grp" + UUID.randomUUID().toString().replace("-", "");
        user = "usr" + UUID.randomUUID().toString().replace("-", "");
        store.writeSchema(tenant, SCHEMA);
        store.write(tenant, List.of(
                RelationshipUpdate.touch(Relationship.parse("doc:" + doc + "#viewer@group:" + group + "#member")),
                RelationshipUpdate.touch(Relationship.parse("group:" + group + "#member@user:" + user))));
    }

    @AfterEach
    void stop() {
        server.close(); // closes the tracing too
        receiver.close();
    }

    /** A caller's W3C trace context: {@code [traceparent, trace id, span id]}. */
    private static String[] callerTrace() {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        RANDOM.nextBytes(trace);
        RANDOM.nextBytes(span);
        trace[0] |= 1; // never all zeros (invalid)
        span[0] |= 1;
        String traceId = HexFormat.of().formatHex(trace);
        String spanId = HexFormat.of().formatHex(span);
        return new String[] {"00-" + traceId + "-" + spanId + "-01", traceId, spanId};
    }

    private static Predicate<List<OtlpReceiver.Received>> hasSpanNamed(String name) {
        return spans -> spans.stream().anyMatch(s -> s.name().equals(name));
    }

    /**
     * The request span, the dispatch spans and the store spans of {@code spans} are linked as
     * request → dispatch (→ dispatch) → store query, and none carries the check's ids.
     */
    private void assertOneTraceOfACheck(List<OtlpReceiver.Received> spans, String requestName, String callerSpanId) {
        Optional<OtlpReceiver.Received> request = spans.stream().filter(s -> s.name().equals(requestName)).findFirst();
        assertThat(request).as("the request span, in %s", spans).isPresent();
        assertThat(request.get().parentSpanId()).as("the request span's parent is the caller's span")
                .isEqualTo(callerSpanId);
        assertThat(request.get().kind()).isEqualTo("SPAN_KIND_SERVER");
        assertThat(request.get().serviceName()).isEqualTo("relata-test");
        assertThat(request.get().attributes()).containsKey("relata.tenant");

        List<OtlpReceiver.Received> dispatches = spans.stream()
                .filter(s -> s.name().equals(OtelDispatchTracer.SPAN_NAME)).toList();
        assertThat(dispatches).as("the engine's dispatches").isNotEmpty();
        assertThat(dispatches).as("the check's own question is dispatched under the request span")
                .anyMatch(d -> d.parentSpanId().equals(request.get().spanId())
                        && "doc".equals(d.attributes().get("relata.dispatch.resource_type"))
                        && "view".equals(d.attributes().get("relata.dispatch.relation")));
        List<String> dispatchIds = dispatches.stream().map(OtlpReceiver.Received::spanId).toList();
        assertThat(dispatches).as("group#member is dispatched under the dispatch that reached it")
                .anyMatch(d -> "member".equals(d.attributes().get("relata.dispatch.relation"))
                        && dispatchIds.contains(d.parentSpanId()));

        List<OtlpReceiver.Received> reads = spans.stream().filter(s -> s.name().equals("relationships.subjects")).toList();
        assertThat(reads).as("the store's relationship reads").isNotEmpty();
        assertThat(reads).as("each relationship read is made inside a dispatch")
                .allMatch(r -> dispatchIds.contains(r.parentSpanId()));
        for (OtlpReceiver.Received read : reads) {
            assertThat(read.kind()).isEqualTo("SPAN_KIND_CLIENT");
            assertThat(read.attributes()).containsEntry("db.operation.name", "relationships.subjects")
                    .containsEntry("db.system.name", system());
        }
        for (OtlpReceiver.Received span : spans) {
            String shown = span.name() + " " + span.attributes();
            assertThat(shown).as("no span carries the check's ids or the key").doesNotContain(doc)
                    .doesNotContain(group).doesNotContain(user).doesNotContain(key);
        }
    }

    private String checkBody(String consistency) {
        return "{\"consistency\":{" + consistency + "},\"resource\":{\"objectType\":\"doc\",\"objectId\":\"" + doc
                + "\"},\"permission\":\"view\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\""
                + user + "\"}}}";
    }

    @Test
    void httpCheck_sendsRequestEngineAndStoreSpansInTheCallersTrace_andLogsTheTraceId() throws Exception {
        String[] caller = callerTrace();
        PrintStream err = System.err;
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        HttpResponse<String> answer;
        List<OtlpReceiver.Received> spans;
        System.setErr(new PrintStream(logged, true, StandardCharsets.UTF_8));
        try {
            answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base()
                    + "/v1/permissions/check")).header("Authorization", "Bearer " + key)
                    .header("traceparent", caller[0]).POST(HttpRequest.BodyPublishers.ofString(
                            checkBody("\"fullyConsistent\":true"))).build(), HttpResponse.BodyHandlers.ofString());
            spans = receiver.await(tracing, caller[1], hasSpanNamed("POST /v1/permissions/check"));
            // The line is written by the access log's own thread, shortly after the answer.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!logged.toString(StandardCharsets.UTF_8).contains("POST /v1/permissions/check 200")
                    && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        } finally {
            System.setErr(err);
        }
        assertThat(answer.body()).contains("PERMISSIONSHIP_HAS_PERMISSION");
        assertOneTraceOfACheck(spans, "POST /v1/permissions/check", caller[2]);
        OtlpReceiver.Received request = spans.stream().filter(s -> s.name().equals("POST /v1/permissions/check"))
                .findFirst().orElseThrow();
        assertThat(request.attributes()).containsEntry("http.request.method", "POST")
                .containsEntry("http.route", "/v1/permissions/check").containsEntry("http.response.status_code", "200");
        String line = logged.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("POST /v1/permissions/check 200")).findFirst().orElse("");
        assertThat(line).as("the access log line").contains("relata.access")
                .contains("trace_id=" + caller[1]).contains("span_id=" + request.spanId())
                // Written off the event loop (slf4j-simple names the thread that logged it).
                .contains("[relata-access-log]").doesNotContain("eventloop");
    }

    @Test
    void grpcCheck_sendsRequestEngineAndStoreSpansInTheCallersTrace() throws Exception {
        String[] caller = callerTrace();
        int port = relata.startGrpc(0);
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), caller[0]);
            CheckPermissionResponse answer = PermissionsServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(new BearerToken(key))
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                    .checkPermission(CheckPermissionRequest.newBuilder()
                            .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                            .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId(doc))
                            .setPermission("view")
                            .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                                    .setObjectType("user").setObjectId(user)))
                            .build());
            assertThat(answer.getPermissionship())
                    .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        String name = "authzed.api.v1.PermissionsService/CheckPermission";
        List<OtlpReceiver.Received> spans = receiver.await(tracing, caller[1], hasSpanNamed(name));
        assertOneTraceOfACheck(spans, name, caller[2]);
        assertThat(spans.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().attributes())
                .containsEntry("rpc.system", "grpc").containsEntry("rpc.service", "authzed.api.v1.PermissionsService")
                .containsEntry("rpc.method", "CheckPermission").containsEntry("rpc.grpc.status_code", "0");
    }

    @Test
    void requestWithoutTraceparent_startsATraceOfItsOwn() throws Exception {
        TestServer.Reply answer = server.post("/v1/permissions/check", checkBody("\"fullyConsistent\":true"), key);
        assertThat(answer.body()).contains("PERMISSIONSHIP_HAS_PERMISSION");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Optional<OtlpReceiver.Received> request = Optional.empty();
        while (request.isEmpty() && System.nanoTime() < until) {
            tracing.flush(Duration.ofSeconds(5));
            request = receiver.spans().stream().filter(s -> s.name().equals("POST /v1/permissions/check")).findFirst();
            Thread.sleep(100);
        }
        assertThat(request).isPresent();
        assertThat(request.get().parentSpanId()).as("a root span").isEmpty();
        assertOneTraceOfACheck(receiver.await(tracing, request.get().traceId(), s -> true),
                "POST /v1/permissions/check", "");
    }
}
