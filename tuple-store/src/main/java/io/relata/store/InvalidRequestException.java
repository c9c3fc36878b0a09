package io.relata.store;

/** The request breaks a limit or a rule (too many updates, the same relationship twice). */
public class InvalidRequestException extends StoreException {

    private static final long serialVersionUID = 1L;

    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }

    public InvalidRequestException(String message, Throwable cause, ErrorInfo info) {
        super(message, cause, info);
    }

    public InvalidRequestException(String message, ErrorInfo info) {
        super(message, null, info);
    }
}
