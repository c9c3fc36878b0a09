package io.relata.schema.ast;

import java.util.List;

/**
 * {@code caveat name(param type, ...) { expression }}.
 *
 * @param expression      the CEL expression, trimmed, continuation lines without the
 *                        indentation they share
 * @param expressionSpan  where the expression was written (CEL errors are placed there)
 * @param expressionLineColumns for each line of {@code expression}, the 1-based column in
 *                        the file where it starts (its line is {@code expressionSpan.line()}
 *                        plus its index), so CEL positions map back to the file
 */
public record CaveatNode(
        String name,
        List<ParameterNode> parameters,
        String expression,
        Comments comments,
        Span span,
        Span nameSpan,
        Span expressionSpan,
        List<Integer> expressionLineColumns) implements TopLevel {

    public CaveatNode {
        parameters = List.copyOf(parameters);
        expressionLineColumns = List.copyOf(expressionLineColumns);
    }

    /** Indentation is layout, not meaning: two caveats equal when their expressions read the same. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CaveatNode c
                && name.equals(c.name)
                && parameters.equals(c.parameters)
                && expression.equals(c.expression)
                && comments.equals(c.comments);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(name, parameters, expression, comments);
    }
}
