package io.relata.schema.ast;

import java.util.Objects;

/**
 * A comment as written, attached to the element it documents.
 *
 * @param kind  {@code //}, {@code /* *}{@code /} or {@code /** *}{@code /}
 * @param text  the whole comment including its delimiters; continuation lines of a
 *              multi-line comment are stored without their indentation, which the
 *              formatter supplies
 * @param span  where it was written
 * @param blankLineBefore  true when a blank line separates it from the comment before it
 *              in the same group (always false for the first of a group)
 */
public record Comment(Kind kind, String text, Span span, boolean blankLineBefore) {

    /** The three comment forms of the schema language. */
    public enum Kind {
        LINE,
        BLOCK,
        DOC
    }

    public Comment {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(span, "span");
    }

    /**
     * The comment as SpiceDB keeps it on what it documents: the whole text, delimiters
     * included, with every line trimmed of the whitespace around it.
     */
    public String trimmedText() {
        StringBuilder out = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(line.strip());
        }
        return out.toString();
    }

    /**
     * The text of a doc comment without its delimiters and leading asterisks, lines joined
     * by newlines; empty for other kinds.
     */
    public String docText() {
        if (kind != Kind.DOC) {
            return "";
        }
        String body = text.substring(3, text.length() - 2);
        StringBuilder out = new StringBuilder();
        for (String line : body.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("*")) {
                trimmed = trimmed.substring(1).strip();
            }
            if (out.length() > 0 || !trimmed.isEmpty()) {
                if (out.length() > 0) {
                    out.append('\n');
                }
                out.append(trimmed);
            }
        }
        return out.toString().strip();
    }
}
