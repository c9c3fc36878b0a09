package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.server.TestServer.Reply;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code relata serve-testing} as the command starts it (memory store, the per-token mode):
 * the per-token contract, plus what it prints at start and its admin API.
 */
class ServeTestingTest extends PerTokenTenantsContract {

    private ServeTesting.Running running;
    private String printed;

    /** Starts the command's server with {@code args} after a free local port. */
    private TestServer startCommand(String... args) throws Exception {
        ServeTesting command = new ServeTesting();
        String[] all = new String[args.length + 6];
        all[0] = "--http-port";
        all[1] = "0";
        all[2] = "--host";
        all[3] = "127.0.0.1";
        all[4] = "--grpc-port";
        all[5] = "0";
        System.arraycopy(args, 0, all, 6, args.length);
        new CommandLine(command).parseArgs(all);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        running = command.start(new PrintStream(out, true, StandardCharsets.UTF_8));
        printed = out.toString(StandardCharsets.UTF_8);
        return TestServer.of(running.server(), running.httpPort());
    }

    @Override
    protected TestServer start(int maxTenants) throws Exception {
        return startCommand("--max-tenants", Integer.toString(maxTenants));
    }

    @Override
    protected TupleStore store() {
        return running.store();
    }

    @Test
    void start_saysTheDataIsInMemoryOnly_andWhereItListens() throws Exception {
        try (TestServer server = startCommand()) {
            assertThat(printed).contains("data is kept in memory only and is LOST when the server stops")
                    .contains("every distinct bearer token gets its own empty tenant")
                    .contains("at most 10000 tenants")
                    .contains("no admin API")
                    .contains("http://127.0.0.1:" + running.httpPort())
                    .contains("gRPC API (authzed.api.v1) on 127.0.0.1:" + running.server().grpcPort() + " in plaintext");
            assertThat(running.server().grpcPort()).isPositive();
            assertThat(server.get("/healthz").status()).isEqualTo(200);
        }
    }

    @Test
    void withoutAnAdminKey_thereIsNoAdminApi() throws Exception {
        try (TestServer server = startCommand()) {
            Reply create = server.post("/v1/tenants/create", "{\"name\":\"acme\"}", "any-token");

            assertThat(create.status()).isEqualTo(401);
            assertThat(running.store().tenantExists("acme")).isFalse();
        }
    }

