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
import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.TestClock;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A check whose answer is cached is answered by the transport's own thread: with every
 * worker of the transport held (each by a fullyConsistent check waiting on the store), a
 * cached minimizeLatency check still answers, over HTTP and over gRPC, and the held checks
 * answer once the store lets them.
 */
class CachedCheckServingTest {

    private static final String SCHEMA = "definition user {}\ndefinition doc {\n  relation viewer: user\n"
            + "  permission view = viewer\n}";
    /** Workers of each transport (RelataServer's HTTP pool, GrpcServer's pool). */
    private static final int HTTP_WORKERS = 16;
    private static final int GRPC_WORKERS = 32;

    private final String key = "serving-" + UUID.randomUUID();
    /** While shut, the store's head revision waits for the gate. */
    private volatile boolean shut;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final Semaphore held = new Semaphore(0);
    private TupleStore memory;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        // Written "in 2010" by the store's clock: the server's minimizeLatency window (ten years,
        // by the real clock) starts after every write, so its revision holds them all and is
        // known for the whole test once read.
        memory = new MemoryTupleStore(StoreOptions.DEFAULTS.withClock(new TestClock(Instant.parse("2010-01-01T00:00:00Z"))));
        TupleStore store = (TupleStore) Proxy.newProxyInstance(TupleStore.class.getClassLoader(),
                new Class<?>[] {TupleStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("headRevision") && shut) {
                        held.release();
                        gate.await(60, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, "serving"), "serving-test-secret-0123456789",
                Duration.ofDays(3650), 1 << 20, 100, EngineOptions.DEFAULTS, null), store, new MemoryApiKeys(memory));
        memory.createTenant("serving");
        memory.writeSchema("serving", SCHEMA);
        memory.write("serving", List.of(io.relata.store.RelationshipUpdate.touch(
                io.relata.store.Relationship.parse("doc:readme#viewer@user:alice"))));
    }

    @AfterEach
    void stop() {
        gate.countDown();
        server.close();
        memory.close();
    }

    private static String check(String consistency, String user) {
        return "{\"consistency\":{" + consistency + "},\"resource\":{\"objectType\":\"doc\",\"objectId\":\"readme\"},"
                + "\"permission\":\"view\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}";
    }

    private CompletableFuture<HttpResponse<String>> post(HttpClient http, String body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "/v1/permissions/check"))
                .header("Authorization", "Bearer " + key).header("content-type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void overHttp_aCachedCheckAnswers_whileEveryWorkerIsHeld() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String cached = check("\"minimizeLatency\":true", "alice");
        assertThat(post(http, cached).get().body()).contains("PERMISSIONSHIP_HAS_PERMISSION");

        shut = true;
        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        for (int i = 0; i < HTTP_WORKERS; i++) {
            holding.add(post(http, check("\"fullyConsistent\":true", "alice")));
        }
        assertThat(held.tryAcquire(HTTP_WORKERS, 30, TimeUnit.SECONDS)).as("every worker waits on the store").isTrue();

        HttpResponse<String> answer = post(http, cached).get(20, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).contains("PERMISSIONSHIP_HAS_PERMISSION").contains("checkedAt");
        assertThat(holding).allMatch(f -> !f.isDone());

        shut = false;
        gate.countDown();
        for (CompletableFuture<HttpResponse<String>> f : holding) {
            assertThat(f.get(30, TimeUnit.SECONDS).body()).contains("PERMISSIONSHIP_HAS_PERMISSION");
        }
    }

    @Test
    void overGrpc_aCachedCheckAnswers_whileEveryWorkerIsHeld() throws Exception {
        int port = server.startGrpc();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            PermissionsServiceGrpc.PermissionsServiceFutureStub permissions = PermissionsServiceGrpc.newFutureStub(channel)
                    .withCallCredentials(new BearerToken(key));
            CheckPermissionRequest cached = CheckPermissionRequest.newBuilder()
                    .setConsistency(Consistency.newBuilder().setMinimizeLatency(true))
                    .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("readme"))
                    .setPermission("view").setSubject(SubjectReference.newBuilder().setObject(
                            ObjectReference.newBuilder().setObjectType("user").setObjectId("alice"))).build();
            assertThat(permissions.checkPermission(cached).get(30, TimeUnit.SECONDS).getPermissionship())
                    .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);

            CheckPermissionRequest fresh = cached.toBuilder()
                    .setConsistency(Consistency.newBuilder().setFullyConsistent(true)).build();
            shut = true;
            List<com.google.common.util.concurrent.ListenableFuture<CheckPermissionResponse>> holding = new ArrayList<>();
            for (int i = 0; i < GRPC_WORKERS; i++) {
                holding.add(permissions.checkPermission(fresh));
            }
            assertThat(held.tryAcquire(GRPC_WORKERS, 30, TimeUnit.SECONDS)).as("every worker waits on the store").isTrue();

            CheckPermissionResponse answer = permissions.checkPermission(cached).get(20, TimeUnit.SECONDS);
            assertThat(answer.getPermissionship())
                    .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
            assertThat(answer.getCheckedAt().getToken()).isNotEmpty();
            assertThat(holding).allMatch(f -> !f.isDone());

            shut = false;
            gate.countDown();
            for (var f : holding) {
                assertThat(f.get(30, TimeUnit.SECONDS).getPermissionship())
                        .isEqualTo(CheckPermissionResponse.Permissionship.PERMISSIONSHIP_HAS_PERMISSION);
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
