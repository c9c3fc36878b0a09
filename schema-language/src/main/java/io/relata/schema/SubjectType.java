package io.relata.schema;

import java.util.Objects;

/**
 * A kind of subject: objects of a type ({@code user}), a userset of a type
 * ({@code group#member}) or the wildcard of a type ({@code user:*}).
 *
 * @param type      the subject's object type
 * @param relation  the subject relation, or null for a plain object or a wildcard
 * @param wildcard  true for {@code type:*}
 */
public record SubjectType(String type, String relation, boolean wildcard) implements Comparable<SubjectType> {

    public SubjectType {
        Objects.requireNonNull(type, "type");
        if (wildcard && relation != null) {
            throw new IllegalArgumentException("a wildcard subject type has no relation: " + type + ":*#" + relation);
        }
    }

    public static SubjectType object(String type) {
        return new SubjectType(type, null, false);
    }

    public static SubjectType userset(String type, String relation) {
        return new SubjectType(type, Objects.requireNonNull(relation, "relation"), false);
    }

    public static SubjectType wildcardOf(String type) {
        return new SubjectType(type, null, true);
    }

    @Override
    public int compareTo(SubjectType o) {
        return toString().compareTo(o.toString());
    }

    /** {@code user}, {@code group#member} or {@code user:*}. */
    @Override
    public String toString() {
        if (wildcard) {
            return type + ":*";
        }
        return relation == null ? type : type + "#" + relation;
    }
}
