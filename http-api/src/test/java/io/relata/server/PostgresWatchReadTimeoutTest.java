package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.authzed.api.v1.WatchRequest;
import com.authzed.api.v1.WatchResponse;
import com.authzed.api.v1.WatchServiceGrpc;
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
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A watch poll whose change-log read hits the read timeout (1 s here) skips that tick rather than
 * end the watch: while a transaction outside the pool holds {@code revisions} exclusively for
 * 2.5 s, polls time out (in the database); once the lock goes, the watch (HTTP and gRPC) is still
 * open and receives the next write. The stall timeout is 10 s, well past the lock.
 */
class PostgresWatchReadTimeoutTest {

    static final String KEY = "watch-timeout-key";

    private HikariDataSource pool;
    private PostgresTupleStore store;
    private TestServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        pool = PostgresTupleStore.pool(TestDatabase.config().withPoolSize(8));
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS.withReadTimeout(Duration.ofSeconds(1)));
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "watch-timeout-" + UUID.randomUUID()),
                "watch-timeout-secret-0123456789", Duration.ZERO, 64 * 1024, 10,
                EngineOptions.DEFAULTS.withDeadline(Duration.ofSeconds(60)), null)
                .withOverload(new OverloadLimits(32, 256, Duration.ofSeconds(10), 1_000)), store, new PostgresApiKeys(store));
        Reply schema = server.post("/v1/schema/write", new JsonObject().put("schema",
                "definition user {}\ndefinition doc {\n  relation viewer: user\n}").encode(), KEY);
        assertThat(schema.status()).as(schema.body()).isEqualTo(200);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
        store.close();
        pool.close();
    }

    @Test
    void httpWatch_pollsThatTimeOut_skipTheirTick() throws Exception {
        HttpResponse<java.io.InputStream> watch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.base() + "/v1/watch")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(watch.statusCode()).isEqualTo(200);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
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
        lockRevisionsFor(2_500);
        write("ann");
        String line;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            line = lines.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(line == null || !line.contains("\"error\"")).as(line).isTrue();
        } while (line != null && !line.contains("ann"));
        assertThat(line).as("the write, after polls that timed out").isNotNull().contains("ann");
    }

    @Test
    void grpcWatch_pollsThatTimeOut_skipTheirTick() throws Exception {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        WatchServiceGrpc.newStub(channel).withCallCredentials(new BearerToken(KEY)).watch(
                WatchRequest.getDefaultInstance(), new StreamObserver<WatchResponse>() {
                    @Override
                    public void onNext(WatchResponse value) {
                        events.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.add(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        events.add(Status.OK);
                    }
                });
        Thread.sleep(1_000); // the watch starts and polls
        lockRevisionsFor(2_500);
        write("bob");
        Object event;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        do {
            event = events.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(event).as("the watch ended").isNotInstanceOf(Status.class);
        } while (event != null && ((WatchResponse) event).getUpdatesCount() == 0);
        assertThat(event).as("the write, after polls that timed out").isNotNull();
        assertThat(event.toString()).contains("bob");
    }

    /** Holds {@code revisions} exclusively from outside the pool for {@code millis}, so change-log reads time out. */
    private static void lockRevisionsFor(long millis) throws Exception {
        try (Connection locker = TestDatabase.connect()) {
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE revisions IN ACCESS EXCLUSIVE MODE");
            }
            Thread.sleep(millis);
            locker.rollback();
        }
    }

    private void write(String user) throws Exception {
        Reply reply = server.post("/v1/relationships/write", "{\"updates\":[{\"operation\":\"OPERATION_TOUCH\","
                + "\"relationship\":{\"resource\":{\"objectType\":\"doc\",\"objectId\":\"d\"},\"relation\":"
                + "\"viewer\",\"subject\":{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}}]}", KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }
}
