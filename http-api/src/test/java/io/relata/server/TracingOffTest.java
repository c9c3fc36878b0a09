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
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.relata.engine.EngineOptions;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --otel-endpoint} there are no traces and nothing of them on a request's path:
 * no tracing decorator, handler, interceptor or engine tracer is wired, work is handed on as it
 * is (no wrapper), and a check that carries a {@code traceparent} sends nothing anywhere, even
 * with the SDK's usual endpoint settings pointing at a receiver.
 */
class TracingOffTest {

    @Test
    void off_wiresNoDecoratorHandlerInterceptorOrEngineTracer() {
        MemoryTupleStore store = new MemoryTupleStore();
        Vertx vertx = Vertx.vertx();
        try {
            Router router = Router.router(vertx);
            assertThat(Tracing.OFF.on()).isFalse();
            assertThat(Tracing.OFF.traced(store, "memory")).isSameAs(store);
            assertThat(Tracing.OFF.dispatches()).isNull();
            assertThat(GrpcTracing.of(Tracing.OFF)).isNull();
            assertThat(HttpTracing.register(router, Tracing.OFF)).isNull();
            assertThat(router.getRoutes()).isEmpty();
            assertThat(new TraceOptions().open()).isSameAs(Tracing.OFF);
        } finally {
            vertx.close();
            store.close();
        }
    }

    @Test
    void serve_refusesAnEndpointThatIsNotAnHttpUrl_beforeItStarts() {
        Cli.Run run = Cli.run("serve", "--preshared-key", "k", "--port", "0", "--grpc-port", "0",
                "--otel-endpoint", "collector:4317");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).contains("--otel-endpoint").contains("http://").contains("collector:4317");
    }

    @Test
    void outsideATrace_workIsHandedOnUnwrapped_insideOneItIsWrapped() throws Exception {
        Callable<String> work = () -> "done";
        Runnable task = () -> {};
        assertThat(Tracing.propagating(work)).isSameAs(work);
        assertThat(Tracing.propagating(task)).isSameAs(task);
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Tracing on = Tracing.exportingTo(receiver.endpoint(), "relata-test");
            Span span = on.tracer().spanBuilder("request").startSpan();
            try (Scope ignored = span.makeCurrent()) {
                assertThat(Tracing.propagating(work)).isNotSameAs(work);
                assertThat(Tracing.propagating(task)).isNotSameAs(task);
            } finally {
                span.end();
                on.close();
            }
        }
    }

    @Test
    void off_aCheckWithATraceparentSendsNoSpans() throws Exception {
        String key = "off-" + UUID.randomUUID();
        String traceparent = "00-" + UUID.randomUUID().toString().replace("-", "") + "-00f067aa0ba902b7-01";
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            // What the SDK's autoconfiguration would read: the server must not pick it up.
            System.setProperty("otel.exporter.otlp.endpoint", receiver.endpoint());
            System.setProperty("otel.exporter.otlp.protocol", "http/protobuf");
            MemoryTupleStore store = new MemoryTupleStore();
            ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(key, "off"), "off-test-secret-0123456789",
                    Duration.ofSeconds(5), 1 << 20, 100, EngineOptions.DEFAULTS, null);
            MemoryApiKeys keys = new MemoryApiKeys(store);
            RelataServer relata = new RelataServer(config, store, keys, Authenticator.of(config, keys), Tracing.OFF);
            TestServer server = TestServer.of(relata, relata.start().toCompletionStage().toCompletableFuture().get());
            ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", relata.startGrpc(0)).usePlaintext()
                    .build();
            try {
                store.writeSchema("off", "definition user {}\ndefinition doc {\n  relation viewer: user\n}");
                store.write("off", List.of(RelationshipUpdate.touch(Relationship.parse("doc:readme#viewer@user:alice"))));
                java.net.http.HttpResponse<String> http = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base() + "/v1/permissions/check"))
                                .header("Authorization", "Bearer " + key).header("traceparent", traceparent)
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"consistency\":"
                                        + "{\"fullyConsistent\":true},\"resource\":{\"objectType\":\"doc\",\"objectId\":"
                                        + "\"readme\"},\"permission\":\"viewer\",\"subject\":{\"object\":"
                                        + "{\"objectType\":\"user\",\"objectId\":\"alice\"}}}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(http.body()).contains("PERMISSIONSHIP_HAS_PERMISSION");
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), traceparent);
                assertThat(PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(key))
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
                        .checkPermission(CheckPermissionRequest.newBuilder()
                                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("readme"))
                                .setPermission("viewer").setSubject(SubjectReference.newBuilder().setObject(
                                        ObjectReference.newBuilder().setObjectType("user").setObjectId("alice")))
                                .build()).getPermissionship())
                        .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
                // A tracing server sends its spans within a second (its batch delay); wait three.
                Thread.sleep(3_000);
                assertThat(receiver.requests()).as("nothing was sent to the receiver").isEmpty();
            } finally {
                System.clearProperty("otel.exporter.otlp.endpoint");
                System.clearProperty("otel.exporter.otlp.protocol");
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.close();
                store.close();
            }
        }
    }
}
