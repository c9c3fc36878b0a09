package io.relata.store;

/**
 * A point in a tenant's history: every write commits at the next revision, and reading at
 * revision R sees exactly what was committed at R or before. Revisions of one tenant are
 * ordered as their commits were.
 */
public record Revision(long value) implements Comparable<Revision> {

    /** Before the first write. */
    public static final Revision ZERO = new Revision(0);

    public Revision {
        if (value < 0) {
            throw new IllegalArgumentException("a revision is not negative: " + value);
        }
    }

    public static Revision of(long value) {
        return new Revision(value);
    }

    public boolean isAfter(Revision other) {
        return value > other.value;
    }

    @Override
    public int compareTo(Revision o) {
        return Long.compare(value, o.value);
    }

    @Override
    public String toString() {
        return Long.toString(value);
    }
}
