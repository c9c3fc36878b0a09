package io.relata.schema.ast;

/** A relation or a permission inside a definition. */
public sealed interface MemberNode permits RelationNode, PermissionNode {

    String name();

    Comments comments();

    Span span();

    Span nameSpan();
}
