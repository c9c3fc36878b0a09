package io.relata.engine;

import io.relata.store.ErrorInfo;

/**
 * A question the engine could not answer: {@link #reason()} says in what terms an API maps
 * it to a status, {@link #errorInfo()} gives SpiceDB's reason and its details, when known.
 */
public class EngineException extends RuntimeException implements ErrorInfo.Carrier {

    private static final long serialVersionUID = 1L;

    /** Why, in the terms an API maps to a status. */
    public enum Reason {
        /** The request names a type, relation or permission the schema lacks, or the tenant has no schema. */
        SCHEMA_MISMATCH,
        /** The request itself is malformed (a wildcard subject in a check, a bad context value). */
        INVALID_ARGUMENT,
        /** The evaluation went deeper than the maximum depth. */
        DEPTH_EXCEEDED,
        /** The per-call deadline passed. */
        DEADLINE_EXCEEDED
    }

    private final Reason reason;
    private final transient ErrorInfo info;

    public EngineException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public EngineException(Reason reason, String message, Throwable cause) {
        this(reason, message, cause, null);
    }

    public EngineException(Reason reason, String message, ErrorInfo info) {
        this(reason, message, null, info);
    }

    public EngineException(Reason reason, String message, Throwable cause, ErrorInfo info) {
        super(message, cause);
        this.reason = reason;
        this.info = info;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public ErrorInfo errorInfo() {
        return info;
    }

    /** SpiceDB's UNKNOWN_DEFINITION for {@code type}. */
    static EngineException unknownDefinition(String type, String message) {
        return new EngineException(Reason.SCHEMA_MISMATCH, message,
                ErrorInfo.of(io.relata.store.ErrorReason.UNKNOWN_DEFINITION, "definition_name", type));
    }

    /** SpiceDB's UNKNOWN_RELATION_OR_PERMISSION for {@code type#name}. */
    static EngineException unknownRelation(String type, String name, String message) {
        return new EngineException(Reason.SCHEMA_MISMATCH, message,
                ErrorInfo.of(io.relata.store.ErrorReason.UNKNOWN_RELATION_OR_PERMISSION, "definition_name", type,
                        "relation_or_permission_name", name));
    }

    /** SpiceDB's MAXIMUM_DEPTH_EXCEEDED with the depth allowed. */
    static EngineException depthExceeded(int maxDepth, String message) {
        return new EngineException(Reason.DEPTH_EXCEEDED, message,
                ErrorInfo.of(io.relata.store.ErrorReason.MAXIMUM_DEPTH_EXCEEDED, "maximum_depth_allowed",
                        String.valueOf(maxDepth)));
    }
}
