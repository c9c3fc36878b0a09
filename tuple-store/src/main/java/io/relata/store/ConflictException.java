package io.relata.store;

/** The write collided with another and may be retried. */
public class ConflictException extends StoreException {

    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        this(message, (Throwable) null);
    }

    /** Always SpiceDB's {@link ErrorReason#SERIALIZATION_FAILURE}. */
    public ConflictException(String message, Throwable cause) {
        super(message, cause, ErrorInfo.of(ErrorReason.SERIALIZATION_FAILURE));
    }

    public ConflictException(String message, ErrorInfo info) {
        super(message, null, info);
    }
}
