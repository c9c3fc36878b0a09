package io.relata.schema.ast;

import java.util.List;
import java.util.stream.Collectors;

/** A caveat parameter type as written: {@code int}, {@code list<string>}, {@code map<list<int>>}. */
public record TypeExprNode(String name, List<TypeExprNode> arguments, Span span) {

    public TypeExprNode {
        arguments = List.copyOf(arguments);
    }

    /** The type in schema syntax, e.g. {@code map<list<int>>}. */
    public String text() {
        if (arguments.isEmpty()) {
            return name;
        }
        return name + arguments.stream().map(TypeExprNode::text).collect(Collectors.joining(", ", "<", ">"));
    }
}
