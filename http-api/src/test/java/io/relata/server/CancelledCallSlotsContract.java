package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request whose client goes away keeps its slots ({@link RequestQueue}, {@link KeyRequestLimit})
 * until its work ends: while the store holds every head-revision read (work that an interrupt does
 * not stop, as a JDBC call), a gRPC check cancelled by its deadline, and an HTTP check whose
 * connection is closed, still hold the key's one slot; so does a gRPC check cancelled while the
 * engine's relationship reads are held (its worker stops waiting, the engine's reads go on), so the key's next request is refused with
 * RESOURCE_EXHAUSTED; once the store answers, the key is served again. Run on both stores.
 */
abstract class CancelledCallSlotsContract {

    static final String KEY = "cancel-key";
    private static final String SCHEMA = "definition user {}\ndefinition doc {\n  relation viewer: user\n}";

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;

    /** A store of this kind, its head-revision reads not held. */
    protected abstract TupleStore newStore() throws Exception;

    /** Makes the store's head-revision reads wait (uninterruptibly) until {@link #release}. */
    protected abstract void hold() throws Exception;

    /** Makes the store's relationship reads (the engine's) wait until {@link #release}. */
    protected abstract void holdRelationships() throws Exception;

    /** Lets the held reads go on. */
    protected abstract void release() throws Exception;

    /** The API keys over {@code store}. */
    protected abstract io.relata.store.ApiKeys keys(TupleStore store);

    /** Closes what {@link #newStore} opened. */
    protected void closeStore(TupleStore store) {}

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "cancel-" + UUID.randomUUID()),
                "cancel-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null)
                .withOverload(new OverloadLimits(32, 256, Duration.ofSeconds(10), 1_000, 1)), store, keys(store));
        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), KEY);
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        release();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        closeStore(store);
    }

    @Test
    void grpcCallCancelledByItsDeadline_keepsItsSlotUntilItsWorkEnds() throws Exception {
        hold();
        Status first = grpcCheck(300);
        assertThat(first.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        // Its work still waits on the store: the key's one slot is still taken.
        Status second = grpcCheck(3_000);
        assertThat(second.getCode()).as(second.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(second.getDescription()).contains("--max-requests-per-key");
        Reply http = server.post("/v1/schema/read", "{}", KEY);
        assertThat(http.status()).as(http.body()).isEqualTo(429);
        release();
        assertServedAgain();
    }

    @Test
    void grpcCheckCancelledWhileTheEngineReads_keepsItsSlotUntilTheReadsEnd() throws Exception {
        holdRelationships();
        // The worker stops waiting at the deadline; the engine's read goes on.
        Status first = grpcCheck(300);
        assertThat(first.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        Status second = grpcCheck(3_000);
        assertThat(second.getCode()).as(second.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(second.getDescription()).contains("--max-requests-per-key");
        release();
        assertServedAgain();
    }

    @Test
    void httpRequestWhoseConnectionCloses_keepsItsSlotUntilItsWorkEnds() throws Exception {
        hold();
        int port = Integer.parseInt(server.base().substring(server.base().lastIndexOf(':') + 1));
        String body = checkJson().encode();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/permissions/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            awaitRefused();
        }
        // The connection is gone, its work is not: the slot stays taken.
        Thread.sleep(500);
        Reply again = server.post("/v1/schema/read", "{}", KEY);
        assertThat(again.status()).as(again.body()).isEqualTo(429);
        assertThat(grpcCheck(3_000).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        release();
        assertServedAgain();
    }

    /** Waits until a thread of the HTTP workers waits in the store's head-revision read. */
    private static void awaitRefused() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
                if (t.getKey().getName().startsWith("relata-api")) {
                    for (StackTraceElement frame : t.getValue()) {
                        if (frame.getMethodName().equals("headRevision")) {
                            return;
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the held request never reached the store");
    }

    private void assertServedAgain() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Reply reply;
        do {
            reply = server.post("/v1/schema/read", "{}", KEY);
            if (reply.status() == 200) {
                break;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < until);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(grpcCheck(10_000).getCode()).isEqualTo(Status.Code.OK);
    }

    private static JsonObject checkJson() {
        return new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d"))
                .put("permission", "viewer").put("subject", new JsonObject().put("object",
                        new JsonObject().put("objectType", "user").put("objectId", "ann")));
    }

    /** A fully consistent check (it reads the head revision) with a deadline; its status. */
    private Status grpcCheck(long deadlineMillis) {
        try {
            PermissionsServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(KEY))
                    .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).checkPermission(
                            CheckPermissionRequest.newBuilder()
                                    .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                                    .setResource(ObjectReference.newBuilder().setObjectType("doc").setObjectId("d"))
                                    .setPermission("viewer").setSubject(SubjectReference.newBuilder().setObject(
                                            ObjectReference.newBuilder().setObjectType("user").setObjectId("ann")))
                                    .build());
            return Status.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus();
        }
    }
}
