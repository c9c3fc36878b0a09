package io.relata.engine;

import java.util.Set;
import java.util.TreeSet;

/**
 * Three-valued (Kleene) truth of "the subject is in this set": TRUE, FALSE, or UNKNOWN
 * because caveat parameters are missing (which ones is kept). Caveats are evaluated at the
 * relationship they sit on and combined with these rules, as SpiceDB combines caveat results.
 */
final class Truth {

    static final Truth TRUE = new Truth(Kind.TRUE, Set.of());
    static final Truth FALSE = new Truth(Kind.FALSE, Set.of());

    enum Kind {
        TRUE,
        FALSE,
        UNKNOWN
    }

    final Kind kind;
    final Set<String> missing;

    private Truth(Kind kind, Set<String> missing) {
        this.kind = kind;
        this.missing = missing;
    }

    static Truth unknown(Set<String> missing) {
        return new Truth(Kind.UNKNOWN, Set.copyOf(missing));
    }

    boolean isTrue() {
        return kind == Kind.TRUE;
    }

    boolean isFalse() {
        return kind == Kind.FALSE;
    }

    boolean isUnknown() {
        return kind == Kind.UNKNOWN;
    }

    Truth or(Truth o) {
        if (kind == Kind.TRUE || o.kind == Kind.TRUE) {
            return TRUE;
        }
        if (kind == Kind.FALSE) {
            return o;
        }
        if (o.kind == Kind.FALSE) {
            return this;
        }
        return unknown(union(missing, o.missing));
    }

    Truth and(Truth o) {
        if (kind == Kind.FALSE || o.kind == Kind.FALSE) {
            return FALSE;
        }
        if (kind == Kind.TRUE) {
            return o;
        }
        if (o.kind == Kind.TRUE) {
            return this;
        }
        return unknown(union(missing, o.missing));
    }

    Truth not() {
        return switch (kind) {
            case TRUE -> FALSE;
            case FALSE -> TRUE;
            case UNKNOWN -> this;
        };
    }

    /** The missing parameter names, sorted. */
    java.util.List<String> missingSorted() {
        return missing.stream().sorted().toList();
    }

    Permissionship permissionship() {
        return switch (kind) {
            case TRUE -> Permissionship.HAS;
            case FALSE -> Permissionship.NO;
            case UNKNOWN -> Permissionship.CONDITIONAL;
        };
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.addAll(b);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Truth t && kind == t.kind && missing.equals(t.missing);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + missing.hashCode();
    }

    @Override
    public String toString() {
        return kind == Kind.UNKNOWN ? "UNKNOWN" + missing : kind.toString();
    }
}
