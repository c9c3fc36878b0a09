package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.relata.engine.ConformanceCases;
import io.relata.engine.EngineOptions;
import io.relata.store.ApiKeys;
import io.relata.store.Relationship;
import io.relata.store.TupleStore;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The conformance cases SpiceDB answered ({@link ConformanceCases}: {@code cases/}, {@code deep/} and
 * {@code relata/}), put to a running server over the wire, once through the HTTP/JSON API and once
 * through gRPC with SpiceDB's official Java client. For each case and transport: a fresh tenant and key
 * from the admin API; the schema and the relationships written through that transport (in batches);
 * then, fully consistent, every lookup, every check as a request of its own, all checks in one bulk
 * request, and for the deep cases every lookup again (an answer must not depend on what earlier
 * questions left in a cache; the engine's own runner varies the order for every case). Every
 * answer must be SpiceDB's: checks exactly, lookups as sets (an id streamed both HAS and CONDITIONAL
 * counts as HAS), with a wildcard's excluded ids, which of them are excluded conditionally, and the
 * missing caveat parameters where the case records them. One server per store (each store's test
 * extends this class).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WireConformanceContract {

    /** Relationships per write request: small enough that most cases take several. */
    private static final int BATCH = 25;
    /** Requests in flight at once. */
    private static final int IN_FLIGHT = 8;
    private static final String ADMIN = "wire-admin-" + UUID.randomUUID();

    /** How a case reaches the server. */
    enum Transport {
        HTTP,
        GRPC
    }

    private TupleStore store;
    private TestServer server;
    private ManagedChannel channel;
    /** Sends a case's questions, {@value #IN_FLIGHT} at a time. */
    private ExecutorService requests;

    /** A store over the implementation's storage. */
    protected abstract TupleStore newStore();

    /** The keys the admin API makes, kept where {@code store} keeps its tenants. */
    protected abstract ApiKeys keys(TupleStore store);

    @BeforeAll
    void start() throws Exception {
        store = newStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(), "wire-conformance-secret-0123456789",
                Duration.ofSeconds(5), 4 * 1024 * 1024, 1000, EngineOptions.DEFAULTS, ADMIN), store, keys(store));
        requests = Executors.newFixedThreadPool(IN_FLIGHT);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.startGrpc()).usePlaintext().build();
    }

    @AfterAll
    void stop() throws Exception {
        if (requests != null) {
            requests.shutdownNow();
        }
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.close();
        }
    }

    Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (ConformanceCases.Case c : ConformanceCases.all()) {
            for (Transport transport : Transport.values()) {
                out.add(Arguments.of(c, transport));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("cases")
    void answersAsSpiceDbDoes(ConformanceCases.Case conformanceCase, Transport transport) throws Exception {
        WireClient client = client(transport, freshTenantKey());
        client.writeSchema(conformanceCase.schema());
        List<Relationship> relationships = conformanceCase.relationships().stream().map(Relationship::parse).toList();
        for (int i = 0; i < relationships.size(); i += BATCH) {
            client.write(relationships.subList(i, Math.min(relationships.size(), i + BATCH)));
        }
        List<String> mismatches = new ArrayList<>();
        lookups(client, conformanceCase, mismatches);
        List<JsonNode> checks = conformanceCase.checks();
        compare("check", checks, each(checks, client::check), mismatches);
        compare("bulk check", checks, client.checkBulk(checks), mismatches);
        if (conformanceCase.name().startsWith("deep/")) {
            // deep/README: the lookups again, after the checks have filled the caches.
            lookups(client, conformanceCase, mismatches);
        }
        assertThat(mismatches).as("%s over %s: %d mismatches", conformanceCase, transport, mismatches.size())
                .isEmpty();
    }

    private WireClient client(Transport transport, String key) {
        return transport == Transport.HTTP ? new HttpWireClient(server, key) : new GrpcWireClient(channel, key);
    }

    private String freshTenantKey() throws Exception {
        String tenant = "wire-" + UUID.randomUUID();
        TestServer.Reply created = server.post("/v1/tenants/create", new JsonObject().put("name", tenant).encode(), ADMIN);
        assertThat(created.status()).as(created.body()).isEqualTo(200);
        TestServer.Reply key = server.post("/v1/tenants/keys/create", new JsonObject().put("tenant", tenant).encode(),
                ADMIN);
        assertThat(key.status()).as(key.body()).isEqualTo(200);
        return key.json().getString("key");
    }

    private static void compare(String how, List<JsonNode> checks, List<String> actual, List<String> mismatches) {
        if (actual.size() != checks.size()) {
            mismatches.add(how + ": " + checks.size() + " checks asked, " + actual.size() + " answered");
            return;
        }
        for (int i = 0; i < checks.size(); i++) {
            String expected = checks.get(i).get("expected").asText();
            if (!actual.get(i).equals(expected)) {
                mismatches.add(how + " " + question(checks.get(i)) + ": expected " + expected + ", got " + actual.get(i));
            }
        }
    }

    /** A question asked of the server: one request. */
    private interface Ask<T> {
        T ask(JsonNode question) throws Exception;
    }

    /**
     * Each question as a request of its own, several in flight at once (the server answers requests
     * concurrently anyway; this only keeps the suite fast); the answers in the questions' order.
     */
    private <T> List<T> each(List<JsonNode> questions, Ask<T> ask) throws Exception {
        List<Future<T>> pending = new ArrayList<>();
        for (JsonNode q : questions) {
            pending.add(requests.submit(() -> ask.ask(q)));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : pending) {
            try {
                out.add(f.get(60, TimeUnit.SECONDS));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
            }
        }
        return out;
    }

    private void lookups(WireClient client, ConformanceCases.Case conformanceCase, List<String> mismatches)
            throws Exception {
        List<JsonNode> lookups = conformanceCase.lookups();
        List<List<WireClient.Found>> answers = each(lookups, client::lookup);
        for (int i = 0; i < lookups.size(); i++) {
            JsonNode lookup = lookups.get(i);
            SortedSet<String> want = ConformanceCases.expected(lookup);
            SortedSet<String> got = new TreeSet<>();
            for (WireClient.Found f : merged(answers.get(i))) {
                got.add(ConformanceCases.describe(lookup, f.id(), f.permissionship(), f.missing(), f.excluded(),
                        f.conditionally()));
            }
            if (!want.equals(got)) {
                mismatches.add("lookup " + question(lookup) + ":\n    expected " + want + "\n    got      " + got);
            }
        }
    }

    /** The results as a set by id: an id streamed more than once counts once, as HAS if any said HAS. */
    static List<WireClient.Found> merged(List<WireClient.Found> results) {
        Map<String, WireClient.Found> byId = new LinkedHashMap<>();
        for (WireClient.Found f : results) {
            byId.merge(f.id(), f, (a, b) -> a.permissionship().equals("HAS") ? a : b.permissionship().equals("HAS") ? b : a);
        }
        return new ArrayList<>(byId.values());
    }

    /** A question without its expected answer, for a mismatch's message. */
    private static String question(JsonNode q) {
        JsonNode copy = q.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("expected");
        return copy.toString();
    }
}
