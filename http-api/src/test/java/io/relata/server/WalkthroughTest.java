package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.EngineOptions;
import io.relata.store.StoreOptions;
import io.relata.store.postgres.PostgresApiKeys;
import io.relata.store.postgres.PostgresTupleStore;
import io.relata.store.postgres.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Runs the curl commands of README.md's walkthrough, as written, against a server on PostgreSQL. */
class WalkthroughTest {

    @Test
    void theReadmeWalkthroughWorks() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String block = readme.substring(readme.indexOf("<!-- walkthrough:start -->"),
                readme.indexOf("<!-- walkthrough:end -->"));
        List<String> commands = block.lines().filter(l -> l.startsWith("curl ")).toList();
        assertThat(commands).hasSize(6);

        PostgresTupleStore store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        List<String> outputs = new ArrayList<>();
        try (TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0,
                Map.of("somerandomkey", "walkthrough-" + UUID.randomUUID()), "walkthrough-secret-0123456789",
                Duration.ofSeconds(5), 1 << 20, 1_000, EngineOptions.DEFAULTS, null), store, new PostgresApiKeys(store))) {
            for (String command : commands) {
                Process curl = new ProcessBuilder("bash", "-c", command.replace("http://localhost:8443", server.base()))
                        .redirectErrorStream(true).start();
                String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(curl.waitFor()).as("%s\n%s", command, output).isZero();
                assertThat(output).as(command).isNotBlank().doesNotContain("\"code\":");
                outputs.add(output);
            }
        }
        assertThat(outputs.get(0)).contains("writtenAt");
        assertThat(outputs.get(2)).contains("PERMISSIONSHIP_HAS_PERMISSION");
        assertThat(outputs.get(3)).contains("\"objectId\":\"alice\"");
        assertThat(outputs.get(4)).contains("\"resourceObjectId\":\"api\"");
        assertThat(outputs.get(5)).contains("\"subjectObjectId\":\"alice\"");
    }

    @Test
    void theReadmeTerminalSequenceWorks(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String block = readme.substring(readme.indexOf("<!-- terminal:start -->"), readme.indexOf("<!-- terminal:end -->"));
        String heredoc = "cat > schema.zed <<'EOF'\n";
        String schema = block.substring(block.indexOf(heredoc) + heredoc.length(), block.indexOf("\nEOF\n") + 1);
        Path schemaFile = Files.writeString(dir.resolve("schema.zed"), schema);
        List<String> commands = block.lines().filter(l -> l.startsWith("./relata ")).toList();
        assertThat(commands).hasSize(10);

        PostgresTupleStore store = new PostgresTupleStore(TestDatabase.pool(), StoreOptions.DEFAULTS);
        List<String> outputs = new ArrayList<>();
        System.setProperty("relata.config.dir", dir.resolve("config").toString());
        try (TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0,
                Map.of("somerandomkey", "terminal-" + UUID.randomUUID()), "walkthrough-secret-0123456789",
                Duration.ofSeconds(5), 1 << 20, 1_000, EngineOptions.DEFAULTS, null), store, new PostgresApiKeys(store))) {
            for (String command : commands) {
                String line = command.contains("  #") ? command.substring(0, command.indexOf("  #")) : command;
                String[] args = line.substring("./relata ".length()).strip()
                        .replace("http://localhost:8443", server.base()).replace("schema.zed", schemaFile.toString())
                        .split("\\s+");
                Cli.Run run = Cli.run(args);
                assertThat(run.status()).as("%s\n%s%s", command, run.out(), run.err()).isZero();
                outputs.add(run.out());
            }
        } finally {
            System.clearProperty("relata.config.dir");
        }
        assertThat(outputs.get(4)).isEqualTo("true\n");
        assertThat(outputs.get(5)).startsWith("project:api->push\n").contains("user:alice");
        assertThat(outputs.get(6)).contains("project:api  has");
        assertThat(outputs.get(7)).contains("user:alice  has");
        assertThat(outputs.get(8)).startsWith("true\nHAS_PERMISSION  project:api#push@user:alice\ngranted through:\n"
                + "  project:api#namespace@group:eng    (");
        String shown = "the first command prints:\n\n  ```\n";
        String printed = readme.substring(readme.indexOf(shown) + shown.length());
        printed = printed.substring(0, printed.indexOf("  ```\n")).indent(-2);
        assertThat(outputs.get(9)).as("the explanation the README shows").isEqualTo(printed);
    }

    @Test
    void theGitLabWalkthroughScriptWorks() throws Exception {
        io.relata.store.memory.MemoryTupleStore store = new io.relata.store.memory.MemoryTupleStore();
        Main.bootstrap(store, "default", ValidationFile.read(Path.of("..", "examples", "gitlab", "gitlab.yaml")));
        try (TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of("somerandomkey", "default"),
                "walkthrough-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 1_000, EngineOptions.DEFAULTS, null),
                store, new io.relata.store.memory.MemoryApiKeys(store))) {
            ProcessBuilder script = new ProcessBuilder("bash", Path.of("..", "examples", "gitlab", "walkthrough.sh").toString())
                    .redirectErrorStream(true);
            script.environment().put("RELATA_URL", server.base());
            Process run = script.start();
            String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(run.waitFor()).as(output).isZero();
            assertThat(output).contains("all answers as expected").doesNotContain("FAIL");
        }
    }

    @Test
    void theReadmeCompositeExamplesAnswerAsTheySay() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        String block = readme.substring(readme.indexOf("<!-- composite-example:start -->"),
                readme.indexOf("<!-- composite-example:end -->"));
        List<String> commands = block.lines().filter(l -> l.startsWith("curl ")).toList();
        assertThat(commands).hasSize(3);
        io.relata.store.memory.MemoryTupleStore store = new io.relata.store.memory.MemoryTupleStore();
        Main.bootstrap(store, "default", ValidationFile.read(Path.of("..", "examples", "gitlab", "gitlab.yaml")));
        List<String> outputs = new ArrayList<>();
        try (TestServer server = TestServer.start(new ServerConfig("127.0.0.1", 0, Map.of("somerandomkey", "default"),
                "walkthrough-secret-0123456789", Duration.ofSeconds(5), 1 << 20, 1_000, EngineOptions.DEFAULTS, null),
                store, new io.relata.store.memory.MemoryApiKeys(store))) {
            for (String command : commands) {
                Process curl = new ProcessBuilder("bash", "-c", command.replace("http://localhost:8443", server.base()))
                        .redirectErrorStream(true).start();
                String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(curl.waitFor()).as("%s\n%s", command, output).isZero();
                outputs.add(output);
            }
        }
        // The job token, the fine-grained token and the agent, as the comments above them say.
        assertThat(outputs.get(0)).startsWith("{\"permissionship\":\"PERMISSIONSHIP_HAS_PERMISSION\"")
                .contains("\"composite\":\"job_token\"");
        assertThat(outputs.get(1)).startsWith("{\"permissionship\":\"PERMISSIONSHIP_NO_PERMISSION\"")
                .contains("\"composite\":\"personal_access_token\"");
        assertThat(outputs.get(2)).startsWith("{\"permissionship\":\"PERMISSIONSHIP_NO_PERMISSION\"")
                .contains("\"composite\":\"agent\"");
    }
}
