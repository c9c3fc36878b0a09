package io.relata.schema.ast;

import java.util.List;

/** {@code relation name: type | type#rel | type:* | type with caveat}. */
public record RelationNode(String name, List<TypeRefNode> types, Comments comments, Span span, Span nameSpan)
        implements MemberNode {

    public RelationNode {
        types = List.copyOf(types);
    }
}
