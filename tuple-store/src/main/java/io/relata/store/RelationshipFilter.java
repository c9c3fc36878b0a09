package io.relata.store;

/**
 * Selects relationships. Every part is optional, but at least one must be given.
 *
 * @param resourceType      the resource type, or null for any
 * @param resourceId        the resource id, or null for any
 * @param resourceIdPrefix  a prefix the resource id must start with, or null (not with {@code resourceId})
 * @param relation          the relation, or null for any
 * @param subject           the subjects to match, or null for any
 */
public record RelationshipFilter(String resourceType, String resourceId, String resourceIdPrefix, String relation,
        SubjectFilter subject) {

    public RelationshipFilter {
        if (resourceType != null) {
            Names.type("filter resource", resourceType);
        }
        if (resourceId != null) {
            Names.id("filter resource", resourceId, false);
        }
        if (resourceIdPrefix != null && resourceIdPrefix.isEmpty()) {
            resourceIdPrefix = null;
        }
        if (resourceId != null && resourceIdPrefix != null) {
            throw new IllegalArgumentException("a filter takes a resource id or a resource id prefix, not both");
        }
        if (relation != null) {
            Names.relation("filter relation", relation);
        }
        if (resourceType == null && resourceId == null && resourceIdPrefix == null && relation == null
                && subject == null) {
            throw new IllegalArgumentException("a relationship filter needs at least one field");
        }
    }

    public static RelationshipFilter ofType(String resourceType) {
        return new RelationshipFilter(resourceType, null, null, null, null);
    }

    public static RelationshipFilter of(String resourceType, String resourceId, String relation) {
        return new RelationshipFilter(resourceType, resourceId, null, relation, null);
    }

    public RelationshipFilter withSubject(SubjectFilter subject) {
        return new RelationshipFilter(resourceType, resourceId, resourceIdPrefix, relation, subject);
    }

    public boolean matches(Relationship r) {
        return (resourceType == null || resourceType.equals(r.resource().type()))
                && (resourceId == null || resourceId.equals(r.resource().id()))
                && (resourceIdPrefix == null || r.resource().id().startsWith(resourceIdPrefix))
                && (relation == null || relation.equals(r.relation()))
                && (subject == null || subject.matches(r.subject()));
    }
}
