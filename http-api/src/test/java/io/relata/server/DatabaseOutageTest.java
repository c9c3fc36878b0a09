package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresConfig;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When PostgreSQL stops answering (here: the proxy the server reaches it through cuts every
 * connection and refuses new ones), requests and {@code /readyz} answer 503 at once rather than
 * after the pool's whole wait, and the server serves again as soon as the database answers.
 * The shared PostgreSQL server itself is never touched.
 */
class DatabaseOutageTest {

    private static final String KEY = "outage-key";
    /**
     * Far less than the pool's wait ({@link PostgresTupleStore#ACQUIRE_TIMEOUT_MILLIS}, and the 5 s
     * every request once waited), far more than an answer that does not wait for the pool takes.
     */
    private static final Duration FAST = Duration.ofMillis(1_500);

    private final HttpClient http = HttpClient.newHttpClient();
    private TcpProxy proxy;
    private HikariDataSource pool;
    private PostgresTupleStore store;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        PostgresConfig direct = TestDatabase.config();
        Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)(/.*)").matcher(direct.jdbcUrl());
        assertThat(m.matches()).as(direct.jdbcUrl()).isTrue();
        proxy = TcpProxy.to(m.group(1), Integer.parseInt(m.group(2)));
        PostgresConfig proxied = new PostgresConfig("jdbc:postgresql://127.0.0.1:" + proxy.port() + m.group(3),
                direct.user(), direct.password(), 4);
        pool = PostgresTupleStore.pool(proxied);
        store = new PostgresTupleStore(pool, StoreOptions.DEFAULTS);
        String tenant = "outage-" + UUID.randomUUID();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, tenant), "outage-secret-0123456789",
                Duration.ZERO, 64 * 1024, 10, EngineOptions.DEFAULTS, null), store, new PostgresApiKeys(store));
        assertThat(post("/v1/schema/write", new JsonObject().put("schema", "definition user {}\n"
                + "definition doc {\n  relation viewer: user\n}\n"), Duration.ofSeconds(30)).statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        store.close();
        pool.close();
        proxy.close();
    }

    private HttpResponse<String> get(String path, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, JsonObject body, Duration timeout) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.base() + path)).timeout(timeout)
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject check() {
        return new JsonObject().put("consistency", new JsonObject().put("fullyConsistent", true))
                .put("resource", new JsonObject().put("objectType", "doc").put("objectId", "d1"))
                .put("permission", "viewer")
                .put("subject", new JsonObject().put("object", new JsonObject().put("objectType", "user")
                        .put("objectId", "ann")));
    }

    @Test
    void duringAnOutage_requestsAndReadinessAnswer503WithoutWaitingThePool_andRecoverWhenTheDatabaseAnswers()
            throws Exception {
        assertThat(get("/readyz", Duration.ofSeconds(30)).statusCode()).isEqualTo(200);

        proxy.cut();
        // The first caller learns of the outage from the pool (within its wait).
        assertThat(get("/readyz", Duration.ofSeconds(30)).statusCode()).isEqualTo(503);

        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ready = get("/readyz", FAST);
            assertThat(ready.statusCode()).as("readiness during the outage, round " + i).isEqualTo(503);
            HttpResponse<String> checked = post("/v1/permissions/check", check(), FAST);
            assertThat(checked.statusCode()).as(checked.body()).isEqualTo(503);
            assertThat(new JsonObject(checked.body()).getInteger("code")).isEqualTo(14);
        }

        proxy.restore();
        long restored = System.nanoTime();
        int status = 0;
        while (status != 200 && System.nanoTime() - restored < Duration.ofSeconds(30).toNanos()) {
            try {
                status = get("/readyz", FAST).statusCode();
            } catch (HttpTimeoutException slow) {
                status = 0;
            }
            if (status != 200) {
                Thread.sleep(50);
            }
        }
        Duration recovery = Duration.ofNanos(System.nanoTime() - restored);
        assertThat(status).isEqualTo(200);
        // The database answered at once; so does the server, after a probe or two (every 200 ms),
        // where it used to lag up to the pool's 5 s retry backoff. Generous: the machine is shared.
        assertThat(recovery).isLessThan(Duration.ofSeconds(3));
        assertThat(post("/v1/permissions/check", check(), FAST).statusCode()).isEqualTo(200);
    }
}
