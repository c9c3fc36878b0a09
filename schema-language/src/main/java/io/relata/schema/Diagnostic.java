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

    /** The longest message kept; a longer one (a name written thousands of characters long) is cut. */
    public static final int MAX_MESSAGE_CHARS = 500;

    /** The most characters of the source line {@link #format} and {@link #excerpt} show. */
    public static final int EXCERPT_CHARS = 120;

    /** How much of the line before the column an excerpt shows, when the line is longer than an excerpt. */
    private static final int EXCERPT_BEFORE = 40;

    /**
     * A diagnostic. A message longer than {@link #MAX_MESSAGE_CHARS} is cut there and ends
     * with {@code …}, so an error's size never follows the size of what it quotes.
     */
    public Diagnostic {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(span, "span");
        Objects.requireNonNull(sourceLine, "sourceLine");
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = message.substring(0, MAX_MESSAGE_CHARS - 1) + "…";
        }
    }

    /**
     * The part of the source line around the diagnostic's column: the whole line when it has
     * at most {@link #EXCERPT_CHARS} characters, else that many from a little before the
     * column, with {@code …} where the line goes on.
     */
    public Excerpt excerpt() {
        int length = sourceLine.length();
        if (length <= EXCERPT_CHARS) {
            return new Excerpt(sourceLine, 1);
        }
        int at = Math.min(Math.max(0, span.column() - 1), length);
        int from = Math.max(0, Math.min(at - EXCERPT_BEFORE, length - EXCERPT_CHARS));
        int to = Math.min(length, from + EXCERPT_CHARS);
        String text = (from > 0 ? "…" : "") + sourceLine.substring(from, to) + (to < length ? "…" : "");
        return new Excerpt(text, from + 1 - (from > 0 ? 1 : 0));
    }

    /**
     * Some of a source line.
     *
     * @param text         the characters shown
     * @param firstColumn  the 1-based column of the line that {@code text} starts at (an
     *                     opening {@code …} stands one column before the first character shown)
     */
    public record Excerpt(String text, int firstColumn) {}

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
            Excerpt shown = excerpt();
            out.append('\n').append("  ").append(shown.text().replace('\t', ' '));
            int indent = Math.max(0, span.column() - shown.firstColumn());
            int width = span.endLine() == span.line() ? Math.max(1, span.endColumn() - span.column() + 1) : 1;
            width = Math.max(1, Math.min(width, shown.text().length() - indent));
            out.append('\n').append("  ").append(" ".repeat(indent)).append("^".repeat(width));
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
