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
import io.relata.store.StoreOptions;
import io.relata.store.TestClock;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A check answered from the cache (on the transport's own thread, see
 * {@link CachedCheckServingTest}) still gets its request span in the caller's trace, with its
 * tenant and status, and no dispatch: nothing was computed.
 */
class CachedCheckTracesTest {

    private static final String SCHEMA = "definition user {}\ndefinition doc {\n  relation viewer: user\n"
            + "  permission view = viewer\n}";
    private static final String HTTP_SPAN = "POST /v1/permissions/check";
    private static final String GRPC_SPAN = "authzed.api.v1.PermissionsService/CheckPermission";

    private final String key = "cached-" + UUID.randomUUID();
    private OtlpReceiver receiver;
    private Tracing tracing;
    private MemoryTupleStore memory;
    private RelataServer relata;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        receiver = new OtlpReceiver();
        tracing = Tracing.exportingTo(receiver.endpoint(), "relata-test");
        // Written "in 2010" by the store's clock, read in a ten-year minimizeLatency window: the
        // window's revision holds every write and is known without the store once read.
        memory = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(new TestClock(Instant.parse("2010-01-01T00:00:00Z"))));
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(key, "cached"), "cached-test-secret-0123456789",
                Duration.ofDays(3650), 1 << 20, 100, EngineOptions.DEFAULTS, null);
        MemoryApiKeys keys = new MemoryApiKeys(memory);
        relata = new RelataServer(config, memory, keys, Authenticator.of(config, keys), tracing);
        server = TestServer.of(relata, relata.start().toCompletionStage().toCompletableFuture().get());
        memory.writeSchema("cached", SCHEMA);
        memory.write("cached", List.of(RelationshipUpdate.touch(Relationship.parse("doc:readme#viewer@user:alice"))));
    }

    @AfterEach
    void stop() {
        server.close();
        memory.close();
        receiver.close();
    }

    private static String[] caller() {
        String trace = UUID.randomUUID().toString().replace("-", "");
        String span = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new String[] {"00-" + trace + "-" + span + "-01", trace, span};
    }

    private String httpCheck(String traceparent) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.base() + "/v1/permissions/check"))
                .header("Authorization", "Bearer " + key).header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString("{\"consistency\":{\"minimizeLatency\":true},"
                        + "\"resource\":{\"objectType\":\"doc\",\"objectId\":\"readme\"},\"permission\":\"view\","
                        + "\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"alice\"}}}")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The trace's spans, once its request span has come. */
    private List<OtlpReceiver.Received> traceWith(String traceId, String requestSpan) throws InterruptedException {
        return receiver.await(tracing, traceId, spans -> spans.stream().anyMatch(s -> s.name().equals(requestSpan)));
    }

    private static void assertCachedRequest(List<OtlpReceiver.Received> spans, String name, String callerSpan) {
        assertThat(spans).as("the cached check's trace").filteredOn(s -> s.name().equals(name)).singleElement()
                .satisfies(s -> {
                    assertThat(s.parentSpanId()).isEqualTo(callerSpan);
                    assertThat(s.attributes()).containsEntry("relata.tenant", "cached");
                });
        assertThat(spans).as("nothing dispatched: the answer was cached")
                .noneMatch(s -> s.name().equals(OtelDispatchTracer.SPAN_NAME));
    }

    @Test
    void overHttp_aCachedCheckStillGetsItsRequestSpan() throws Exception {
        String[] first = caller();
        assertThat(httpCheck(first[0])).contains("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(traceWith(first[1], HTTP_SPAN)).as("the first check computes")
                .anyMatch(s -> s.name().equals(OtelDispatchTracer.SPAN_NAME));

        String[] cached = caller();
        assertThat(httpCheck(cached[0])).contains("PERMISSIONSHIP_HAS_PERMISSION");
        List<OtlpReceiver.Received> spans = traceWith(cached[1], HTTP_SPAN);
        assertCachedRequest(spans, HTTP_SPAN, cached[2]);
        assertThat(spans).filteredOn(s -> s.name().equals(HTTP_SPAN)).singleElement()
                .satisfies(s -> assertThat(s.attributes()).containsEntry("http.response.status_code", "200"));
    }

    @Test
    void overGrpc_aCachedCheckStillGetsItsRequestSpan() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", relata.startGrpc(0)).usePlaintext()
                .build();
        try {
            String[] first = caller();
            assertThat(grpcCheck(channel, first[0])).isEqualTo(
                    CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
            assertThat(traceWith(first[1], GRPC_SPAN)).as("the first check computes")
                    .anyMatch(s -> s.name().equals(OtelDispatchTracer.SPAN_NAME));

            String[] cached = caller();
            assertThat(grpcCheck(channel, cached[0])).isEqualTo(
                    CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
            List<OtlpReceiver.Received> spans = traceWith(cached[1], GRPC_SPAN);
            assertCachedRequest(spans, GRPC_SPAN, cached[2]);
            assertThat(spans).filteredOn(s -> s.name().equals(GRPC_SPAN)).singleElement()
                    .satisfies(s -> assertThat(s.attributes()).containsEntry("rpc.grpc.status_code", "0"));
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private CheckPermissionResponse.Permissionship grpcCheck(ManagedChannel channel, String traceparent) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent);
        return PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key))
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                .checkPermission(CheckPermissionRequest.newBuilder()
                        .setConsistency(Consistency.newBuilder().setMinimizeLatency(true))
                        .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("readme"))
                        .setPermission("view")
                        .setSubject(SubjectReference.newBuilder().setObject(ObjectReference.newBuilder()
                                .setObjectType("user").setObjectId("alice")))
                        .build()).getPermissionship();
    }
}
