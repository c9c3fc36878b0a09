package io.relata.schema;

import io.relata.schema.ast.Span;
import java.util.Objects;

/**
 * An error or warning about a schema, with where it is and the line it is on.
 *
 * @param severity    whether the schema is refused ({@link Severity#ERROR}) or only
 *                    questionable ({@link Severity#WARNING})
 * @param message     what is wrong and, where one is known, how to fix it
 * @param span        where; {@link Span#NONE} for a problem of the file as a whole
 * @param sourceLine  the text of the line the problem starts on, or "" without a span
 */
public record Diagnostic(Severity severity, String message, Span span, String sourceLine) {

    /** How bad a diagnostic is. */
    public enum Severity {
        ERROR,
        WARNING
    }

    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(span, "span");
        Objects.requireNonNull(sourceLine, "sourceLine");
    }

    /** 1-based line, or 0 when the diagnostic has no position. */
    public int line() {
        return span.line();
    }

    /** 1-based column, or 0 when the diagnostic has no position. */
    public int column() {
        return span.column();
    }

    /**
     * The diagnostic as a compiler prints it: {@code file:line:column: message}, then the
     * source line and a caret under the column. Warnings say {@code warning:} before the
     * message.
     */
    public String format(String fileName) {
        StringBuilder out = new StringBuilder(fileName);
        if (span.isKnown()) {
            out.append(':').append(span.line()).append(':').append(span.column());
        }
        out.append(": ");
        if (severity == Severity.WARNING) {
            out.append("warning: ");
        }
        out.append(message);
        if (span.isKnown() && !sourceLine.isEmpty()) {
            out.append('\n').append("  ").append(sourceLine.replace('\t', ' '));
            int width = span.endLine() == span.line() ? Math.max(1, span.endColumn() - span.column() + 1) : 1;
            out.append('\n').append("  ").append(" ".repeat(Math.max(0, span.column() - 1))).append("^".repeat(width));
        }
        return out.toString();
    }

    /** Unlike syntax nodes, diagnostics differ by where they point. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Diagnostic d
                && severity == d.severity
                && message.equals(d.message)
                && span.line() == d.span.line() && span.column() == d.span.column()
                && span.endLine() == d.span.endLine() && span.endColumn() == d.span.endColumn();
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(severity, message, span.line(), span.column());
    }

    @Override
    public String toString() {
        return format("schema");
    }
}
