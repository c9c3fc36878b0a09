package io.relata.schema;

import java.util.List;
import java.util.Objects;

/**
 * A permission: computed from relations and other permissions by its rewrite, never written.
 *
 * @param name     the permission's name
 * @param doc      its doc comment text, or ""
 * @param comments the comments written before it, as {@link ObjectDefinition#comments()}
 * @param rewrite  how it is computed
 */
public record Permission(String name, String doc, List<String> comments, Rewrite rewrite) {

    public Permission {
        comments = List.copyOf(comments);
        Objects.requireNonNull(rewrite, "rewrite");
    }
}
