package io.relata.server;

import io.relata.store.ErrorInfo;

/**
 * An error with the gRPC status code SpiceDB would answer with and, where SpiceDB gives one,
 * its {@link ErrorInfo} reason and details; {@link Errors} maps it to the HTTP status and the
 * {@code {"code", "message", "details"}} body.
 */
final class ApiException extends RuntimeException implements ErrorInfo.Carrier {

    private static final long serialVersionUID = 1L;

    static final int INVALID_ARGUMENT = 3;
    static final int NOT_FOUND = 5;
    static final int PERMISSION_DENIED = 7;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int FAILED_PRECONDITION = 9;
    static final int UNAUTHENTICATED = 16;

    final int code;
    private final transient ErrorInfo info;

    ApiException(int code, String message) {
        this(code, message, null);
    }

    ApiException(int code, String message, ErrorInfo info) {
        super(message);
        this.code = code;
        this.info = info;
    }

    static ApiException invalid(String message) {
        return new ApiException(INVALID_ARGUMENT, message);
    }

    @Override
    public ErrorInfo errorInfo() {
        return info;
    }
}
