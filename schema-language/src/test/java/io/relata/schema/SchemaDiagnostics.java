package io.relata.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/** Assertions on where diagnostics point, shared by the fuzz tests. */
final class SchemaDiagnostics {

    private SchemaDiagnostics() {}

    /**
     * Asserts that each diagnostic has no position, or a 1-based line of {@code text} and a
     * 1-based column (in code points, as the lexer counts) at most one past the end of that line.
     * Lines end at {@code \r\n}, {@code \n} or a lone {@code \r}, as in SpiceDB.
     */
    static void assertInside(String text, List<Diagnostic> diagnostics) {
        String[] lines = text.split("\r\n|\r|\n", -1);
        for (Diagnostic d : diagnostics) {
            if (!d.span().isKnown()) {
                assertThat(d.column()).as("%s", d.message()).isZero();
                continue;
            }
            assertThat(d.line()).as("line of %s", d.message()).isBetween(1, lines.length);
            String line = lines[d.line() - 1];
            int width = line.codePointCount(0, line.length());
            assertThat(d.column()).as("column of %s on %s", d.message(), line).isBetween(1, width + 1);
            assertThat(d.span().endLine()).as("end line of %s", d.message()).isBetween(d.line(), lines.length);
        }
    }
}
