package io.relata.schema.ast;

/**
 * {@code left->right}, {@code left.any(right)} or {@code left.all(right)}: follow the
 * relation {@code left} to its subjects and evaluate {@code right} on each.
 */
public record ArrowNode(String left, String right, Function function, Span span, Span leftSpan, Span rightSpan)
        implements ExprNode {

    /** How the subjects' answers combine: {@code ->} and {@code .any} need one, {@code .all} needs all. */
    public enum Function {
        ARROW,
        ANY,
        ALL
    }
}
