package io.relata.schema.ast;

/** {@code nil}: the empty set. */
public record NilNode(Span span) implements ExprNode {}
