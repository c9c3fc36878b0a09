package io.relata.schema;

import dev.cel.common.CelAbstractSyntaxTree;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A caveat: a CEL expression over named, typed parameters that must hold for a caveated
 * relationship to count. The expression has been parsed and type-checked; the checked
 * syntax tree is what an evaluator runs.
 */
public final class CaveatDefinition {

    private final String name;
    private final String doc;
    private final List<String> comments;
    private final Map<String, CaveatParameterType> parameters;
    private final String expression;
    private final CelAbstractSyntaxTree checkedExpression;

    public CaveatDefinition(String name, String doc, List<String> comments, Map<String, CaveatParameterType> parameters,
            String expression, CelAbstractSyntaxTree checkedExpression) {
        this.name = Objects.requireNonNull(name, "name");
        this.doc = Objects.requireNonNull(doc, "doc");
        this.comments = List.copyOf(comments);
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.expression = Objects.requireNonNull(expression, "expression");
        this.checkedExpression = Objects.requireNonNull(checkedExpression, "checkedExpression");
    }

    public String name() {
        return name;
    }

    /** Doc comment text, or "". */
    public String doc() {
        return doc;
    }

    /** The comments written before it, as {@link ObjectDefinition#comments()}. */
    public List<String> comments() {
        return comments;
    }

    /** Parameters by name, in declaration order. */
    public Map<String, CaveatParameterType> parameters() {
        return parameters;
    }

    /** The CEL expression as written (indentation normalized). */
    public String expression() {
        return expression;
    }

    /** The parsed and type-checked expression, ready to plan and evaluate. */
    public CelAbstractSyntaxTree checkedExpression() {
        return checkedExpression;
    }

    /** Caveats are equal when name, doc, comments, parameters and expression text are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CaveatDefinition c
                && name.equals(c.name)
                && doc.equals(c.doc)
                && comments.equals(c.comments)
                && parameters.equals(c.parameters)
                && expression.equals(c.expression);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, doc, comments, parameters, expression);
    }

    @Override
    public String toString() {
        return "caveat " + name + parameters + " { " + expression + " }";
    }
}
