package io.relata.store;

/** A CREATE named a relationship that exists. */
public class AlreadyExistsException extends StoreException {

    private static final long serialVersionUID = 1L;

    public AlreadyExistsException(String message) {
        super(message);
    }

    public AlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }

    public AlreadyExistsException(String message, Throwable cause, ErrorInfo info) {
        super(message, cause, info);
    }

    public AlreadyExistsException(String message, ErrorInfo info) {
        super(message, null, info);
    }
}
