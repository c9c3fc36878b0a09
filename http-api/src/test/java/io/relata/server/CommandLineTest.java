package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relata.engine.CheckRequest;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.Permissionship;
import io.relata.store.TupleStore;
import io.relata.store.memory.MemoryTupleStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relata command: schema validate, schema format, and bootstrapping from a validation file. */
class CommandLineTest {

    @TempDir
    Path dir;


    @Test
    void schemaValidate_printsFileLineColumnMessage_andExitsOneOnErrors() throws Exception {
        Path good = Files.writeString(dir.resolve("good.zed"), "definition user {}\n");
        Path bad = Files.writeString(dir.resolve("bad.zed"), "definition user {}\ndefinition doc {\n  relation viewer: usr\n}\n");

        Cli.Run ok = Cli.run("schema", "validate", good.toString());
        Cli.Run failed = Cli.run("schema", "validate", good.toString(), bad.toString());
        Cli.Run missing = Cli.run("schema", "validate", dir.resolve("missing.zed").toString());

        assertThat(ok.status()).isZero();
        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.err()).contains(bad + ":3:20: relation `viewer` allows `usr`");
        assertThat(missing.status()).isEqualTo(2);
    }

    @Test
    void schemaFormat_printsOrRewrites() throws Exception {
        Path file = Files.writeString(dir.resolve("s.zed"), "definition   user {}\ndefinition doc{\n relation viewer:user\n}");

        Cli.Run printed = Cli.run("schema", "format", file.toString());
        Cli.Run written = Cli.run("schema", "format", "--write", file.toString());

        assertThat(printed.out()).isEqualTo("definition user {}\n\ndefinition doc {\n\trelation viewer: user\n}\n");
        assertThat(written.status()).isZero();
        assertThat(Files.readString(file)).isEqualTo(printed.out());
    }

    @Test
    void bootstrap_loadsAValidationFilesSchemaAndRelationships() throws Exception {
        Files.writeString(dir.resolve("schema.zed"), "definition user {}\ndefinition group {\n  relation member: user\n}\n");
        Path file = Files.writeString(dir.resolve("data.yaml"), """
                schemaFile: schema.zed
                relationships: |-
                  group:eng#member@user:alice
                  // a comment
                  group:ops#member@user:bob
                assertions:
                  assertTrue:
                    - group:eng#member@user:alice
                """);

        try (TupleStore store = new MemoryTupleStore(); GraphCheckEngine engine = new GraphCheckEngine(store)) {
            int loaded = Main.bootstrap(store, "default", ValidationFile.read(file));

            assertThat(loaded).isEqualTo(2);
            assertThat(engine.checkNow("default", store.headRevision("default"),
                    CheckRequest.of("group:eng", "member", "user:alice")).permissionship()).isEqualTo(Permissionship.HAS);
        }
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "schema: \"definition user {}\"\nrelationships: |-\n  nonsense\n");
        assertThatThrownBy(() -> ValidationFile.read(broken)).hasMessageContaining("broken.yaml:3:");
    }
}
