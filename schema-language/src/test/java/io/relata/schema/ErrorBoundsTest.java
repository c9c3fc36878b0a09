package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The size of a schema's errors follows the size of the schema, never its square: few enough
 * errors, each message bounded and an excerpt of its line instead of the whole line, while each
 * error keeps its line and column.
 */
class ErrorBoundsTest {

    private static String relationOf(int terms, java.util.function.IntFunction<String> term) {
        return "definition user {}\ndefinition doc {\n  relation viewer: "
                + IntStream.range(0, terms).mapToObj(term).collect(Collectors.joining(" | ")) + "\n}\n";
    }

    @Test
    void aThousandRepeatedTypesOnOneLine_giveAtMostTheLimitOfErrorsAndSayHowManyMore() {
        String schema = relationOf(1000, i -> "user");

        Compilation c = SchemaCompiler.compile(schema);

        assertThat(c.errors()).hasSize(SchemaCompiler.MAX_DIAGNOSTICS + 1);
        assertThat(c.errors().get(SchemaCompiler.MAX_DIAGNOSTICS).message())
                .isEqualTo("and " + (999 - SchemaCompiler.MAX_DIAGNOSTICS) + " more errors");
        Diagnostic first = c.errors().get(0);
        assertThat(first.line()).isEqualTo(3);
        assertThat(first.column()).isEqualTo(27);
        assertThat(first.message()).contains("`user` is listed twice");
    }

    @Test
    void thousandsOfUnknownTypesOnOneLine_giveAReportOfBoundedSize() {
        String schema = relationOf(4000, i -> "unknown" + i);

        SchemaException e = catchThrowableOfType(() -> SchemaCompiler.compile(schema).orThrow(), SchemaException.class);

        // Each error: a message, an excerpt of its line and a caret line, all bounded.
        int perError = Diagnostic.MAX_MESSAGE_CHARS + 2 * (Diagnostic.EXCERPT_CHARS + 8) + 40;
        assertThat(e.getMessage().length()).isLessThan((SchemaCompiler.MAX_DIAGNOSTICS + 1) * perError);
        assertThat(e.errors().get(0).message()).contains("unknown0");
    }

    @Test
    void anErrorFarIntoALongLine_showsAnExcerptAroundItsColumnWithTheCaretUnderIt() {
        String padding = "/* " + "x".repeat(2_000) + " */";
        String schema = "definition user {}\ndefinition doc {\n  " + padding + " relation viewer: nosuchtype " + padding
                + "\n}\n";
        Compilation c = SchemaCompiler.compile(schema);
        Diagnostic unknown = c.errors().stream().filter(d -> d.message().contains("nosuchtype")).findFirst()
                .orElseThrow();

        String[] lines = unknown.format("schema").split("\n");

        assertThat(lines[1].length()).isLessThanOrEqualTo(2 + Diagnostic.EXCERPT_CHARS + 2);
        assertThat(lines[1]).startsWith("  …").endsWith("…");
        int caret = lines[2].indexOf('^');
        assertThat(lines[1].substring(caret)).startsWith("nosuchtype");
        assertThat(unknown.column()).isEqualTo(schema.split("\n")[2].indexOf("nosuchtype") + 1);
    }

    @Test
    void aNameThousandsOfCharactersLong_givesAMessageOfBoundedLength() {
        String name = "a" + "b".repeat(20_000);
        Compilation c = SchemaCompiler.compile("definition user {}\ndefinition doc {\n  relation viewer: " + name + "\n}\n");

        assertThat(c.ok()).isFalse();
        assertThat(c.errors()).allSatisfy(d -> assertThat(d.message().length())
                .isLessThanOrEqualTo(Diagnostic.MAX_MESSAGE_CHARS));
        assertThat(c.errors().get(0).format("schema").length()).isLessThan(1_000);
    }
}
