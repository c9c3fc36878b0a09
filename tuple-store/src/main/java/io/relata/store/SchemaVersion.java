package io.relata.store;

import java.util.Objects;

/** A tenant's schema text and the revision it took effect at. */
public record SchemaVersion(String text, Revision revision) {

    public SchemaVersion {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(revision, "revision");
    }
}
