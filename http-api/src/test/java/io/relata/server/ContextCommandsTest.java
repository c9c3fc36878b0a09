package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.cli.ExitCodes;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relata context set|list|use|remove}: contexts in the config directory, the token in a
 * file only its owner may read, never in the config file or in {@code list}'s output.
 */
class ContextCommandsTest {

    @TempDir
    Path dir;

    private Path config;

    @BeforeEach
    void configDirectory() {
        config = dir.resolve("relata");
        System.setProperty("relata.config.dir", config.toString());
    }

    @AfterEach
    void forget() {
        System.clearProperty("relata.config.dir");
    }

    @Test
    void set_keepsTheTokenInAnOwnerOnlyFile_andNotInTheConfig() throws Exception {
        Cli.Run set = Cli.run("context", "set", "prod", "relata.example.com:8443", "s3cret-token");

        assertThat(set.status()).as(set.err()).isZero();
        Path tokens = config.resolve("tokens.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokens))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rwx------");
        assertThat(new JsonObject(Files.readString(tokens)).getString("prod")).isEqualTo("s3cret-token");
        String configText = Files.readString(config.resolve("config.json"));
        assertThat(configText).doesNotContain("s3cret-token");
        assertThat(new JsonObject(configText).getString("current")).isEqualTo("prod");
        try (var files = Files.list(config)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("config.json", "tokens.json");
        }
    }

    @Test
    void listUseRemove_switchAndForgetContexts() throws Exception {
        Cli.run("context", "set", "prod", "https://relata.example.com:8443", "prod-token");
        Cli.run("context", "set", "local", "localhost:8443", "local-token", "--insecure");

        Cli.Run listed = Cli.run("context", "list");
        Cli.Run used = Cli.run("context", "use", "prod");
        Cli.Run listedAfterUse = Cli.run("context", "list");
        Cli.Run removed = Cli.run("context", "remove", "local");
        Cli.Run unknown = Cli.run("context", "use", "local");

        assertThat(listed.out().lines().toList()).containsExactly(
                "CURRENT  NAME   ENDPOINT                         TLS",
                "*        local  localhost:8443                   no",
                "         prod   https://relata.example.com:8443  yes");
        assertThat(listed.out()).doesNotContain("token");
        assertThat(used.status()).isZero();
        assertThat(listedAfterUse.out()).contains("*        prod");
        assertThat(removed.status()).isZero();
        assertThat(Files.readString(config.resolve("tokens.json"))).doesNotContain("local-token").contains("prod-token");
        assertThat(unknown.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("no context `local`");
    }

    @Test
    void set_refusesAnEndpointThatIsNotOne_andAnUnreadableCaCert() {
        Cli.Run badEndpoint = Cli.run("context", "set", "x", "ftp://host", "t");
        Cli.Run badCa = Cli.run("context", "set", "x", "localhost:8443", "t", "--ca-cert", dir.resolve("none.pem").toString());

        assertThat(badEndpoint.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(badEndpoint.err()).contains("`ftp://host` is not an endpoint");
        assertThat(badCa.status()).isEqualTo(ExitCodes.USAGE);
        assertThat(badCa.err()).contains("cannot use").contains("--ca-cert");
        assertThat(Files.exists(config.resolve("config.json"))).isFalse();
    }
}
