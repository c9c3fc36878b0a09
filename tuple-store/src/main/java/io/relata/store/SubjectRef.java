package io.relata.store;

import java.util.Objects;

/**
 * The subject of a relationship: an object ({@code user:alice}), a userset
 * ({@code group:eng#member}: every subject of that relation), or a wildcard
 * ({@code user:*}: every object of the type).
 *
 * @param type      the subject's type
 * @param id        the subject's id, or {@code *} for a wildcard
 * @param relation  the subject relation, or null for the object itself ({@code ...} is read as null)
 */
public record SubjectRef(String type, String id, String relation) implements Comparable<SubjectRef> {

    /** The id of a wildcard subject. */
    public static final String WILDCARD = "*";

    public SubjectRef {
        Names.type("subject", type);
        Names.id("subject", id, true);
        if (relation != null && (relation.isEmpty() || relation.equals("..."))) {
            relation = null;
        }
        if (relation != null) {
            Names.relation("subject relation", relation);
            if (WILDCARD.equals(id)) {
                throw new IllegalArgumentException("a wildcard subject `" + type + ":*` cannot have a relation");
            }
        }
    }

    public static SubjectRef object(String type, String id) {
        return new SubjectRef(type, id, null);
    }

    public static SubjectRef userset(String type, String id, String relation) {
        return new SubjectRef(type, id, Objects.requireNonNull(relation, "relation"));
    }

    public static SubjectRef wildcard(String type) {
        return new SubjectRef(type, WILDCARD, null);
    }

    public static SubjectRef of(ObjectRef object) {
        return new SubjectRef(object.type(), object.id(), null);
    }

    /** Parses {@code type:id}, {@code type:id#relation} or {@code type:*}. */
    public static SubjectRef parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(Names.quoted(text) + " is not a subject; write it as `type:id` or"
                    + " `type:id#relation`");
        }
        int hash = text.indexOf('#', colon);
        String id = hash < 0 ? text.substring(colon + 1) : text.substring(colon + 1, hash);
        String relation = hash < 0 ? null : text.substring(hash + 1);
        return new SubjectRef(text.substring(0, colon), id, relation);
    }

    public boolean isWildcard() {
        return WILDCARD.equals(id);
    }

    /** The relation as stored: "" for the object itself. */
    public String relationOrEmpty() {
        return relation == null ? "" : relation;
    }

    @Override
    public int compareTo(SubjectRef o) {
        int c = type.compareTo(o.type);
        if (c == 0) {
            c = id.compareTo(o.id);
        }
        return c != 0 ? c : relationOrEmpty().compareTo(o.relationOrEmpty());
    }

    @Override
    public String toString() {
        return relation == null ? type + ":" + id : type + ":" + id + "#" + relation;
    }
}
