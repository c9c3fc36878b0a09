package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchResponse;
import com.authzed.api.v1.WatchServiceGrpc;
import com.authzed.grpcutil.BearerToken;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch whose polls find no request slot for longer than the stall timeout ends, saying why,
 * rather than lag without end: with one request per key, two watches of the key, and the change
 * log held by the store, one watch's poll holds the key's slot and the other's polls are refused;
 * after the stall timeout (1 s here) that one ends with RESOURCE_EXHAUSTED (gRPC) or a last error
 * line (HTTP) naming {@code --max-requests-per-key}.
 */
class MemoryWatchRefusedPollsTest {

    static final String KEY = "watch-refused-key";

    private volatile CountDownLatch gate = new CountDownLatch(0);
    private TestServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        MemoryTupleStore memory = new MemoryTupleStore(StoreOptions.DEFAULTS);
        TupleStore store = (TupleStore) Proxy.newProxyInstance(TupleStore.class.getClassLoader(),
                new Class<?>[] {TupleStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("changesSince")) {
                        gate.await(60, TimeUnit.SECONDS);
                    }
                    try {
                        return method.invoke(memory, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "watch-refused-" + UUID.randomUUID()),
                "watch-refused-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null)
                .withOverload(new OverloadLimits(32, 256, Duration.ofSeconds(1), 1_000, 1)), store, new MemoryApiKeys(memory));
        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n  relation viewer: user\n}").encode(), KEY);
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        gate.countDown();
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void httpWatch_refusedPastTheStallTimeout_endsWithAnErrorLine() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        for (int started = 0, tries = 0; started < 2 && tries < 20; tries++) {
            HttpResponse<java.io.InputStream> watch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.base() + "/v1/watch")).header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofInputStream());
            if (watch.statusCode() == 429) {
                // refused while the other watch's poll held the key's one slot: start again
                watch.body().close();
                continue;
            }
            assertThat(watch.statusCode()).isEqualTo(200);
            started++;
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the stream was closed
                }
            });
            reader.setDaemon(true);
            reader.start();
        }
        Thread.sleep(500); // both watches poll
        gate = new CountDownLatch(1);
        String line;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            line = lines.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
        } while (line != null && !line.contains("\"error\""));
        assertThat(line).as("a watch refused for 20 s").isNotNull();
        JsonObject error = new JsonObject(line).getJsonObject("error");
        assertThat(error.getInteger("code")).as(line).isEqualTo(8);
        assertThat(error.getString("message")).contains("--max-requests-per-key").contains("changesThrough");
    }

    @Test
    void grpcWatch_refusedPastTheStallTimeout_endsWithResourceExhausted() throws Exception {
        BlockingQueue<Status> ended = new LinkedBlockingQueue<>();
        for (int started = 0, tries = 0; started < 2 && tries < 20; tries++) {
            WatchServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(KEY)).watch(
                    WatchRequest.getDefaultInstance(), new StreamObserver<WatchResponse>() {
                        @Override
                        public void onNext(WatchResponse value) {}

                        @Override
                        public void onError(Throwable t) {
                            ended.add(Status.fromThrowable(t));
                        }

                        @Override
                        public void onCompleted() {
                            ended.add(Status.OK);
                        }
                    });
            // A start can be refused while the other watch's poll holds the key's one slot: start again.
            Status refusedStart = ended.poll(500, TimeUnit.MILLISECONDS);
            if (refusedStart == null) {
                started++;
            }
        }
        assertThat(ended).isEmpty();
        gate = new CountDownLatch(1);
        Status status = ended.poll(20, TimeUnit.SECONDS);
        assertThat(status).as("a watch refused for 20 s").isNotNull();
        assertThat(status.getCode()).as(status.toString()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).contains("--max-requests-per-key").contains("changesThrough");
    }
}
