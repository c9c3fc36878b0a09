package io.relata.zookie;

/** A consistency token that cannot be used; the message says why and what to do. */
public final class ZookieException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ZookieException(String message) {
        super(message);
    }
}
