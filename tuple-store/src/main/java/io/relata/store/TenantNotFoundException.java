package io.relata.store;

/** The tenant does not exist. */
public class TenantNotFoundException extends StoreException {

    private static final long serialVersionUID = 1L;

    public TenantNotFoundException(String message) {
        super(message);
    }

    public TenantNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}
