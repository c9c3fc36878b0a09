package io.relata.store;

/** The revision is older than the GC window, or newer than any committed. */
public class RevisionUnavailableException extends StoreException {

    private static final long serialVersionUID = 1L;

    public RevisionUnavailableException(String message) {
        super(message);
    }

    public RevisionUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
