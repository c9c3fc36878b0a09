package io.relata.schema.ast;

/** A relation or permission of the same definition, by name. */
public record ReferenceNode(String name, Span span) implements ExprNode {}
