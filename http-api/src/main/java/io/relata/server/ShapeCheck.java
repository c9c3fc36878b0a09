package io.relata.server;

import io.relata.schema.Schema;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.util.HashMap;
import java.util.Map;

/**
 * The schema check of a write ({@link Api#allowed}) for many relationships, done once per
 * distinct shape: whether a relationship is allowed depends only on its resource type,
 * relation, subject type, subject relation (or wildcard), caveat name and whether it expires,
 * besides a caveat's context, which is checked on every relationship that has one. A shape
 * seen allowed is remembered (a few per import); the lookup allocates nothing.
 *
 * <p>Not thread-safe: one per import, used on the thread that drains it.
 */
final class ShapeCheck {

    /** More distinct shapes than a schema can sensibly have: past this, each is checked in full. */
    private static final int MAX_SHAPES = 10_000;

    private final Schema schema;
    private final Map<Shape, Shape> allowed = new HashMap<>();
    private final Shape probe = new Shape();

    ShapeCheck(Schema schema) {
        this.schema = schema;
    }

    /** Throws what {@link Api#allowed} throws for a relationship the schema does not allow. */
    void check(Relationship r) {
        if (r.caveat() != null && !r.caveat().context().isEmpty()) {
            Api.allowed(schema, r);
            return;
        }
        probe.set(r);
        if (allowed.containsKey(probe)) {
            return;
        }
        Api.allowed(schema, r);
        if (allowed.size() < MAX_SHAPES) {
            Shape shape = new Shape();
            shape.set(r);
            allowed.put(shape, shape);
        }
    }

    /** A mutable key (only the probe is ever changed, and never while in the map). */
    private static final class Shape {
        String resourceType;
        String relation;
        String subjectType;
        String subjectRelation;
        boolean wildcard;
        String caveat;
        boolean expires;
        int hash;

        void set(Relationship r) {
            SubjectRef s = r.subject();
            resourceType = r.resource().type();
            relation = r.relation();
            subjectType = s.type();
            subjectRelation = s.relation();
            wildcard = s.isWildcard();
            caveat = r.caveat() == null ? null : r.caveat().name();
            expires = r.expiresAt() != null;
            int h = resourceType.hashCode();
            h = 31 * h + relation.hashCode();
            h = 31 * h + subjectType.hashCode();
            h = 31 * h + (subjectRelation == null ? 0 : subjectRelation.hashCode());
            h = 31 * h + (caveat == null ? 0 : caveat.hashCode());
            hash = 4 * h + (wildcard ? 2 : 0) + (expires ? 1 : 0);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Shape s && hash == s.hash && wildcard == s.wildcard && expires == s.expires
                    && resourceType.equals(s.resourceType) && relation.equals(s.relation)
                    && subjectType.equals(s.subjectType) && java.util.Objects.equals(subjectRelation, s.subjectRelation)
                    && java.util.Objects.equals(caveat, s.caveat);
        }
    }
}
