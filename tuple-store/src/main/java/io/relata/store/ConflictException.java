package io.relata.store;

/** The write collided with another and may be retried. */
public class ConflictException extends StoreException {

    private static final long serialVersionUID = 1L;

    public ConflictException(String message) {
        super(message);
    }

    public ConflictException(String message, Throwable cause) {
        super(message, cause);
    }
}
