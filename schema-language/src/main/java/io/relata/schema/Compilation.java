package io.relata.schema;

import io.relata.schema.ast.SchemaFile;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The outcome of compiling a schema: the compiled {@link Schema} when there are no errors,
 * the errors otherwise, and warnings either way.
 *
 * @param schema    the compiled schema; empty when {@code errors} is not
 * @param errors    every error found, in source order
 * @param warnings  problems that do not stop the schema from being used, in source order
 * @param syntax    the syntax tree (partial when there are syntax errors)
 */
public record Compilation(Optional<Schema> schema, List<Diagnostic> errors, List<Diagnostic> warnings,
        SchemaFile syntax) {

    public Compilation {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    /** True when the schema compiled. */
    public boolean ok() {
        return errors.isEmpty();
    }

    /**
     * The compiled schema.
     *
     * @throws SchemaException listing every error, when there are any
     */
    public Schema orThrow() {
        if (!ok()) {
            throw new SchemaException(errors);
        }
        return schema.orElseThrow();
    }

    /** All errors, then all warnings, each as {@code file:line:column: message} with its source line. */
    public String report(String fileName) {
        return java.util.stream.Stream.concat(errors.stream(), warnings.stream())
                .map(d -> d.format(fileName))
                .collect(Collectors.joining("\n"));
    }
}
