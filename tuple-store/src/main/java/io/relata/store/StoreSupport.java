package io.relata.store;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks every store makes the same way, for store implementations. */
public final class StoreSupport {

    private StoreSupport() {}

    /** The order of a paged reverse step in Java's string order: subject id, then resource id. */
    public static final java.util.Comparator<Relationship> REVERSE_ORDER = java.util.Comparator
            .<Relationship, String>comparing(r -> r.subject().id()).thenComparing(r -> r.resource().id());

    /**
     * Checks a write's size, that no relationship appears twice and that its transaction
     * metadata holds no NUL character.
     *
     * @throws InvalidRequestException for the first of these that fails
     */
    public static void checkWrite(StoreOptions options, List<RelationshipUpdate> updates, List<Precondition> preconditions,
            java.util.Map<String, Object> metadata) {
        try {
            Names.noNul("the transaction metadata", metadata);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), e);
        }
        checkWrite(options, updates, preconditions);
    }

    /** Checks a write's size and that no relationship appears twice. */
    public static void checkWrite(StoreOptions options, List<RelationshipUpdate> updates, List<Precondition> preconditions) {
        if (updates.size() > options.maxUpdatesPerWrite()) {
            throw new InvalidRequestException("a write may carry at most " + options.maxUpdatesPerWrite()
                    + " updates; this one has " + updates.size() + ". Split it, or use bulk import",
                    ErrorInfo.of(ErrorReason.TOO_MANY_UPDATES_IN_REQUEST, "update_count", String.valueOf(updates.size()),
                            "maximum_updates_allowed", String.valueOf(options.maxUpdatesPerWrite())));
        }
        if (preconditions.size() > options.maxUpdatesPerWrite()) {
            // SpiceDB names the maximum `maximum_updates_allowed` here too.
            throw new InvalidRequestException("a write may carry at most " + options.maxUpdatesPerWrite()
                    + " preconditions; this one has " + preconditions.size(),
                    ErrorInfo.of(ErrorReason.TOO_MANY_PRECONDITIONS_IN_REQUEST,
                            "precondition_count", String.valueOf(preconditions.size()),
                            "maximum_updates_allowed", String.valueOf(options.maxUpdatesPerWrite())));
        }
        Set<Relationship> seen = new HashSet<>();
        for (RelationshipUpdate update : updates) {
            if (!seen.add(update.relationship().key())) {
                throw new InvalidRequestException("relationship " + update.relationship().key()
                        + " appears twice in one write; each relationship may be changed once per write",
                        ErrorInfo.of(ErrorReason.UPDATES_ON_SAME_RELATIONSHIP,
                                "definition_name", update.relationship().resource().type(),
                                "relationship", update.relationship().toString()));
            }
        }
    }

    public static void checkTenantName(String tenant) {
        if (tenant == null || !tenant.matches("[a-zA-Z0-9_][a-zA-Z0-9_.\\-]{0,127}")) {
            throw new IllegalArgumentException("tenant name `" + tenant + "` is invalid: use 1 to 128 letters, digits,"
                    + " `_`, `.` and `-`");
        }
    }

    public static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("a page size must be at least 1, got " + limit);
        }
    }

    public static PreconditionFailedException failed(Precondition p) {
        RelationshipFilter f = p.filter();
        ErrorInfo info = ErrorInfo.of(ErrorReason.WRITE_OR_DELETE_PRECONDITION_FAILURE,
                "precondition_operation", p.kind() == Precondition.Kind.MUST_MATCH ? "OPERATION_MUST_MATCH"
                        : "OPERATION_MUST_NOT_MATCH",
                "precondition_resource_type", f.resourceType(),
                "precondition_resource_id", f.resourceId(),
                "precondition_resource_id_prefix", f.resourceIdPrefix(),
                "precondition_relation", f.relation(),
                "precondition_subject_type", f.subject() == null ? null : f.subject().type(),
                "precondition_subject_id", f.subject() == null ? null : f.subject().id(),
                "precondition_subject_relation", f.subject() == null ? null : f.subject().relation());
        return new PreconditionFailedException("precondition failed: " + (p.kind() == Precondition.Kind.MUST_MATCH
                ? "no relationship matches " : "a relationship matches ") + describe(f), info);
    }

    /** A CREATE of {@code r}, which exists: SpiceDB's ATTEMPT_TO_RECREATE_RELATIONSHIP with its parts. */
    public static AlreadyExistsException alreadyExists(Relationship r) {
        Relationship k = r.key();
        return new AlreadyExistsException("relationship " + k
                + " already exists; use TOUCH to write it whether or not it exists",
                ErrorInfo.of(ErrorReason.ATTEMPT_TO_RECREATE_RELATIONSHIP,
                        "relationship", k.toString(),
                        "resource_type", k.resource().type(),
                        "resource_object_id", k.resource().id(),
                        "resource_relation", k.relation(),
                        "subject_type", k.subject().type(),
                        "subject_object_id", k.subject().id(),
                        "subject_relation", k.subject().relationOrEmpty()));
    }

    /**
     * A delete matching more than {@code limit} relationships without partial deletion:
     * SpiceDB's TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE, with the limit and the filter.
     */
    public static InvalidRequestException tooManyToDelete(String message, long limit, RelationshipFilter f) {
        return new InvalidRequestException(message, ErrorInfo.of(
                ErrorReason.TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE,
                "limit", String.valueOf(limit),
                "filter_resource_type", f.resourceType() == null ? "" : f.resourceType(),
                "filter_resource_id", f.resourceId(),
                "filter_relation", f.relation(),
                "filter_subject_type", f.subject() == null ? null : f.subject().type(),
                "filter_subject_id", f.subject() == null ? null : f.subject().id(),
                "filter_subject_relation", f.subject() == null ? null : f.subject().relation()));
    }

    public static String describe(RelationshipFilter f) {
        StringBuilder out = new StringBuilder("{");
        if (f.resourceType() != null) {
            out.append("resourceType=").append(f.resourceType()).append(' ');
        }
        if (f.resourceId() != null) {
            out.append("resourceId=").append(f.resourceId()).append(' ');
        }
        if (f.resourceIdPrefix() != null) {
            out.append("resourceIdPrefix=").append(f.resourceIdPrefix()).append(' ');
        }
        if (f.relation() != null) {
            out.append("relation=").append(f.relation()).append(' ');
        }
        if (f.subject() != null) {
            out.append("subject=").append(f.subject().type());
            if (f.subject().id() != null) {
                out.append(':').append(f.subject().id());
            }
            if (f.subject().relation() != null) {
                out.append('#').append(f.subject().relation().isEmpty() ? "..." : f.subject().relation());
            }
        }
        return out.toString().strip() + "}";
    }
}
