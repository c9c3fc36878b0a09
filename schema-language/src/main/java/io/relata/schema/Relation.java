package io.relata.schema;

import java.util.List;

/**
 * A relation: relationships name it, and it allows only the subject types listed.
 *
 * @param name          the relation's name
 * @param doc           its doc comment text, or ""
 * @param comments      the comments written before it, as {@link ObjectDefinition#comments()}
 * @param allowedTypes  the subject types relationships of this relation may have, in schema order
 */
public record Relation(String name, String doc, List<String> comments, List<AllowedSubjectType> allowedTypes) {

    public Relation {
        comments = List.copyOf(comments);
        allowedTypes = List.copyOf(allowedTypes);
    }

    /** True when some allowed type is a wildcard. */
    public boolean allowsWildcard() {
        return allowedTypes.stream().anyMatch(t -> t.subject().wildcard());
    }

    /**
     * The allowed types matching a subject of type {@code subjectType} with subject relation
     * {@code subjectRelation} (null for a plain object).
     */
    public List<AllowedSubjectType> allowedFor(String subjectType, String subjectRelation) {
        return allowedTypes.stream()
                .filter(t -> t.subject().type().equals(subjectType)
                        && java.util.Objects.equals(t.subject().relation(), subjectRelation))
                .toList();
    }
}
