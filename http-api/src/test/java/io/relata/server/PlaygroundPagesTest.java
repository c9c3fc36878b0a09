package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The playground page is served only when asked for, from the jar's resources. */
class PlaygroundPagesTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ServerConfig config() {
        return new ServerConfig("127.0.0.1", 0, Map.of("playground-test-key", "default"),
                "playground-test-secret-0123456789", Duration.ofSeconds(5), 64 * 1024, 50, EngineOptions.DEFAULTS, null);
    }

    private static TestServer start(boolean playground) throws Exception {
        MemoryTupleStore store = new MemoryTupleStore(StoreOptions.DEFAULTS);
        RelataServer server = new RelataServer(config(), store, new MemoryApiKeys(store));
        if (playground) {
            server.servePlayground();
        }
        return TestServer.of(server, server.start().toCompletionStage().toCompletableFuture().get());
    }

    private static HttpResponse<String> get(TestServer server, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.base() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void playgroundOff_answersNotFound() throws Exception {
        try (TestServer server = start(false)) {
            for (String path : new String[] {"/playground", "/playground/", "/playground/app.js", "/playground/style.css"}) {
                HttpResponse<String> response = get(server, path);
                assertThat(response.statusCode()).as(path).isEqualTo(404);
                assertThat(response.body()).as(path).doesNotContain("Relata playground");
            }
        }
    }

    @Test
    void playgroundOn_servesPageScriptAndStyleWithAStrictPolicy() throws Exception {
        try (TestServer server = start(true)) {
            HttpResponse<String> page = get(server, "/playground");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<title>Relata playground</title>").contains("/playground/app.js");
            assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
                    .contains("default-src 'none'").contains("script-src 'self'").contains("connect-src 'self'");
            assertThat(get(server, "/playground/").body()).isEqualTo(page.body());
            HttpResponse<String> script = get(server, "/playground/app.js");
            assertThat(script.statusCode()).isEqualTo(200);
            assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(script.body()).contains("/relata/v1/schema/validate").contains("/relata/v1/validation/run");
            HttpResponse<String> style = get(server, "/playground/style.css");
            assertThat(style.statusCode()).isEqualTo(200);
            assertThat(style.headers().firstValue("content-type")).hasValue("text/css; charset=utf-8");
            // Only the three files: nothing else under the path, and no other file of the jar.
            assertThat(get(server, "/playground/index.html").statusCode()).isEqualTo(404);
            assertThat(get(server, "/playground/../simplelogger.properties").statusCode()).isEqualTo(404);
        }
    }
}
