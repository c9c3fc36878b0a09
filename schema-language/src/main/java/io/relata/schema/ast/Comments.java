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

    public boolean isEmpty() {
        return leading.isEmpty() && trailing.isEmpty();
    }
}
