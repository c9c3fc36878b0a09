package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relata.schema.ast.SchemaFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every valid schema we have (the corpus in {@code corpus/valid}, all accepted by SpiceDB
 * v1.54, and the valid conformance schemas): each compiles, and formatting is idempotent
 * and gives back the same syntax tree and the same compiled schema.
 */
class ValidCorpusTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> schemas() throws IOException, URISyntaxException {
        List<Arguments> out = new ArrayList<>();
        Path corpus = Path.of(ValidCorpusTest.class.getResource("/corpus/valid").toURI());
        try (Stream<Path> files = Files.list(corpus)) {
            files.filter(p -> p.toString().endsWith(".zed")).sorted().forEach(p -> out.add(
                    Arguments.of(Named.of(p.getFileName().toString(), read(p)))));
        }
        Path conformance = Path.of(ValidCorpusTest.class.getResource("/conformance/schemas").toURI());
        try (Stream<Path> files = Files.list(conformance)) {
            files.filter(p -> p.getFileName().toString().startsWith("valid-")).sorted().forEach(p -> {
                try {
                    JsonNode c = JSON.readTree(p.toFile());
                    out.add(Arguments.of(Named.of(p.getFileName().toString(), c.get("schema").asText())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return out.stream();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void compiles(String text) {
        Compilation compilation = SchemaCompiler.compile(text);

        assertThat(compilation.errors()).as(compilation.report("schema.zed")).isEmpty();
        assertThat(compilation.schema()).isPresent();
    }

    @ParameterizedTest
    @MethodSource("schemas")
    void formatRoundTrips(String text) {
        SchemaFile original = SchemaCompiler.parse(text).file();

        String formatted = SchemaFormatter.format(text);
        SchemaCompiler.Parsed reparsed = SchemaCompiler.parse(formatted);

        assertThat(reparsed.errors()).as("formatted:\n%s", formatted).isEmpty();
        assertThat(reparsed.file()).as("formatted:\n%s", formatted).isEqualTo(original);
        assertThat(SchemaFormatter.format(formatted)).as("format is idempotent").isEqualTo(formatted);
        assertThat(SchemaCompiler.compile(formatted).schema()).isEqualTo(SchemaCompiler.compile(text).schema());
    }

    @Test
    void corpus_hasAtLeastThirtyValidSchemas() throws Exception {
        assertThat(schemas().count()).isGreaterThanOrEqualTo(30 + 30);
    }
}
