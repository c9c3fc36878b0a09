package io.relata.schema;

import io.relata.schema.ast.SchemaFile;
import io.relata.schema.parser.SchemaSyntax;
import java.util.List;
import java.util.Optional;

/**
 * Reads schemas written in SpiceDB's schema language.
 *
 * <pre>{@code
 * Compilation c = SchemaCompiler.compile(text);
 * if (!c.ok()) {
 *     System.err.println(c.report("schema.zed"));   // file:line:column: message
 * }
 * Schema schema = c.orThrow();
 * }</pre>
 *
 * <p>Compiling runs in stages: the text is parsed (syntax errors stop here), then every
 * semantic rule is checked and all errors are reported together, then the caveat
 * expressions are type-checked with CEL. The compiler is stateless and thread-safe.
 */
public final class SchemaCompiler {

    private SchemaCompiler() {}

    /**
     * The most errors (and, separately, warnings) a parse or compilation reports; past them one
     * more diagnostic says how many were left out. The first ones are what to fix, and a bound
     * here keeps the report's size in proportion to the schema, not to its square.
     */
    public static final int MAX_DIAGNOSTICS = 100;

    /** The syntax tree of {@code text} and its syntax errors, without semantic checks. */
    public record Parsed(SchemaFile file, List<Diagnostic> errors) {

        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /**
     * Parses {@code text}. The tree keeps every comment and where everything was written;
     * {@link SchemaFormatter#format(SchemaFile)} prints it back.
     */
    public static Parsed parse(String text) {
        SchemaSyntax.Result result = SchemaSyntax.parse(text);
        return new Parsed(result.file(), bounded(result.errors()));
    }

    /**
     * Compiles {@code text} into a {@link Schema}, or reports every error with its line and
     * column. Never throws for bad input.
     */
    public static Compilation compile(String text) {
        SchemaSyntax.Result parsed = SchemaSyntax.parse(text);
        if (!parsed.errors().isEmpty()) {
            return new Compilation(Optional.empty(), bounded(parsed.errors()), List.of(), parsed.file());
        }
        SchemaValidator.Result result;
        try {
            result = new SchemaValidator(parsed.file(), new SourceText(text)).validate();
        } catch (StackOverflowError e) {
            Diagnostic tooDeep = new SourceText(text).error(io.relata.schema.ast.Span.NONE,
                    "the schema nests expressions too deeply to check; split deeply nested expressions into"
                            + " several permissions");
            return new Compilation(Optional.empty(), List.of(tooDeep), List.of(), parsed.file());
        }
        List<Diagnostic> errors = bounded(sorted(result.errors()));
        return new Compilation(Optional.ofNullable(result.schema()), errors, bounded(sorted(result.warnings())),
                parsed.file());
    }

    private static List<Diagnostic> sorted(List<Diagnostic> diagnostics) {
        return diagnostics.stream()
                .sorted(java.util.Comparator.comparingInt(Diagnostic::line).thenComparingInt(Diagnostic::column))
                .toList();
    }

    /** The first {@link #MAX_DIAGNOSTICS} of {@code diagnostics}, then "and N more ..." when there are more. */
    static List<Diagnostic> bounded(List<Diagnostic> diagnostics) {
        if (diagnostics.size() <= MAX_DIAGNOSTICS) {
            return diagnostics;
        }
        Diagnostic first = diagnostics.get(0);
        int more = diagnostics.size() - MAX_DIAGNOSTICS;
        String kind = first.severity() == Diagnostic.Severity.ERROR ? "error" : "warning";
        List<Diagnostic> kept = new java.util.ArrayList<>(diagnostics.subList(0, MAX_DIAGNOSTICS));
        kept.add(new Diagnostic(first.severity(), "and " + more + " more " + kind + (more == 1 ? "" : "s"),
                io.relata.schema.ast.Span.NONE, ""));
        return kept;
    }
}
