package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.CheckPermissionRequest;
import com.authzed.api.v1.Consistency;
import com.authzed.api.v1.ObjectReference;
import com.authzed.api.v1.PermissionsServiceGrpc;
import com.authzed.api.v1.SubjectReference;
import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchResponse;
import com.authzed.api.v1.WatchServiceGrpc;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch's poll is a request like any other: it takes a place in the request queue and one of its
 * key's request slots while it runs ({@link RequestQueue#tryEnter}). With a limit of one request per
 * key and the change log held by the store, a watch (HTTP or gRPC) whose poll waits on it holds its
 * key's slot, so the key's check is refused with RESOURCE_EXHAUSTED; once the change log answers,
 * the key is served again. Run on both stores.
 */
abstract class WatchPollSlotsContract {

    static final String KEY = "watch-poll-key";

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;

    /** A store of this kind, its change-log reads not held. */
    protected abstract TupleStore newStore() throws Exception;

    /** The API keys over {@code store}. */
    protected abstract ApiKeys keys(TupleStore store);

    /** Makes the store's change-log reads ({@code changesSince}) wait until {@link #release}. */
    protected abstract void hold() throws Exception;

    /** Lets the held reads go on. */
    protected abstract void release() throws Exception;

    /** Closes what {@link #newStore} opened. */
    protected void closeStore(TupleStore store) {}

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "watch-poll-" + UUID.randomUUID()),
                "watch-poll-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null)
                .withOverload(new OverloadLimits(32, 256, Duration.ofSeconds(10), 1_000, 1)), store, keys(store));
        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n  relation viewer: user\n}").encode(), KEY);
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
    void httpWatchPoll_takesItsKeysRequestSlot() throws Exception {
        HttpResponse<java.io.InputStream> watch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.base() + "/v1/watch")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(watch.statusCode()).isEqualTo(200);
        try (java.io.InputStream body = watch.body()) {
            assertPollHoldsTheKeysSlot();
        }
    }

    @Test
    void grpcWatchPoll_takesItsKeysRequestSlot() throws Exception {
        WatchServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(KEY)).watch(
                WatchRequest.getDefaultInstance(), new StreamObserver<WatchResponse>() {
                    @Override
                    public void onNext(WatchResponse value) {}

                    @Override
                    public void onError(Throwable t) {}

                    @Override
                    public void onCompleted() {}
                });
        Thread.sleep(1_000); // the watch starts and polls
        assertPollHoldsTheKeysSlot();
    }

    private void assertPollHoldsTheKeysSlot() throws Exception {
        // A poll holds the slot for a moment only: the key's checks are served between polls.
        awaitServed();
        hold();
        awaitThreadIn("changesSince");
        Status refused = check(5_000);
        assertThat(refused.getCode()).as(refused.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(refused.getDescription()).contains("--max-requests-per-key");
        release();
        awaitServed();
    }

    private void awaitServed() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Status again;
        while ((again = check(5_000)).getCode() != Status.Code.OK && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(again.getCode()).as(again.toString()).isEqualTo(Status.Code.OK);
    }

    /** Waits until a thread of this JVM runs a method named {@code method} (a frame of the store or the feed). */
    private static void awaitThreadIn(String method) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            for (StackTraceElement[] frames : Thread.getAllStackTraces().values()) {
                for (StackTraceElement frame : frames) {
                    if (frame.getMethodName().equals(method) && frame.getClassName().startsWith("io.relata")
                            || frame.getMethodName().equals(method) && frame.getClassName().contains("Proxy")) {
                        return;
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no thread reached " + method);
    }

    /** A fully consistent check of the key over gRPC; its status. */
    private Status check(long deadlineMillis) {
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
