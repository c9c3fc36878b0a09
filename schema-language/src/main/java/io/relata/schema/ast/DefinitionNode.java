package io.relata.schema.ast;

import java.util.List;

/**
 * {@code definition name { ... }}: an object type with its relations and permissions.
 *
 * @param name             the type name, with its {@code prefix/} if any
 * @param members          relations and permissions in source order
 * @param closingComments  comments after the last member, before the closing brace
 */
public record DefinitionNode(
        String name,
        List<MemberNode> members,
        Comments comments,
        List<Comment> closingComments,
        Span span,
        Span nameSpan) implements TopLevel {

    public DefinitionNode {
        members = List.copyOf(members);
        closingComments = List.copyOf(closingComments);
    }
}
