package io.relata.schema.ast;

import java.util.List;

/**
 * Relata's {@code composite name = a > b { ... }}: a chain of principal types, and for each
 * permission asked of the chain, the permission each link must hold.
 *
 * @param name             the composite's name
 * @param chain            the principal types, first link first, each with where it was written
 * @param rules            the permissions asked of the chain, in source order
 * @param closingComments  comments after the last rule, before the closing brace
 */
public record CompositeNode(
        String name,
        List<Named> chain,
        List<CompositeRuleNode> rules,
        Comments comments,
        List<Comment> closingComments,
        Span span,
        Span nameSpan) implements TopLevel {

    /** A name and where it was written. */
    public record Named(String name, Span span) {}

    public CompositeNode {
        chain = List.copyOf(chain);
        rules = List.copyOf(rules);
        closingComments = List.copyOf(closingComments);
    }
}
