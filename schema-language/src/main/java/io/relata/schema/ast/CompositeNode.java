package io.relata.schema.ast;

import java.util.List;

/**
 * Relata's {@code composite name = a > b { ... }}: a chain of principal types, and for each
 * permission asked of the chain, the permission each link must hold.
 *
 * @param name             the composite's name
 * @param chain            the principal types, first link first, each with where it was written
 * @param bindings         {@code where type#relation}: the link after {@code type} must be that relation of it
 * @param rules            the permissions asked of the chain, in source order
 * @param closingComments  comments after the last rule, before the closing brace
 */
public record CompositeNode(
        String name,
        List<Named> chain,
        List<Binding> bindings,
        List<CompositeRuleNode> rules,
        Comments comments,
        List<Comment> closingComments,
        Span span,
        Span nameSpan) implements TopLevel {

    /** A name and where it was written. */
    public record Named(String name, Span span) {}

    /** {@code type#relation} after {@code where}. */
    public record Binding(Named type, Named relation, Span span) {}

    public CompositeNode {
        chain = List.copyOf(chain);
        bindings = List.copyOf(bindings);
        rules = List.copyOf(rules);
        closingComments = List.copyOf(closingComments);
    }
}
