package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schemas of {@code conformance/schemas}, each accepted or refused by a real SpiceDB:
 * Relata must accept exactly the valid ones and refuse the invalid ones, giving a position
 * wherever SpiceDB gave one.
 */
class ConformanceSchemasTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException, URISyntaxException {
        Path dir = Path.of(ConformanceSchemasTest.class.getResource("/conformance/schemas").toURI());
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(100);
        return files.stream().map(p -> Arguments.of(Named.of(p.getFileName().toString(), p)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesSpiceDb(Path file) throws IOException {
        JsonNode c = JSON.readTree(file.toFile());
        String schema = c.get("schema").asText();
        Compilation compilation = SchemaCompiler.compile(schema);
        if (c.path("valid").asBoolean(false)) {
            assertThat(compilation.errors()).as("SpiceDB accepts this schema:\n%s", schema).isEmpty();
            assertThat(compilation.schema()).isPresent();
        } else {
            assertThat(compilation.errors())
                    .as("SpiceDB refuses this schema (%s):\n%s", c.get("spicedbError").asText(), schema)
                    .isNotEmpty();
            assertThat(compilation.schema()).isEmpty();
            if (!c.get("line").isNull()) {
                assertThat(compilation.errors().get(0).span().isKnown())
                        .as("SpiceDB gives a position; so must we: %s", compilation.report("schema.zed"))
                        .isTrue();
            }
            System.out.println(file.getFileName() + " [spicedb " + c.get("line") + ":" + c.get("column") + "]\n"
                    + compilation.report("schema.zed"));
        }
    }
}
