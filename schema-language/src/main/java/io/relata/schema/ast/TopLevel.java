package io.relata.schema.ast;

/** An item at the top level of a schema file. */
public sealed interface TopLevel permits UseDirective, ImportDirective, DefinitionNode, CaveatNode, CompositeNode {

    Comments comments();

    Span span();
}
