package io.relata.store;

/**
 * A read ran past the store's read timeout ({@link StoreOptions#readTimeout()}) and the
 * database cancelled it; nothing was changed, the connection stays usable, and the call may be
 * retried (transports answer DEADLINE_EXCEEDED, HTTP 504).
 */
public class StoreTimeoutException extends StoreException {

    private static final long serialVersionUID = 1L;

    public StoreTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
