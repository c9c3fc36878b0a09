package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A check whose PostgreSQL read is held (a test transaction locks the relationships table)
 * ends at the store's read timeout with DEADLINE_EXCEEDED: HTTP 504 with SpiceDB's error body,
 * and the gRPC status, instead of waiting for the lock or answering 500; once the lock goes, the
 * same server answers checks again.
 */
class ReadTimeoutTest {

    private static final String KEY = "read-timeout-key";

    private HikariDataSource pool;
    private PostgresTupleStore store;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(4));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS.withReadTimeout(Duration.ofSeconds(1)));
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "timeout-" + UUID.randomUUID()),
                "read-timeout-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                // The engine's own deadline is far off: only the read timeout can end the check early.
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null), store, new PostgresApiKeys(store));
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

    private static Connection lockRelationships() throws Exception {
        Connection lock = TestDatabase.connect();
        lock.setAutoCommit(false);
        try (Statement s = lock.createStatement()) {
            s.execute("LOCK TABLE relation_tuples IN ACCESS EXCLUSIVE MODE");
        }
        return lock;
    }

    @Test
    void httpCheckHeldByTheDatabase_answers504AtTheReadTimeout() throws Exception {
        try (Connection lock = lockRelationships()) {
            long started = System.nanoTime();
            Reply held = server.post("/v1/permissions/check", check("held").encode(), KEY);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(held.status()).as(held.body()).isEqualTo(504);
            assertThat(held.json().getInteger("code")).isEqualTo(4);
            assertThat(held.json().getString("message")).contains("deadline");
            assertThat(millis).as("ended by the 1 s read timeout, not the 60 s deadline").isLessThan(15_000);
            lock.rollback();
        }
        Reply after = server.post("/v1/permissions/check", check("after").encode(), KEY);
        assertThat(after.status()).as(after.body()).isEqualTo(200);
    }

    @Test
    void grpcCheckHeldByTheDatabase_endsWithDeadlineExceeded() throws Exception {
        int grpcPort = server.startGrpc();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try (Connection lock = lockRelationships()) {
            PermissionsServiceGrpc.PermissionsServiceBlockingStub permissions = PermissionsServiceGrpc
                    .newBlockingStub(channel).withCallCredentials(new BearerToken(KEY));
            long started = System.nanoTime();
            assertThatThrownBy(() -> permissions.withDeadlineAfter(30, TimeUnit.SECONDS).checkPermission(grpcCheck("held")))
                    .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                        assertThat(e.getStatus().getDescription()).contains("datastore read");
                    });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(15_000);
            lock.rollback();
            assertThat(permissions.checkPermission(grpcCheck("after")).getPermissionship()).isNotNull();
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
