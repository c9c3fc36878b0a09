package io.relata.engine;

/** A question the engine could not answer; the subclass says why. */
public class EngineException extends RuntimeException {

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

    public EngineException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EngineException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
