package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.CheckPermissionResponse;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded queue in front of each transport's workers ({@link RequestQueue}): while PostgreSQL
 * holds every read (a test transaction holds an exclusive lock on the relationships table), the
 * checks that fill the workers wait, and with no room left in the queue one more check is refused
 * at once with RESOURCE_EXHAUSTED (HTTP 429 with SpiceDB's error body) and counted, instead of
 * waiting behind them; once the database answers, the waiting checks are answered.
 */
class RequestQueueTest {

    private static final String KEY = "queue-key";

    private final HttpClient http = HttpClient.newHttpClient();
    private HikariDataSource pool;
    private PostgresTupleStore store;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(24));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "queue-" + UUID.randomUUID()),
                "queue-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                // Checks held behind the lock must outlast it however slowly the machine fills the workers.
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null)
                .withOverload(new OverloadLimits(32, 256, Duration.ofSeconds(10), 0)), store, new PostgresApiKeys(store));
        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n  relation viewer: user\n}").encode(), KEY);
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
        pool.close();
    }

    private static JsonObject check(String doc) {
        return new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", doc)).put("permission", "viewer")
                .put("subject", new JsonObject().put("object", new JsonObject().put("objectType", "user")
                        .put("objectId", "ann")));
    }

    private CompletableFuture<HttpResponse<String>> sendCheck(String doc) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(server.base() + "/v1/permissions/check"))
                .header("Authorization", "Bearer " + KEY).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(check(doc).encode())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Threads of this JVM (the server's) that wait in a check for the engine. */
    private static int checksWaiting(String threadPrefix) {
        int waiting = 0;
        for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            if (!t.getKey().getName().startsWith(threadPrefix)) {
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

    private static void await(String threadPrefix, int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (checksWaiting(threadPrefix) < n && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(checksWaiting(threadPrefix)).as("checks holding a worker").isEqualTo(n);
    }

    @Test
    void httpWorkersBusy_andNoRoomInTheQueue_oneMoreCheckIsRefusedAtOnceWith429() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        try (Connection lock = TestDatabase.connect()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE relation_tuples IN ACCESS EXCLUSIVE MODE");
            }
            for (int i = 0; i < RelataServer.WORKERS; i++) {
                held.add(sendCheck("held" + i));
            }
            await("relata-api", RelataServer.WORKERS);
            long started = System.nanoTime();
            Reply refused = server.post("/v1/permissions/check", check("one-more").encode(), KEY);
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.json().getInteger("code")).isEqualTo(8);
            assertThat(refused.json().getString("message")).isEqualTo("the server is at capacity: 16 requests are"
                    + " running and 0 waiting; retry shortly");
            assertThat(refused.json().getJsonArray("details")).isNotNull();
            assertThat(millis).as("refused without waiting for a worker").isLessThan(2_000);
            assertThat(server.get("/metrics").body())
                    .containsPattern("relata_requests_refused_total\\{reason=\"queue_full\",?\\} 1\\.0");
            lock.rollback();
        }
        for (CompletableFuture<HttpResponse<String>> answer : held) {
            HttpResponse<String> r = answer.get(30, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        Reply after = server.post("/v1/permissions/check", check("after").encode(), KEY);
        assertThat(after.status()).as("room again once the workers are free: %s", after.body()).isEqualTo(200);
    }

    @Test
    void grpcWorkersBusy_andNoRoomInTheQueue_oneMoreCheckIsRefusedWithResourceExhausted() throws Exception {
        int grpcPort = server.startGrpc();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        int workers = 32;
        ConcurrentLinkedQueue<Status> statuses = new ConcurrentLinkedQueue<>();
        CountDownLatch ended = new CountDownLatch(workers + 1);
        try (Connection lock = TestDatabase.connect()) {
            lock.setAutoCommit(false);
            try (Statement s = lock.createStatement()) {
                s.execute("LOCK TABLE relation_tuples IN ACCESS EXCLUSIVE MODE");
            }
            PermissionsServiceGrpc.PermissionsServiceStub permissions = PermissionsServiceGrpc.newStub(channel)
                    .withCallCredentials(new BearerToken(KEY));
            StreamObserver<CheckPermissionResponse> observer = new StreamObserver<>() {
                @Override
                public void onNext(CheckPermissionResponse value) {}

                @Override
                public void onError(Throwable t) {
                    statuses.add(Status.fromThrowable(t));
                    ended.countDown();
                }

                @Override
                public void onCompleted() {
                    statuses.add(Status.OK);
                    ended.countDown();
                }
            };
            for (int i = 0; i < workers; i++) {
                permissions.checkPermission(grpcCheck("held" + i), observer);
            }
            await("relata-grpc", workers);
            permissions.checkPermission(grpcCheck("one-more"), observer);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (statuses.isEmpty() && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(statuses).as("answered while the workers are held").hasSize(1);
            Status refused = statuses.peek();
            assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(refused.getDescription()).isEqualTo("the server is at capacity: 32 requests are running and 0"
                    + " waiting; retry shortly");
            lock.rollback();
            assertThat(ended.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(statuses.stream().filter(Status::isOk).count()).isEqualTo(workers);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static CheckPermissionRequest grpcCheck(String doc) {
        return CheckPermissionRequest.newBuilder().setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId(doc)).setPermission("viewer")
                .setSubject(SubjectReference.newBuilder().setObject(
                        ObjectReference.newBuilder().setObjectType("user").setObjectId("ann"))).build();
    }
}
