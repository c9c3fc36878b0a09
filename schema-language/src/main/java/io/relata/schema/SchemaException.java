package io.relata.schema;

import java.util.List;
import java.util.stream.Collectors;

/** A schema that does not compile; carries every error, each with its position. */
public final class SchemaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<Diagnostic> errors;

    public SchemaException(List<Diagnostic> errors) {
        super(errors.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<Diagnostic> errors() {
        return errors;
    }
}
