package io.relata.schema.ast;

/** A permission expression. */
public sealed interface ExprNode permits BinaryNode, ReferenceNode, ArrowNode, NilNode, SelfNode {

    Span span();
}
