package io.relata.schema.ast;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The comments attached to one element: those written before it (and any written inside
 * it, which have no better place), and those that follow it on its last line.
 */
public record Comments(List<Comment> leading, List<Comment> trailing) {

    public static final Comments NONE = new Comments(List.of(), List.of());

    public Comments {
        leading = List.copyOf(leading);
        trailing = List.copyOf(trailing);
    }

    /** The element's documentation: the text of its doc comments, or "" when it has none. */
    public String doc() {
        return leading.stream()
                .filter(c -> c.kind() == Comment.Kind.DOC)
                .map(Comment::docText)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.joining("\n"));
    }

    /**
     * The comments written before {@code element} begins, each {@linkplain Comment#trimmedText()
     * trimmed}, in source order: what SpiceDB attaches to a definition, relation, permission
     * or caveat (all three kinds, as written). Leading comments written inside the element
     * and trailing ones are not among them; SpiceDB keeps neither.
     */
    public List<String> before(Span element) {
        return leading.stream()
                .filter(c -> !element.isKnown() || c.span().endOffset() <= element.startOffset())
                .map(Comment::trimmedText)
                .toList();
    }

    public boolean isEmpty() {
        return leading.isEmpty() && trailing.isEmpty();
    }
}
