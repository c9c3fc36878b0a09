package io.relata.store;

/** A precondition of a write or delete did not hold. */
public class PreconditionFailedException extends StoreException {

    private static final long serialVersionUID = 1L;

    public PreconditionFailedException(String message) {
        super(message);
    }

    public PreconditionFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public PreconditionFailedException(String message, ErrorInfo info) {
        super(message, null, info);
    }
}
