package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.memory.MemoryApiKeys;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /relata/v1/permissions/explain} and {@code relata explain}: the shortest granting
 * chain (not the first found), the closest miss for NO, the same answer from the command against
 * the server and offline from a validation file, and clear refusals.
 */
class ExplainTest {

    private static final String KEY = "explain-key";
    private static final String SCHEMA = """
                caveat on_vpn(vpn bool) {
                    vpn
                }
    
                definition user {}
    
                definition group {
                    relation member: user | group#member | user with on_vpn
                }
    
                definition folder {
                    relation parent: folder
                    relation viewer: user | group#member
                    permission view = viewer + parent->view
                }
    
                definition doc {
                    relation parent: folder
                    relation viewer: user | group#member
                    relation banned: user
                    permission view = (viewer + parent->view) - banned
                }
                """;

    private static final List<String> DATA = List.of(
            "doc:d#viewer@group:g1#member",
            "group:g1#member@group:g2#member",
            "group:g2#member@group:g3#member",
            "group:g3#member@user:alice",
            "doc:d#parent@folder:f1",
            "folder:f1#viewer@user:alice",
            "folder:f1#parent@folder:f2",
            "folder:f2#viewer@user:eve",
            "folder:f1#viewer@user:carol",
            "doc:d#banned@user:carol",
            "doc:d#viewer@group:vpn#member",
            "group:vpn#member@user:dave[on_vpn]");

    private MemoryTupleStore store;
    private TestServer server;

