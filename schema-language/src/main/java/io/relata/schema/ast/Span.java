package io.relata.schema.ast;

/**
 * Where a piece of schema text was written: 1-based line and column of its first and last
 * character, and its offsets ({@code endOffset} exclusive). Columns and offsets count
 * Unicode code points, as ANTLR does.
 *
 * <p>A span is not part of what a node means: any two spans are {@linkplain #equals equal},
 * so two syntax trees that say the same thing compare equal wherever they were written.
 * This is what makes {@code parse(format(s)).equals(parse(s))} a meaningful property.
 */
public final class Span {

    /** The span of something that has no place in the text (built in code, not parsed). */
    public static final Span NONE = new Span(0, 0, 0, 0, 0, 0);

    private final int line;
    private final int column;
    private final int endLine;
    private final int endColumn;
    private final int startOffset;
    private final int endOffset;

    public Span(int line, int column, int endLine, int endColumn, int startOffset, int endOffset) {
        this.line = line;
        this.column = column;
        this.endLine = endLine;
        this.endColumn = endColumn;
        this.startOffset = startOffset;
        this.endOffset = endOffset;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    public int endLine() {
        return endLine;
    }

    public int endColumn() {
        return endColumn;
    }

    public int startOffset() {
        return startOffset;
    }

    public int endOffset() {
        return endOffset;
    }

    /** True for a span that points into the text. */
    public boolean isKnown() {
        return line > 0;
    }

    /** The smallest span covering both. */
    public Span to(Span other) {
        if (!isKnown()) {
            return other;
        }
        if (!other.isKnown()) {
            return this;
        }
        Span first = startOffset <= other.startOffset ? this : other;
        Span last = endOffset >= other.endOffset ? this : other;
        return new Span(first.line, first.column, last.endLine, last.endColumn, first.startOffset, last.endOffset);
    }

    /** Spans never distinguish nodes; see the class comment. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Span;
    }

    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return line + ":" + column;
    }
}
