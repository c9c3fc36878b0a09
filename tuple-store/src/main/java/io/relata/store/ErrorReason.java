package io.relata.store;

/**
 * Why a request failed, in SpiceDB's terms: the values of {@code authzed.api.v1.ErrorReason}
 * that go in a {@code google.rpc.ErrorInfo} of domain {@code authzed.com}. Each constant is
 * the enum value's name without its {@code ERROR_REASON_} prefix; {@link #wireName()} gives
 * the full name. Shared by the store, the engine and the API so an error carries its reason
 * from where it is raised.
 */
public enum ErrorReason {
    UNSPECIFIED,
    SCHEMA_PARSE_ERROR,
    SCHEMA_TYPE_ERROR,
    UNKNOWN_DEFINITION,
    UNKNOWN_RELATION_OR_PERMISSION,
    TOO_MANY_UPDATES_IN_REQUEST,
    TOO_MANY_PRECONDITIONS_IN_REQUEST,
    WRITE_OR_DELETE_PRECONDITION_FAILURE,
    SERVICE_READ_ONLY,
    UNKNOWN_CAVEAT,
    INVALID_SUBJECT_TYPE,
    CAVEAT_PARAMETER_TYPE_ERROR,
    UPDATES_ON_SAME_RELATIONSHIP,
    CANNOT_UPDATE_PERMISSION,
    CAVEAT_EVALUATION_ERROR,
    INVALID_CURSOR,
    TOO_MANY_RELATIONSHIPS_FOR_TRANSACTIONAL_DELETE,
    MAX_RELATIONSHIP_CONTEXT_SIZE,
    ATTEMPT_TO_RECREATE_RELATIONSHIP,
    MAXIMUM_DEPTH_EXCEEDED,
    SERIALIZATION_FAILURE,
    TOO_MANY_CHECKS_IN_REQUEST,
    EXCEEDS_MAXIMUM_ALLOWABLE_LIMIT,
    INVALID_FILTER,
    INMEMORY_TOO_MANY_CONCURRENT_UPDATES,
    EMPTY_PRECONDITION,
    COUNTER_ALREADY_REGISTERED,
    COUNTER_NOT_REGISTERED,
    WILDCARD_NOT_ALLOWED,
    TRANSACTION_METADATA_TOO_LARGE;

    /** The protobuf enum value's name, e.g. {@code ERROR_REASON_INVALID_CURSOR}. */
    public String wireName() {
        return "ERROR_REASON_" + name();
    }
}
