package io.relata.schema.ast;

/** {@code permission name = expression}. */
public record PermissionNode(String name, ExprNode expression, Comments comments, Span span, Span nameSpan)
        implements MemberNode {}
