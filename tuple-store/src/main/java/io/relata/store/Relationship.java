package io.relata.store;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A relationship: {@code resource#relation@subject}, optionally with a caveat and an
 * expiration time. Its identity is resource, relation and subject ({@link #key()}); the
 * caveat and the expiration are attributes that a TOUCH replaces. Once expired, a
 * relationship is invisible to reads and checks.
 *
 * <p>The canonical text is {@code type:id#relation@type:id[#relation][[caveat:{json}]][[expiration:RFC3339]]}.
 */
public record Relationship(ObjectRef resource, String relation, SubjectRef subject, Caveat caveat,
        Instant expiresAt) implements Comparable<Relationship> {

    public Relationship {
        Objects.requireNonNull(resource, "resource");
        Names.relation("relation", relation);
        Objects.requireNonNull(subject, "subject");
    }

    public static Relationship of(ObjectRef resource, String relation, SubjectRef subject) {
        return new Relationship(resource, relation, subject, null, null);
    }

    /** Parses the canonical text form. @throws IllegalArgumentException with what is wrong */
    public static Relationship parse(String text) {
        String s = text.strip();
        Caveat caveat = null;
        Instant expiresAt = null;
        while (s.endsWith("]")) {
            int open = matchingOpen(s);
            if (open < 0) {
                throw new IllegalArgumentException(Names.quoted(text) + ": unbalanced `[`");
            }
            String trait = s.substring(open + 1, s.length() - 1);
            s = s.substring(0, open);
            if (trait.startsWith("expiration:")) {
                try {
                    expiresAt = Instant.parse(trait.substring("expiration:".length()));
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException(Names.quoted(text) + ": expiration is not an RFC 3339 time", e);
                }
            } else {
                int colon = trait.indexOf(':');
                caveat = colon < 0
                        ? Caveat.of(trait)
                        : new Caveat(trait.substring(0, colon), Json.readObject(trait.substring(colon + 1)));
            }
        }
        int at = s.indexOf('@');
        int hash = s.indexOf('#');
        if (at < 0 || hash < 0 || hash > at) {
            throw new IllegalArgumentException(Names.quoted(text) + " is not a relationship; write it as"
                    + " `type:id#relation@type:id` or `type:id#relation@type:id#relation`");
        }
        return new Relationship(ObjectRef.parse(s.substring(0, hash)), s.substring(hash + 1, at),
                SubjectRef.parse(s.substring(at + 1)), caveat, expiresAt);
    }

    private static int matchingOpen(String s) {
        int depth = 0;
        boolean inString = false;
        for (int i = s.length() - 1; i >= 0; i--) {
            char c = s.charAt(i);
            if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
                inString = !inString;
            } else if (!inString && c == ']') {
                depth++;
            } else if (!inString && c == '[') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The identity: resource, relation and subject. */
    public Relationship key() {
        return caveat == null && expiresAt == null ? this : new Relationship(resource, relation, subject, null, null);
    }

    /** True when the relationship has expired at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    public Relationship withCaveat(Caveat caveat) {
        return new Relationship(resource, relation, subject, caveat, expiresAt);
    }

    public Relationship withExpiration(Instant expiresAt) {
        return new Relationship(resource, relation, subject, caveat, expiresAt);
    }

    /** Orders by resource type, resource id, relation, subject type, subject id, subject relation. */
    @Override
    public int compareTo(Relationship o) {
        int c = resource.compareTo(o.resource);
        if (c == 0) {
            c = relation.compareTo(o.relation);
        }
        return c != 0 ? c : subject.compareTo(o.subject);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder().append(resource).append('#').append(relation).append('@').append(subject);
        if (caveat != null) {
            out.append('[').append(caveat).append(']');
        }
        if (expiresAt != null) {
            out.append("[expiration:").append(expiresAt).append(']');
        }
        return out.toString();
    }
}
