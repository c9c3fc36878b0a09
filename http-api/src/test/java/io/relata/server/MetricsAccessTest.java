package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.relata.engine.EngineOptions;
import io.relata.server.TestServer.Reply;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: behind {@code --metrics-key} when one is set, open otherwise, and rendered off the event loop. */
class MetricsAccessTest {

    private static final String KEY = "metrics-tenant-key-0123";

    @Test
    void withAMetricsKey_onlyThatKeyScrapes() throws Exception {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                TestServer server = TestServer.start(config(), store, new MemoryApiKeys(store),
                        new AccessOptions(Duration.ofSeconds(5), "scrape-key-0123"))) {
            assertThat(get(server, null).status()).isEqualTo(401);
            Reply wrong = get(server, "scrape-key-0124");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.json().getInteger("code")).isEqualTo(16);
            assertThat(get(server, KEY).status()).as("a tenant's key is not the metrics key").isEqualTo(401);
            Reply ok = get(server, "scrape-key-0123");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).contains("relata_engine_cache_hits");
        }
    }

    @Test
    void withoutAMetricsKey_anyoneScrapes() throws Exception {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                TestServer server = TestServer.start(config(), store, new MemoryApiKeys(store))) {
            Reply ok = get(server, null);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).contains("relata_engine_cache_hits");
        }
    }

    @Test
    void aScrape_isRenderedOnTheWorkerPool_notTheEventLoop() throws Exception {
        try (MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
                TestServer server = TestServer.start(config(), store, new MemoryApiKeys(store))) {
            AtomicReference<String> renderedOn = new AtomicReference<>();
            // A gauge is read while the scrape renders: it sees the rendering thread.
            Gauge.builder("test.rendering.thread", () -> {
                renderedOn.set(Thread.currentThread().getName());
                return 1;
            }).register(server.server().meters());
            Reply ok = get(server, null);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.body()).contains("test_rendering_thread 1.0");
            assertThat(renderedOn.get()).doesNotContain("eventloop").startsWith("relata-metrics");
        }
    }

    private static Reply get(TestServer server, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.base() + "/metrics")).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        HttpResponse<String> response = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(response.statusCode(), response.body());
    }

    private static ServerConfig config() {
        return new ServerConfig("127.0.0.1", 0, Map.of(KEY, "default"), "metrics-secret-0123456789",
                Duration.ofMillis(100), 64 * 1024, 50, EngineOptions.DEFAULTS, null);
    }
}
