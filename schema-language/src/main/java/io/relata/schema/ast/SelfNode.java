package io.relata.schema.ast;

/** {@code self}: the resource itself, as a subject of its own type (needs {@code use self}). */
public record SelfNode(Span span) implements ExprNode {}
