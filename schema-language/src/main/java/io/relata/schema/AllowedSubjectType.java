package io.relata.schema;

import java.util.Objects;

/**
 * One subject type a relation allows, with the caveat and expiration its relationships
 * may (or, for a caveat, must) carry.
 *
 * @param subject     the kind of subject
 * @param caveat      the caveat named by {@code with caveat}, or null
 * @param expiration  true when relationships of this type may carry an expiration time
 */
public record AllowedSubjectType(SubjectType subject, String caveat, boolean expiration) {

    public AllowedSubjectType {
        Objects.requireNonNull(subject, "subject");
    }

    /** The type as written in a schema: {@code user:* with ip_allowed and expiration}. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(subject.toString());
        if (caveat != null) {
            out.append(" with ").append(caveat);
            if (expiration) {
                out.append(" and expiration");
            }
        } else if (expiration) {
            out.append(" with expiration");
        }
        return out.toString();
    }
}