    @Test
    void withAnAdminKey_keysItMakesReachTheirTenant_andARevokedOneIsRefused() throws Exception {
        String admin = "admin-" + UUID.randomUUID();
        try (TestServer server = startCommand("--admin-key", admin)) {
            assertThat(printed).contains("admin API on /v1/tenants/");
            assertThat(server.post("/v1/tenants/create", "{\"name\":\"acme\"}", admin).status()).isEqualTo(200);
            String key = server.post("/v1/tenants/keys/create", "{\"tenant\":\"acme\"}", admin).json().getString("key");

            assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), key).status())
                    .isEqualTo(200);

            assertThat(server.post("/v1/schema/read", "{}", key).json().getString("schemaText")).isEqualTo(SCHEMA);
            assertThat(running.store().tenantExists("token-" + java.util.HexFormat.of().formatHex(
                    io.relata.store.ApiKeys.hash(key)))).as("no tenant of its own").isFalse();

            String keyId = server.post("/v1/tenants/keys/list", "{\"tenant\":\"acme\"}", admin).json()
                    .getJsonArray("keys").getJsonObject(0).getString("keyId");
            assertThat(server.post("/v1/tenants/keys/revoke", "{\"tenant\":\"acme\",\"keyId\":\"" + keyId + "\"}",
                    admin).status()).isEqualTo(200);
            Reply revoked = server.post("/v1/schema/read", "{}", key);
            assertThat(revoked.status()).as("a revoked key gets no tenant of its own: " + revoked.body())
                    .isEqualTo(401);
        }
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() throws Exception {
        try (TestServer server = startCommand()) {
            String token = "suite-" + UUID.randomUUID();
            assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), token).status())
                    .isEqualTo(200);

            HttpResponse<String> lower = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.base() + "/v1/schema/read")).header("Authorization", "bearer  " + token + " ")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> basic = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.base() + "/v1/schema/read")).header("Authorization", "Basic " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(new JsonObject(lower.body()).getString("schemaText")).isEqualTo(SCHEMA);
            assertThat(basic.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void theGrpcPortAndTlsPaths_landInTheServerConfig() {
        ServeTesting command = new ServeTesting();
        new CommandLine(command).parseArgs("--grpc-port", "6000");
        ServerConfig base = new ServerConfig("127.0.0.1", 0, java.util.Map.of(), "listener-secret-0123456789",
                java.time.Duration.ZERO, 1024, 10, io.relata.engine.EngineOptions.DEFAULTS, null);

        ServerConfig config = command.listener.applyTo(base);
        ServeTesting defaults = new ServeTesting();
        new CommandLine(defaults).parseArgs();

        assertThat(config.grpcPort()).isEqualTo(6000);
        assertThat(config.tls()).isFalse();
        assertThat(defaults.listener.applyTo(base).grpcPort()).isEqualTo(50051);
        ServeTesting wrong = new ServeTesting();
        new CommandLine(wrong).parseArgs("--grpc-port", "70000");
        assertThatThrownBy(() -> wrong.listener.applyTo(base)).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--grpc-port must be 0 to 65535");
    }

    @Test
    void maxTenantsBelowOne_isAnOptionError() {
        ServeTesting command = new ServeTesting();
        new CommandLine(command).parseArgs("--http-port", "0", "--max-tenants", "0");

        assertThatThrownBy(() -> command.start(System.out)).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--max-tenants must be at least 1");
    }

    @Test
    void auditLog_recordsTheDecisionsAndWritesOfEachTokensTenant_andAnUnopenableOneStopsTheStart(@TempDir Path dir)
            throws Exception {
        Path log = dir.resolve("audit.jsonl");
        String token = "suite-" + UUID.randomUUID();
        try (TestServer server = startCommand("--audit-log", log.toString())) {
            assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(), token).status())
                    .isEqualTo(200);
            assertThat(server.post("/v1/permissions/check", Requests.check("{\"fullyConsistent\":true}", "doc",
                    "readme", "view", "user", "alice"), token).status()).isEqualTo(200);
        } // stopping writes what is queued
        List<JsonObject> lines = Files.readAllLines(log).stream().map(JsonObject::new).toList();
        assertThat(lines).extracting(l -> l.getString("kind")).containsExactly("schema.write", "check");
        assertThat(lines).extracting(l -> l.getString("tenant")).containsOnly(lines.get(0).getString("tenant"));
        assertThat(Files.readString(log)).doesNotContain(token);

        ServeTesting unopenable = new ServeTesting();
        new CommandLine(unopenable).parseArgs("--http-port", "0", "--grpc-port", "0", "--host", "127.0.0.1",
                "--audit-log", dir.resolve("no-such-dir").resolve("audit.jsonl").toString());
        assertThatThrownBy(() -> unopenable.start(System.out)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot open the audit log");
    }

    @Test
    void otelEndpoint_sendsTheRequestsSpansUnderTheServiceName_andABadOneIsAnOptionError() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver();
                TestServer server = startCommand("--otel-endpoint", receiver.endpoint(), "--otel-service-name",
                        "suite-under-test")) {
            assertThat(printed).contains("sending traces over OTLP/HTTP to " + receiver.endpoint());
            assertThat(server.post("/v1/schema/write", new JsonObject().put("schema", SCHEMA).encode(),
                    "suite-" + UUID.randomUUID()).status()).isEqualTo(200);
            long until = System.nanoTime() + 30_000_000_000L; // spans are sent in batches, once a second
            while (System.nanoTime() < until && receiver.spans().stream()
                    .noneMatch(span -> span.name().equals("POST /v1/schema/write"))) {
                Thread.sleep(100);
            }
            assertThat(receiver.spans()).filteredOn(span -> span.name().equals("POST /v1/schema/write"))
                    .extracting(OtlpReceiver.Received::serviceName).containsExactly("suite-under-test");
        }
        ServeTesting bad = new ServeTesting();
        new CommandLine(bad).parseArgs("--http-port", "0", "--grpc-port", "0", "--otel-endpoint", "collector:4318");
        assertThatThrownBy(() -> bad.start(System.out)).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--otel-endpoint");
    }
}
