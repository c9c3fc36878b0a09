package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of {@link SchemaCompiler#compile}: for any text, compiling returns
 * a {@link Compilation} (it never throws), every diagnostic points inside the text (or at no
 * place), the report stays bounded whatever the input, and a schema that compiles formats to
 * text that compiles again.
 *
 * <p>In every build the seeds in {@code src/test/resources/io/relata/schema/SchemaCompilerFuzzTestInputs}
 * (the valid corpus, the conformance schemas and the inputs fuzzing found) are replayed; with
 * {@code JAZZER_FUZZ=1} Jazzer mutates them, guided by coverage (see the module README).
 */
class SchemaCompilerFuzzTest {

    /** Inputs are cut here: the compiler's time on large schemas is LargeSchemaTest's business. */
    static final int MAX_INPUT_BYTES = 16 * 1024;

    /** One diagnostic rendered: a message, a cut source line and its caret line, with room to spare. */
    private static final int MAX_FORMATTED_CHARS = Diagnostic.MAX_MESSAGE_CHARS + 4 * Diagnostic.EXCERPT_CHARS + 64;

    @FuzzTest(maxDuration = "3m")
    void compile_neverThrows_diagnosticsInsideTheText(byte[] data) {
        String text = new String(data, 0, Math.min(data.length, MAX_INPUT_BYTES), StandardCharsets.UTF_8);
        Compilation compilation = SchemaCompiler.compile(text);

        SchemaDiagnostics.assertInside(text, compilation.errors());
        SchemaDiagnostics.assertInside(text, compilation.warnings());
        assertThat(compilation.errors().size()).isLessThanOrEqualTo(SchemaCompiler.MAX_DIAGNOSTICS + 1);
        assertThat(compilation.warnings().size()).isLessThanOrEqualTo(SchemaCompiler.MAX_DIAGNOSTICS + 1);
        for (Diagnostic d : compilation.errors()) {
            assertThat(d.format("schema.zed").length()).as("%s", d.message()).isLessThanOrEqualTo(
                    "schema.zed".length() + 24 + MAX_FORMATTED_CHARS);
        }
        assertThat(compilation.ok()).isEqualTo(compilation.schema().isPresent());

        if (compilation.ok()) {
            String formatted = SchemaFormatter.format(compilation.syntax());
            Compilation again = SchemaCompiler.compile(formatted);
            assertThat(again.errors()).as("the formatted schema:\n%s", formatted).isEmpty();
            assertThat(SchemaFormatter.format(again.syntax())).as("format is idempotent").isEqualTo(formatted);
        }
    }
}
