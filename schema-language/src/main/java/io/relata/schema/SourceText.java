package io.relata.schema;

import io.relata.schema.ast.Span;
import java.util.ArrayList;
import java.util.List;

/** The text of a schema with fast access to its lines, for building diagnostics. */
public final class SourceText {

    private final String text;
    private final List<String> lines = new ArrayList<>();

    public SourceText(String text) {
        this.text = text;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(text.substring(start, i));
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        lines.add(text.substring(start));
    }

    public String text() {
        return text;
    }

    /** The text of 1-based line {@code line}, or "" when there is no such line. */
    public String line(int line) {
        return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
    }

    public Diagnostic error(Span span, String message) {
        return new Diagnostic(Diagnostic.Severity.ERROR, message, span, line(span.line()));
    }

    public Diagnostic warning(Span span, String message) {
        return new Diagnostic(Diagnostic.Severity.WARNING, message, span, line(span.line()));
    }
}
