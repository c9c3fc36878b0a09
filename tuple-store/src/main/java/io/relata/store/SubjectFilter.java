package io.relata.store;

/**
 * Matches subjects by type, optionally id, and optionally relation.
 *
 * @param type      the subject type
 * @param id        the subject id, or null for any
 * @param relation  null for any relation, "" for the object itself only, or a relation name
 */
public record SubjectFilter(String type, String id, String relation) {

    public SubjectFilter {
        Names.type("subject filter", type);
        if (id != null) {
            Names.id("subject filter", id, true);
        }
        if (relation != null && relation.equals("...")) {
            relation = "";
        }
        if (relation != null && !relation.isEmpty()) {
            Names.relation("subject filter relation", relation);
        }
    }

    public static SubjectFilter ofType(String type) {
        return new SubjectFilter(type, null, null);
    }

    public boolean matches(SubjectRef subject) {
        return subject.type().equals(type)
                && (id == null || id.equals(subject.id()))
                && (relation == null || relation.equals(subject.relationOrEmpty()));
    }
}
