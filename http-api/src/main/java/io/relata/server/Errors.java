package io.relata.server;

import io.relata.engine.EngineException;
import io.relata.schema.SchemaException;
import io.relata.store.AlreadyExistsException;
import io.relata.store.ConflictException;
import io.relata.store.InvalidRequestException;
import io.relata.store.PreconditionFailedException;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.StoreUnavailableException;
import io.relata.store.TenantNotFoundException;
import io.relata.zookie.ZookieException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become API responses: the gRPC code SpiceDB would give, the HTTP
 * status its gateway maps that code to, and a message a person can act on. Unexpected
 * errors are logged and answered with code 13 and no internals.
 */
final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {}

    /** An error response: code, message and HTTP status. */
    record Status(int code, String message, int http) {

        JsonObject json() {
            return new JsonObject().put("code", code).put("message", message).put("details", new JsonArray());
        }
    }

    static Status of(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (e instanceof ApiException a) {
            return status(a.code, a.getMessage());
        }
        if (e instanceof EngineException x) {
            return switch (x.reason()) {
                case INVALID_ARGUMENT -> status(3, x.getMessage());
                case DEADLINE_EXCEEDED -> status(4, x.getMessage());
                default -> status(9, x.getMessage());
            };
        }
        if (e instanceof ZookieException || e instanceof SchemaException || e instanceof InvalidRequestException
                || e instanceof IllegalArgumentException || e instanceof DecodeException) {
            return status(3, e.getMessage());
        }
        if (e instanceof AlreadyExistsException) {
            return status(6, e.getMessage());
        }
        if (e instanceof PreconditionFailedException || e instanceof RevisionUnavailableException) {
            return status(9, e.getMessage());
        }
        if (e instanceof TenantNotFoundException) {
            return status(5, e.getMessage());
        }
        if (e instanceof ConflictException) {
            return status(10, e.getMessage());
        }
        if (e instanceof StoreUnavailableException) {
            return status(14, "the datastore is unavailable; retry shortly");
        }
        LOG.error("request failed", e);
        return status(13, "internal error");
    }

    static Status status(int code, String message) {
        return new Status(code, message, http(code));
    }

    /** grpc-gateway's mapping of gRPC codes to HTTP statuses. */
    static int http(int code) {
        return switch (code) {
            case 0 -> 200;
            case 1 -> 499;
            case 3, 9, 11 -> 400;
            case 4 -> 504;
            case 5 -> 404;
            case 6, 10 -> 409;
            case 7 -> 403;
            case 8 -> 429;
            case 12 -> 501;
            case 14 -> 503;
            case 16 -> 401;
            default -> 500;
        };
    }
}
