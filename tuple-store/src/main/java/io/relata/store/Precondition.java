package io.relata.store;

import java.util.Objects;

/** A condition a write checks, in its transaction, before it changes anything. */
public record Precondition(Kind kind, RelationshipFilter filter) {

    /** Whether some live relationship must, or must not, match the filter. */
    public enum Kind {
        MUST_MATCH,
        MUST_NOT_MATCH
    }

    public Precondition {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(filter, "filter");
    }

    public static Precondition mustMatch(RelationshipFilter filter) {
        return new Precondition(Kind.MUST_MATCH, filter);
    }

    public static Precondition mustNotMatch(RelationshipFilter filter) {
        return new Precondition(Kind.MUST_NOT_MATCH, filter);
    }
}
