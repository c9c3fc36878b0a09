package io.relata.schema;

import java.util.Objects;

/**
 * A permission: computed from relations and other permissions by its rewrite, never written.
 *
 * @param name     the permission's name
 * @param doc      its doc comment text, or ""
 * @param rewrite  how it is computed
 */
public record Permission(String name, String doc, Rewrite rewrite) {

    public Permission {
        Objects.requireNonNull(rewrite, "rewrite");
    }
}