    @BeforeEach
    void start(@TempDir Path config) throws Exception {
        System.setProperty("relata.config.dir", config.toString()); // no saved context but the test's own
        store = new MemoryTupleStore();
        server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of(KEY, "default"),
                "explain-test-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 100, EngineOptions.DEFAULTS, null),
                store, new MemoryApiKeys(store));
        store.createTenant("default");
        store.writeSchema("default", SCHEMA);
        store.write("default", DATA.stream().map(r -> RelationshipUpdate.touch(Relationship.parse(r))).toList());
    }

    @AfterEach
    void stop() {
        System.clearProperty("relata.config.dir");
        server.close();
        store.close();
    }

    private JsonObject explain(String user) throws Exception {
        TestServer.Reply reply = server.post("/relata/v1/permissions/explain", "{\"consistency\":{\"fullyConsistent\":true},"
                + "\"resource\":{\"objectType\":\"doc\",\"objectId\":\"d\"},\"permission\":\"view\",\"subject\":"
                + "{\"object\":{\"objectType\":\"user\",\"objectId\":\"" + user + "\"}}}", KEY);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static List<String> relationships(JsonArray hops) {
        return hops.stream().map(h -> ((JsonObject) h).getString("relationship")).toList();
    }

    @Test
    void explainHas_givesTheShortestChainWithItsRules() throws Exception {
        JsonObject alice = explain("alice");
        assertThat(alice.getString("permissionship")).isEqualTo("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(alice.getJsonObject("checkedAt").getString("token")).isNotBlank();
        assertThat(relationships(alice.getJsonArray("chain")))
                .containsExactly("doc:d#parent@folder:f1", "folder:f1#viewer@user:alice");
        assertThat(alice.getJsonArray("chain").getJsonObject(0).getString("rule"))
                .isEqualTo("doc#view = (viewer + parent->view) - banned");
        assertThat(alice.getBoolean("complete")).isTrue();
    }

    @Test
    void explainNo_givesTheClosestMiss() throws Exception {
        JsonObject bob = explain("bob");
        assertThat(bob.getString("permissionship")).isEqualTo("PERMISSIONSHIP_NO_PERMISSION");
        assertThat(relationships(bob.getJsonArray("chain"))).containsExactly("doc:d#viewer@group:g1#member",
                "group:g1#member@group:g2#member", "group:g2#member@group:g3#member");
        assertThat(relationships(bob.getJsonArray("missing"))).containsExactly("group:g3#member@user:bob");
        JsonObject carol = explain("carol");
        assertThat(relationships(carol.getJsonArray("excludedBy"))).containsExactly("doc:d#banned@user:carol");
        assertThat(carol.getJsonArray("missing")).isEmpty();
    }

    @Test
    void explainCommand_againstTheServer_printsTheChainOrTheEndpointsJson() throws Exception {
        Cli.Run people = Cli.run("explain", "--endpoint", server.base(), "--token", KEY, "doc:d#view@user:bob");
        assertThat(people.status()).as(people.err()).isEqualTo(0);
        assertThat(people.out()).startsWith("NO_PERMISSION  doc:d#view@user:bob\n")
                .contains("closest miss: 3 relationship(s) lead toward it:")
                .contains("missing (writing this would grant it):\n  group:g3#member@user:bob");
        Cli.Run scripts = Cli.run("explain", "--endpoint", server.base(), "--token", KEY, "--json", "doc:d#view@user:alice");
        assertThat(scripts.status()).as(scripts.err()).isEqualTo(0);
        JsonObject printed = new JsonObject(scripts.out());
        assertThat(relationships(printed.getJsonArray("chain")))
                .containsExactly("doc:d#parent@folder:f1", "folder:f1#viewer@user:alice");
        Cli.Run conditional = Cli.run("explain", "--endpoint", server.base(), "--token", KEY, "doc:d#view@user:dave");
        assertThat(conditional.out()).contains("undecided caveats: on_vpn (missing context: vpn)");
        Cli.Run decided = Cli.run("explain", "--endpoint", server.base(), "--token", KEY, "--caveat-context",
                "{\"vpn\": true}", "doc:d#view@user:dave");
        assertThat(decided.out()).startsWith("HAS_PERMISSION");
    }

    @Test
    void explainCommand_offline_answersFromAValidationFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("v.yaml");
        Files.writeString(file, "schema: |-\n" + SCHEMA.indent(2) + "relationships: |-\n"
                + String.join("\n", DATA).indent(2));
        Cli.Run run = Cli.run("explain", "--file", file.toString(), "--json", "doc:d#view@user:bob");
        assertThat(run.status()).as(run.err()).isEqualTo(0);
        JsonObject offline = new JsonObject(run.out());
        JsonObject online = explain("bob");
        online.remove("checkedAt");
        assertThat(offline).isEqualTo(online);
        Cli.Run people = Cli.run("explain", "--file", file.toString(), "doc:d#view@user:alice");
        assertThat(people.status()).as(people.err()).isEqualTo(0);
        assertThat(people.out()).startsWith("HAS_PERMISSION  doc:d#view@user:alice\ngranted through:\n"
                + "  doc:d#parent@folder:f1");
    }

    @Test
    void explainCommand_refusesWhatItCannotRead() {
        Cli.Run question = Cli.run("explain", "--token", KEY, "not a question");
        assertThat(question.status()).isEqualTo(2);
        assertThat(question.err()).contains("resource#permission@subject");
        Cli.Run noToken = Cli.run("explain", "--endpoint", server.base(), "doc:d#view@user:bob");
        assertThat(noToken.status()).isEqualTo(2);
        Cli.Run wrongKey = Cli.run("explain", "--endpoint", server.base(), "--token", "wrong", "doc:d#view@user:bob");
        assertThat(wrongKey.status()).isEqualTo(1);
        assertThat(wrongKey.err()).contains("UNAUTHENTICATED").contains("is the token right?");
        Cli.Run unreachable = Cli.run("explain", "--endpoint", "http://127.0.0.1:1", "--token", KEY,
                "doc:d#view@user:bob");
        assertThat(unreachable.status()).as(unreachable.err()).isEqualTo(5);
        Cli.Run noFile = Cli.run("explain", "--file", "no-such-validation.yaml", "doc:d#view@user:bob");
        assertThat(noFile.status()).isEqualTo(2);
        assertThat(noFile.err()).contains("cannot read no-such-validation.yaml");
    }

    @Test
    void explainCommand_offline_aSchemaThatDoesNotCompileIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "schema: |-\n  definition doc {\n"
                + "relationships: |-\n  doc:d#viewer@user:alice\n");
        Cli.Run run = Cli.run("explain", "--file", file.toString(), "doc:d#view@user:alice");
        assertThat(run.status()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).startsWith("relata: " + file);
    }
}
