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
        Schema before = SchemaCompiler.compile(text).orThrow();
        Schema after = SchemaCompiler.compile(formatted).orThrow();
        assertThat(withoutComments(after)).isEqualTo(withoutComments(before));
        // The formatter moves comments written inside a statement to before it, where they
        // become the statement's comments; those written before it stay first.
        for (ObjectDefinition d : before.definitions().values()) {
            ObjectDefinition f = after.definition(d.name()).orElseThrow();
            assertCommentsKept(d.name(), d.comments(), f.comments());
            d.relations().values().forEach(r -> assertCommentsKept(d.name() + "#" + r.name(), r.comments(),
                    f.relation(r.name()).orElseThrow().comments()));
            d.permissions().values().forEach(p -> assertCommentsKept(d.name() + "#" + p.name(), p.comments(),
                    f.permission(p.name()).orElseThrow().comments()));
        }
        before.caveats().values().forEach(c -> assertCommentsKept(c.name(), c.comments(),
                after.caveat(c.name()).orElseThrow().comments()));
    }

    private static void assertCommentsKept(String what, List<String> before, List<String> after) {
        assertThat(after).as(what).hasSizeGreaterThanOrEqualTo(before.size());
        assertThat(after.subList(0, before.size())).as(what).isEqualTo(before);
    }

    /** {@code schema} with every comment list emptied (docs kept). */
    private static Schema withoutComments(Schema schema) {
        java.util.Map<String, ObjectDefinition> definitions = new java.util.LinkedHashMap<>();
        schema.definitions().forEach((name, d) -> {
            java.util.Map<String, Relation> relations = new java.util.LinkedHashMap<>();
            d.relations().forEach((n, r) -> relations.put(n, new Relation(n, r.doc(), List.of(), r.allowedTypes())));
            java.util.Map<String, Permission> permissions = new java.util.LinkedHashMap<>();
            d.permissions().forEach((n, p) -> permissions.put(n, new Permission(n, p.doc(), List.of(), p.rewrite())));
            definitions.put(name, new ObjectDefinition(name, d.doc(), List.of(), relations, permissions));
        });
        java.util.Map<String, CaveatDefinition> caveats = new java.util.LinkedHashMap<>();
        schema.caveats().forEach((name, c) -> caveats.put(name, new CaveatDefinition(name, c.doc(), List.of(),
                c.parameters(), c.expression(), c.checkedExpression())));
        return new Schema(definitions, caveats, schema.features());
    }

    @Test
    void corpus_hasAtLeastThirtyValidSchemas() throws Exception {
        assertThat(schemas().count()).isGreaterThanOrEqualTo(30 + 30);
    }
}
