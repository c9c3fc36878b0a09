package io.relata.engine;

/**
 * The caveat of an entry of a subject set, as SpiceDB's caveat expression builder treats
 * it: either absent (unconditional) or present, with the value it evaluates to under the
 * request context. The combinators mirror SpiceDB's ({@code internal/caveats/builder.go}),
 * including their simplifications for an absent caveat, so that lookup subjects lists the
 * same entries SpiceDB lists.
 */
record Cav(boolean unconditional, Truth value) {

    static final Cav NONE = new Cav(true, Truth.TRUE);

    static Cav of(Truth value) {
        return new Cav(false, value);
    }

    /** AND: an absent side leaves the other. */
    Cav and(Cav o) {
        if (unconditional) {
            return o;
        }
        if (o.unconditional) {
            return this;
        }
        return of(value.and(o.value));
    }

    /** OR as SpiceDB builds it: an absent side leaves the other. */
    Cav or(Cav o) {
        if (unconditional) {
            return o;
        }
        if (o.unconditional) {
            return this;
        }
        return of(value.or(o.value));
    }

    /** Short-circuit OR: absent (always true) when either side is absent. */
    Cav scor(Cav o) {
        if (unconditional || o.unconditional) {
            return NONE;
        }
        return of(value.or(o.value));
    }

    /** NOT as SpiceDB builds it: NOT of an absent caveat is absent. */
    Cav not() {
        return unconditional ? NONE : of(value.not());
    }

    /** The value an API reports: TRUE for an absent caveat. */
    Truth truth() {
        return unconditional ? Truth.TRUE : value;
    }
}
