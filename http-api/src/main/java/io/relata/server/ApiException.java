package io.relata.server;

/**
 * An error with the gRPC status code SpiceDB would answer with; {@link Errors} maps it to
 * the HTTP status and the {@code {"code", "message", "details"}} body.
 */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    static final int INVALID_ARGUMENT = 3;
    static final int NOT_FOUND = 5;
    static final int RESOURCE_EXHAUSTED = 8;
    static final int FAILED_PRECONDITION = 9;
    static final int UNAUTHENTICATED = 16;

    final int code;

    ApiException(int code, String message) {
        super(message);
        this.code = code;
    }

    static ApiException invalid(String message) {
        return new ApiException(INVALID_ARGUMENT, message);
    }
}
