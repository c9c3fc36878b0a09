package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.LookupResourcesRequest;
import com.authzed.api.v1.LookupResourcesResponse;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.grpcutil.BearerToken;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streams under {@link OverloadLimits}: a stream whose client stops reading is ended with a clear
 * error after the stall timeout (over HTTP and gRPC), and a tenant holding its every stream slot is
 * refused another with RESOURCE_EXHAUSTED (429) while other tenants stream on, until a slot is free.
 */
class StreamLimitsTest {

    private static final String KEY = "streams-key";
    private static final String OTHER = "streams-other-key";
    private static final int RESULTS = 50_000;
    private static final Duration STALL = Duration.ofMillis(1_500);

    private static MemoryTupleStore store;
    private static TestServer server;
    /** A second server over the same store whose streams wait long for their clients, and only 2 per tenant. */
    private static TestServer slots;
    private static int grpcPort;

    @BeforeAll
    static void start() throws Exception {
        store = new MemoryTupleStore();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Map.of(KEY, "streams", OTHER, "streams-other"),
                "streams-secret-0123456789", Duration.ZERO, 4 * 1024 * 1024, 100, EngineOptions.DEFAULTS, null);
        server = TestServer.start(config.withOverload(new OverloadLimits(32, 256, STALL, 1_000)), store,
                new MemoryApiKeys(store));
        slots = TestServer.start(config.withOverload(new OverloadLimits(2, 256, Duration.ofSeconds(60), 1_000)), store,
                new MemoryApiKeys(store));
        grpcPort = server.startGrpc();
        for (String key : new String[] {KEY, OTHER}) {
            ok(server.post("/v1/schema/write", new JsonObject().put("schema",
                    "definition user {}\ndefinition doc {\n  relation viewer: user\n  permission view = viewer\n}")
                    .encode(), key));
            StringBuilder ndjson = new StringBuilder();
            // The other tenant's lookups are short: one page will do.
            for (int page = 0; page < (key.equals(KEY) ? RESULTS / 5_000 : 1); page++) {
                JsonArray rows = new JsonArray();
                for (int i = page * 5_000; i < (page + 1) * 5_000; i++) {
                    rows.add(new JsonObject().put("resource", new JsonObject().put("objectType", "doc")
                            .put("objectId", "d" + i)).put("relation", "viewer").put("subject", new JsonObject()
                            .put("object", new JsonObject().put("objectType", "user").put("objectId", "ann"))));
                }
                ndjson.append(new JsonObject().put("relationships", rows).encode()).append('\n');
            }
            ok(server.post("/v1/relationships/importbulk", ndjson.toString(), key));
        }
    }

    @AfterAll
    static void stop() {
        slots.close();
        server.close();
        store.close();
    }

    private static void ok(Reply reply) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    private static String lookup(Integer limit) {
        JsonObject body = new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resourceObjectType", "doc").put("permission", "view").put("subject", new JsonObject()
                        .put("object", new JsonObject().put("objectType", "user").put("objectId", "ann")));
        return (limit == null ? body : body.put("optionalLimit", limit)).encode();
    }

    /** A lookup of every result sent on a raw socket with a small receive window, not read. */
    private static Socket unreadLookup(TestServer to, String key) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4 * 1024);
        s.connect(new InetSocketAddress("127.0.0.1", Integer.parseInt(to.base().replaceAll(".*:", ""))), 5_000);
        byte[] body = lookup(null).getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(("POST /v1/permissions/resources HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + key + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + body.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
        s.getOutputStream().flush();
        return s;
    }

    /** Everything the server sends until it closes the connection (at most 20 s). */
    private static String readAll(Socket s) throws IOException {
        s.setSoTimeout(20_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    /**
     * Waits until no stream's work runs any more: the server gave up on its unread streams (at most
     * 30 s, far more than the stall timeout and the time to fill the kernel's buffers).
     */
    private static void awaitGivenUp() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (TestServer.streamsRunning() > 0 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(TestServer.streamsRunning()).as("streams still running").isZero();
    }

    /**
     * Waits until {@code n} streams have been seen waiting for their clients to read at once (at most
     * 20 s); a stream may move on a little after that, whenever the kernel takes more of its bytes.
     */
    private static void awaitStalled(int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int seen = 0;
        while ((seen = Math.max(seen, TestServer.streamsWaitingForClients())) < n && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(seen).as("streams seen waiting for their clients at once").isEqualTo(n);
    }

    @Test
    void httpLookupWhoseClientStopsReading_endsWithAnErrorAfterTheStallTimeout() throws Exception {
        try (Socket s = unreadLookup(server, KEY)) {
            awaitStalled(1);
            // Each time the kernel's buffers take a little more the wait starts again; at last they are full.
            long stalled = System.nanoTime();
            awaitGivenUp();
            System.out.printf("HTTP stream given up %d ms after it first waited%n", (System.nanoTime() - stalled) / 1_000_000);
            String response = readAll(s);
            assertThat(count(response, "\"resourceObjectId\"")).as("results before the stall, %d bytes",
                    response.length()).isLessThan(RESULTS);
            assertThat(response).contains("{\"error\":{\"code\":10,\"message\":\"the client did not read the stream for "
                    + STALL.toMillis() + " ms; it was ended before its last result");
        }
        assertThat(TestServer.streamsWaitingForClients()).isZero();
    }

    @Test
    void aTenantAtItsStreamLimit_isRefusedAnother_whileOtherTenantsStream_untilASlotIsFree() throws Exception {
        try (Socket first = unreadLookup(slots, KEY); Socket second = unreadLookup(slots, KEY)) {
            awaitStalled(2);
            Reply refused = slots.post("/v1/permissions/resources", lookup(5), KEY);
            assertThat(refused.status()).as(refused.body()).isEqualTo(429);
            assertThat(refused.json().getInteger("code")).isEqualTo(8);
            assertThat(refused.json().getString("message")).isEqualTo("this tenant has 2 streams open (lookups, reads,"
                    + " exports and watches), the most it may; retry when one has ended");
            Reply read = slots.post("/v1/relationships/read", new JsonObject().put("relationshipFilter",
                    new JsonObject().put("resourceType", "doc")).put("optionalLimit", 3).encode(), KEY);
            assertThat(read.status()).as("a read is a stream too: %s", read.body()).isEqualTo(429);
            Reply other = slots.post("/v1/permissions/resources", lookup(5), OTHER);
            assertThat(other.status()).as(other.body()).isEqualTo(200);
            assertThat(other.lines()).hasSize(5);
            assertThat(slots.get("/metrics").body())
                    .containsPattern("relata_requests_refused_total\\{reason=\"streams_per_tenant\",?\\} [1-9]");
            // The clients read at last: their streams end, and give their slots back.
            assertThat(count(readAll(first), "\"resourceObjectId\"")).isEqualTo(RESULTS);
            assertThat(count(readAll(second), "\"resourceObjectId\"")).isEqualTo(RESULTS);
        }
        Reply again = slots.post("/v1/permissions/resources", lookup(5), KEY);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.lines()).hasSize(5);
    }

    @Test
    void grpcLookupWhoseClientStopsReading_endsWithAbortedAfterTheStallTimeout() throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        try {
            ClientCall<LookupResourcesRequest, LookupResourcesResponse> call = channel.newCall(
                    PermissionsServiceGrpc.getLookupResourcesMethod(),
                    CallOptions.DEFAULT.withCallCredentials(new BearerToken(KEY)));
            CompletableFuture<Status> closed = new CompletableFuture<>();
            AtomicInteger received = new AtomicInteger();
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(LookupResourcesResponse message) {
                    received.incrementAndGet();
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    closed.complete(status);
                }
            }, new Metadata());
            // One message asked for, and never another: the rest waits in flow control.
            call.request(1);
            call.sendMessage(LookupResourcesRequest.newBuilder()
                    .setConsistency(Consistency.newBuilder().setFullyConsistent(true))
                    .setResourceObjectType("doc").setPermission("view")
                    .setSubject(SubjectReference.newBuilder().setObject(
                            ObjectReference.newBuilder().setObjectType("user").setObjectId("ann"))).build());
            call.halfClose();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (TestServer.streamsRunning() == 0 && !closed.isDone() && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            awaitGivenUp();
            assertThat(received.get()).as("messages delivered while the client asked for one").isEqualTo(1);
            // The client reads again: what was sent before the stall, then the error.
            call.request(Integer.MAX_VALUE);
            Status status = closed.get(20, TimeUnit.SECONDS);
            assertThat(status.getCode()).as(String.valueOf(status)).isEqualTo(Status.Code.ABORTED);
            assertThat(status.getDescription()).startsWith("the client did not read the stream for " + STALL.toMillis()
                    + " ms; it was ended before its last result");
            assertThat(received.get()).isLessThan(RESULTS);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
