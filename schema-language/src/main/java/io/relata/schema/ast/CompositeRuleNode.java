package io.relata.schema.ast;

import java.util.List;

/**
 * {@code permission type#name = p1 > p2}, inside a composite: asking the chain for
 * {@code name} on a {@code type} means link i must hold {@code pi} on that resource.
 *
 * @param resourceType  the resource type the rule is about
 * @param permission    the name a request asks for
 * @param links         the permission (or relation) of {@code resourceType} each link must hold, in chain order
 */
public record CompositeRuleNode(
        CompositeNode.Named resourceType,
        CompositeNode.Named permission,
        List<CompositeNode.Named> links,
        Comments comments,
        Span span) {

    public CompositeRuleNode {
        links = List.copyOf(links);
    }
}
