package io.relata.server;

import io.relata.schema.ObjectDefinition;
import io.relata.schema.Schema;
import io.relata.store.ErrorInfo;
import io.relata.store.ErrorReason;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;

/**
 * Why a relationship write is refused, as SpiceDB refuses it: the gRPC code and the
 * ErrorInfo reason with the metadata keys SpiceDB sends for each case.
 */
final class WriteRefusals {

    private WriteRefusals() {}

    /** FAILED_PRECONDITION, UNKNOWN_DEFINITION: a type the schema lacks. */
    static ApiException unknownDefinition(String type, Relationship r) {
        return new ApiException(ApiException.FAILED_PRECONDITION, "the schema has no definition `" + type + "` (in " + r
                + ")", ErrorInfo.of(ErrorReason.UNKNOWN_DEFINITION, "definition_name", type));
    }

    /** FAILED_PRECONDITION, UNKNOWN_RELATION_OR_PERMISSION: a name the type lacks. */
    static ApiException unknownRelation(String type, String name, Relationship r) {
        return new ApiException(ApiException.FAILED_PRECONDITION, "`" + type + "` has no relation `" + name + "` (in " + r
                + ")", ErrorInfo.of(ErrorReason.UNKNOWN_RELATION_OR_PERMISSION, "definition_name", type,
                        "relation_or_permission_name", name));
    }

    /** INVALID_ARGUMENT, CANNOT_UPDATE_PERMISSION: relationships are written to relations only. */
    static ApiException permission(Relationship r) {
        return new ApiException(ApiException.INVALID_ARGUMENT, "`" + r.resource().type() + "#" + r.relation()
                + "` is a permission; relationships are written to relations (in " + r + ")",
                ErrorInfo.of(ErrorReason.CANNOT_UPDATE_PERMISSION, "definition_name", r.resource().type(),
                        "permission_name", r.relation()));
    }

    /** Refuses a subject whose type, or whose relation, the schema lacks. */
    static void subjectKnown(Schema schema, Relationship r) {
        SubjectRef s = r.subject();
        ObjectDefinition subject = schema.definition(s.type()).orElseThrow(() -> unknownDefinition(s.type(), r));
        if (s.relation() != null && !subject.has(s.relation())) {
            throw unknownRelation(s.type(), s.relation(), r);
        }
    }

    /** INVALID_ARGUMENT, INVALID_SUBJECT_TYPE: the relation does not allow this kind of subject. */
    static ApiException subjectType(Relationship r, String message) {
        return new ApiException(ApiException.INVALID_ARGUMENT, message, ErrorInfo.of(ErrorReason.INVALID_SUBJECT_TYPE,
                "definition_name", r.resource().type(), "relation_name", r.relation(), "subject_type", subjectType(r)));
    }

    /** The subject's type as SpiceDB writes an allowed type: {@code user:*}, {@code group#member with cav}. */
    static String subjectType(Relationship r) {
        SubjectRef s = r.subject();
        StringBuilder out = new StringBuilder(s.type());
        if (s.isWildcard()) {
            out.append(":*");
        } else if (s.relation() != null) {
            out.append('#').append(s.relation());
        }
        if (r.caveat() != null) {
            out.append(" with ").append(r.caveat().name());
        }
        if (r.expiresAt() != null) {
            out.append(r.caveat() != null ? " and " : " with ").append("expiration");
        }
        return out.toString();
    }
}
