package io.relata.schema.ast;

/** One caveat parameter: {@code name type}. */
public record ParameterNode(String name, TypeExprNode type, Span span) {}
