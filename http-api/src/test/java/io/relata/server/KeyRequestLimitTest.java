package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.ReadSchemaRequest;
import com.authzed.api.v1.SchemaServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bound on one key's requests in flight ({@link KeyRequestLimit}), over real sockets and
 * both transports: while PostgreSQL holds reads (a test transaction locks the relationships
 * table), two checks of one key (one over HTTP, one over gRPC) use its two slots; its third
 * request on either transport is refused at once with RESOURCE_EXHAUSTED (HTTP 429) and counted,
 * while another key is served on both; once the checks are answered, the first key is served again.
 */
class KeyRequestLimitTest {

    private static final String BUSY = "busy-key";
    private static final String OTHER = "other-key";
    private static final String SCHEMA = "definition user {}\ndefinition doc {\n  relation viewer: user\n}";

    private final HttpClient http = HttpClient.newHttpClient();
    private HikariDataSource pool;
    private PostgresTupleStore store;
    private TestServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(8));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
        String suffix = UUID.randomUUID().toString();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(BUSY, "busy-" + suffix, OTHER,
                "other-" + suffix), "per-key-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null)
                .withOverload(new OverloadLimits(32, 256, Duration.ofSeconds(10), 1_000, 2)), store,
                new PostgresApiKeys(store));
        for (String key : new String[] {BUSY, OTHER}) {
            Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), key);
            assertThat(schema.status()).as(schema.body()).isEqualTo(200);
        }
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        store.close();
        pool.close();
    }

    @Test
    void aKeyAtItsLimit_isRefusedOnBothTransports_whileAnotherKeyIsServed() throws Exception {
        CompletableFuture<HttpResponse<String>> heldHttp;
        CompletableFuture<Status> heldGrpc = new CompletableFuture<>();
        try (Connection lock = TestDatabase.connect()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE relation_tuples IN ACCESS EXCLUSIVE MODE");
            }
            heldHttp = sendCheck("held-http", BUSY);
            PermissionsServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(BUSY))
                    .checkPermission(grpcCheck("held-grpc"), ending(heldGrpc));
            await("relata-api", 1);
            await("relata-grpc", 1);

            // Its third request, over HTTP: refused at once, whatever the route.
            long started = System.nanoTime();
            Reply refused = server.post("/v1/schema/read", "{}", BUSY);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.json().getInteger("code")).isEqualTo(8);
            assertThat(refused.json().getString("message")).isEqualTo("this API key already has 2 requests in"
                    + " flight, its limit (--max-requests-per-key); retry once some are answered");
            // ... and over gRPC.
            assertThatThrownBy(() -> SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(BUSY))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).readSchema(ReadSchemaRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode())
                            .isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

            // Another key is served meanwhile, on both transports.
            Reply other = server.post("/v1/schema/read", "{}", OTHER);
            assertThat(other.status()).as(other.body()).isEqualTo(200);
            assertThat(other.json().getString("schemaText")).contains("definition doc");
            assertThat(SchemaServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(OTHER))
                    .withDeadlineAfter(10, TimeUnit.SECONDS).readSchema(ReadSchemaRequest.getDefaultInstance())
                    .getSchemaText()).contains("definition doc");

            assertThat(server.get("/metrics").body())
                    .containsPattern("relata_requests_refused_total\\{reason=\"key_limit\",?\\} 2\\.0");
            lock.rollback();
        }
        HttpResponse<String> held = heldHttp.get(30, TimeUnit.SECONDS);
        assertThat(held.statusCode()).as(held.body()).isEqualTo(200);
        assertThat(heldGrpc.get(30, TimeUnit.SECONDS).isOk()).isTrue();
        // Its slots are back once its requests are answered.
        Reply again = server.post("/v1/schema/read", "{}", BUSY);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
    }

    private CompletableFuture<HttpResponse<String>> sendCheck(String doc, String key) {
        JsonObject check = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", doc)).put("permission", "viewer")
                .put("subject", new JsonObject().put("object", new JsonObject().put("objectType", "user")
                        .put("objectId", "ann")));
        return http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "/v1/permissions/check"))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(check.encode())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static CheckPermissionRequest grpcCheck(String doc) {
        return CheckPermissionRequest.newBuilder().setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId(doc)).setPermission("viewer")
                .setSubject(SubjectReference.newBuilder().setObject(
                        ObjectReference.newBuilder().setObjectType("user").setObjectId("ann"))).build();
    }

    private static StreamObserver<CheckPermissionResponse> ending(CompletableFuture<Status> status) {
        return new StreamObserver<>() {
            @Override
            public void onNext(CheckPermissionResponse value) {}

            @Override
            public void onError(Throwable t) {
                status.complete(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                status.complete(Status.OK);
            }
        };
    }

    /** Threads of this JVM (the server's) whose name starts with {@code prefix} and that wait in a check. */
    private static int checksWaiting(String prefix) {
        int waiting = 0;
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            if (!t.getKey().getName().startsWith(prefix)) {
                continue;
            }
            for (StackTraceElement frame : t.getValue()) {
                if (frame.getClassName().equals(Checks.class.getName()) && frame.getMethodName().equals("check")) {
                    waiting++;
                    break;
                }
            }
        }
        return waiting;
    }

    private static void await(String prefix, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (checksWaiting(prefix) < n && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(checksWaiting(prefix)).as("checks of the busy key holding a worker").isEqualTo(n);
    }
}
