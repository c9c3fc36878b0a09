package io.relata.store;

/**
 * Relationships by their types rather than their ids: a resource type, and optionally a
 * relation, a kind of subject, a caveat and whether they expire. Before a schema change
 * removes a definition, a relation or an allowed subject type, it asks the store for one
 * live relationship of the shape that removal would leave without schema
 * ({@link WriteValidator.Context#findAny}).
 *
 * @param resourceType     the resource type
 * @param relation         the relation, or null for any
 * @param subjectType      the subject type, or null for any
 * @param subjectRelation  null for any, "" for plain objects and wildcards ({@code ...} is read as ""), or a
 *                         subject relation
 * @param wildcard         null for any subject, true for wildcard subjects ({@code type:*}) only, false for every
 *                         subject but wildcards
 * @param caveat           null for any, "" for relationships without a caveat, or the caveat they carry
 * @param expiring         null for any, true for relationships with an expiration time, false for those without
 * @throws IllegalArgumentException for an invalid name, or subject parts without a subject type
 */
public record RelationshipShape(String resourceType, String relation, String subjectType, String subjectRelation,
        Boolean wildcard, String caveat, Boolean expiring) {

    public RelationshipShape {
        Names.type("shape resource", resourceType);
        if (relation != null) {
            Names.relation("shape relation", relation);
        }
        if (subjectType != null) {
            Names.type("shape subject", subjectType);
        } else if (subjectRelation != null || wildcard != null) {
            throw new IllegalArgumentException("a shape's subject relation or wildcard needs a subject type");
        }
        if ("...".equals(subjectRelation)) {
            subjectRelation = "";
        }
        if (subjectRelation != null && !subjectRelation.isEmpty()) {
            Names.relation("shape subject relation", subjectRelation);
            if (Boolean.TRUE.equals(wildcard)) {
                throw new IllegalArgumentException("a wildcard subject `" + subjectType + ":*` has no relation");
            }
        }
        if (caveat != null && !caveat.isEmpty()) {
            Names.caveat(caveat);
        }
    }

    /** Every relationship of a resource type. */
    public static RelationshipShape ofType(String resourceType) {
        return new RelationshipShape(resourceType, null, null, null, null, null, null);
    }

    /** Every relationship of one relation of a resource type. */
    public static RelationshipShape of(String resourceType, String relation) {
        return new RelationshipShape(resourceType, relation, null, null, null, null, null);
    }

    /** This shape, for subjects of {@code subjectType} with {@code subjectRelation} ("" for none), wildcards or not. */
    public RelationshipShape withSubject(String subjectType, String subjectRelation, Boolean wildcard) {
        return new RelationshipShape(resourceType, relation, subjectType, subjectRelation, wildcard, caveat, expiring);
    }

    /** This shape, for relationships carrying {@code caveat} ("" for those without one, null for any). */
    public RelationshipShape withCaveat(String caveat) {
        return new RelationshipShape(resourceType, relation, subjectType, subjectRelation, wildcard, caveat, expiring);
    }

    /** This shape, for relationships that expire (true), do not (false), or either (null). */
    public RelationshipShape withExpiring(Boolean expiring) {
        return new RelationshipShape(resourceType, relation, subjectType, subjectRelation, wildcard, caveat, expiring);
    }

    /** True when {@code r} has this shape (whether it is live is the store's question). */
    public boolean matches(Relationship r) {
        SubjectRef s = r.subject();
        return resourceType.equals(r.resource().type())
                && (relation == null || relation.equals(r.relation()))
                && (subjectType == null || subjectType.equals(s.type()))
                && (subjectRelation == null || subjectRelation.equals(s.relationOrEmpty()))
                && (wildcard == null || wildcard == s.isWildcard())
                && (caveat == null || (caveat.isEmpty() ? r.caveat() == null
                        : r.caveat() != null && caveat.equals(r.caveat().name())))
                && (expiring == null || expiring == (r.expiresAt() != null));
    }
}
