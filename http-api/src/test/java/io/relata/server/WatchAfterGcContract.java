package io.relata.server;

import static io.relata.server.Requests.delete;
import static io.relata.server.Requests.touch;
import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.ApiKeys;
import io.relata.store.StoreOptions;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Over HTTP, on every store (each store's test extends this class): Watch never hides a delete
 * that garbage collection removed. A watch resuming from a revision whose following changes
 * were collected is refused with FAILED_PRECONDITION and a message that says to start again
 * from a newer revision, and one started from a current token then sees the next delete.
 */
abstract class WatchAfterGcContract {

    /** No GC window: a collection removes every deleted version at once. */
    static final StoreOptions NO_WINDOW = StoreOptions.DEFAULTS.withGcWindow(Duration.ZERO);

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final String SCHEMA = """
            definition user {}

            definition doc {
                relation viewer: user
            }
            """;

    protected abstract TupleStore newStore() throws Exception;

    protected abstract ApiKeys keys(TupleStore store);

    private TupleStore store;
    private TestServer server;
    private String key;

    @BeforeEach
    void start() throws Exception {
        store = newStore();
        String tenant = "watch-gc-" + UUID.randomUUID();
        store.createTenant(tenant);
        key = "watch-gc-key-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(key, tenant), "watch-gc-secret-0123456789",
                Duration.ZERO, 64 * 1024, 50, EngineOptions.DEFAULTS, null), store, keys(store));
        assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), key).status())
                .isEqualTo(200);
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private String write(String update) throws Exception {
        Reply reply = server.post("/v1/relationships/write", "{\"updates\":[" + update + "]}", key);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getJsonObject("writtenAt").getString("token");
    }

    @Test
    void watchFromACollectedRevision_isRefused_withWhatToDo_andAWatchFromANewTokenSeesTheNextDelete()
            throws Exception {
        String before = write(touch("doc", "a", "viewer", "user", "alice"));
        write(touch("doc", "b", "viewer", "user", "bob"));
        write(delete("doc", "b", "viewer", "user", "bob"));
        store.collectGarbage();

        Reply refused = server.post("/v1/watch", "{\"optionalStartCursor\":{\"token\":\"" + before + "\"}}", key);
        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.json().getInteger("code")).as("FAILED_PRECONDITION").isEqualTo(9);
        assertThat(refused.json().getString("message")).contains("garbage collection")
                .contains("start again from a newer revision");

        String current = write(touch("doc", "c", "viewer", "user", "carol"));
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.base() + "/v1/watch"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"optionalStartCursor\":{\"token\":\"" + current + "\"}}"))
                .header("Authorization", "Bearer " + key).build();
        CompletableFuture<HttpResponse<Stream<String>>> watching = HTTP.sendAsync(request,
                HttpResponse.BodyHandlers.ofLines());
        write(delete("doc", "c", "viewer", "user", "carol"));
        HttpResponse<Stream<String>> response = watching.get(30, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonObject> lines = CompletableFuture.supplyAsync(() -> response.body().filter(l -> !l.isBlank())
                .limit(1).map(JsonObject::new).toList()).get(30, TimeUnit.SECONDS);
        JsonObject update = lines.get(0).getJsonObject("result").getJsonArray("updates").getJsonObject(0);
        assertThat(update.getString("operation")).isEqualTo("OPERATION_DELETE");
        assertThat(update.encode()).contains("\"objectId\":\"c\"");
    }
}
