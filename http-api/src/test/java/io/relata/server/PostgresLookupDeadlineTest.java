package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import com.zaxxer.hikari.HikariDataSource;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
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
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over both transports, the lookups a request makes before its relationships are bounded by the
 * read timeout (here 1 s, as {@code --request-timeout} sets it): a fully consistent check whose head
 * revision is held by a lock answers 504 / DEADLINE_EXCEEDED with a retry hint, a running watch
 * whose change-log read is held ends with a final error line of code 4, and once the lock goes the
 * pool's connections serve again.
 */
class PostgresLookupDeadlineTest {

    private static final String KEY = "lookup-deadline-key";

    private HikariDataSource pool;
    private PostgresTupleStore store;
    private TestServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(2));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS.withReadTimeout(Duration.ofSeconds(1)));
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "lookup-" + UUID.randomUUID()),
                "lookup-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(1)), null), store, new PostgresApiKeys(store));
        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n  relation viewer: user\n}").encode(), KEY);
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
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
    void headRevisionHeldByALock_answersDeadlineExceededWithARetryHint_onBothTransports() throws Exception {
        String check = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d"))
                .put("permission", "viewer").put("subject", new JsonObject().put("object",
                        new JsonObject().put("objectType", "user").put("objectId", "ann"))).encode();
        try (Connection locker = lock("tenant_revisions")) {
            long started = System.nanoTime();
            HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.base() + "/v1/permissions/check")).header("Authorization", "Bearer " + KEY)
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(check)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(10_000);
            assertThat(http.statusCode()).as(http.body()).isEqualTo(504);
            assertThat(new JsonObject(http.body()).getInteger("code")).isEqualTo(4);
            assertThat(new JsonObject(http.body()).getString("message")).contains("retry");

            StatusRuntimeException grpc = null;
            try {
                PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(KEY))
                        .withDeadlineAfter(20, TimeUnit.SECONDS).checkPermission(CheckPermissionRequest.newBuilder()
                                .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                                .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d"))
                                .setPermission("viewer").setSubject(SubjectReference.newBuilder().setObject(
                                        ObjectReference.newBuilder().setObjectType("user").setObjectId("ann")))
                                .build());
            } catch (StatusRuntimeException e) {
                grpc = e;
            }
            assertThat(grpc).as("refused while the lock is held").isNotNull();
            assertThat(grpc.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
            assertThat(grpc.getStatus().getDescription()).contains("retry");
        }
        // Both connections of the pool serve again.
        for (int i = 0; i < 4; i++) {
            Reply again = server.post("/v1/permissions/check", check, KEY);
            assertThat(again.status()).as(again.body()).isEqualTo(200);
        }
    }

    @Test
    void watchWhoseChangeLogReadIsHeld_endsWithADeadlineError() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> watch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.base() + "/v1/watch")).header("Authorization", "Bearer " + KEY)
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(watch.statusCode()).isEqualTo(200);
        JsonObject last;
        try (Connection locker = lock("revisions")) {
            last = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                JsonObject seen = null;
                Iterator<String> lines = watch.body().iterator();
                while (lines.hasNext()) {
                    String line = lines.next();
                    if (!line.isBlank()) {
                        seen = new JsonObject(line);
                        if (seen.containsKey("error")) {
                            break;
                        }
                    }
                }
                return seen;
            }).get(20, TimeUnit.SECONDS);
        }
        assertThat(last).as("the watch's last line").isNotNull();
        assertThat(last.getJsonObject("error").getInteger("code")).isEqualTo(4);
        // Timed-out polls skip their ticks; past the stall timeout the watch ends, saying how to go on.
        assertThat(last.getJsonObject("error").getString("message")).contains("watch again from the last changesThrough");
        Reply again = server.post("/v1/schema/read", "{}", KEY);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
    }

    private static Connection lock(String table) throws Exception {
        Connection locker = TestDatabase.connect();
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
            s.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
        return locker;
    }
}
