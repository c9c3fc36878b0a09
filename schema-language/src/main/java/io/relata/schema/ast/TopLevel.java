package io.relata.schema.ast;

/** An item at the top level of a schema file. */
public sealed interface TopLevel permits UseDirective, ImportDirective, DefinitionNode, CaveatNode {

    Comments comments();

    Span span();
}
