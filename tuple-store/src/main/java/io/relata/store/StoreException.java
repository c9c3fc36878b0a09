package io.relata.store;

/**
 * A store operation that did not happen; subclasses say why. Nothing was written. It may
 * carry SpiceDB's reason for the failure and its details ({@link #errorInfo()}).
 */
public class StoreException extends RuntimeException implements ErrorInfo.Carrier {

    private static final long serialVersionUID = 1L;

    private final transient ErrorInfo info;

    public StoreException(String message) {
        this(message, null, null);
    }

    public StoreException(String message, Throwable cause) {
        this(message, cause, null);
    }

    public StoreException(String message, Throwable cause, ErrorInfo info) {
        super(message, cause);
        this.info = info;
    }

    @Override
    public ErrorInfo errorInfo() {
        return info;
    }
}
