package io.relata.server;

import io.relata.engine.EngineException;
import io.relata.schema.Diagnostic;
import io.relata.schema.SchemaException;
import io.relata.store.AlreadyExistsException;
import io.relata.store.ConflictException;
import io.relata.store.ErrorInfo;
import io.relata.store.ErrorReason;
import io.relata.store.InvalidRequestException;
import io.relata.store.PreconditionFailedException;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.StoreTimeoutException;
import io.relata.store.StoreUnavailableException;
import io.relata.store.TenantNotFoundException;
import io.relata.zookie.ZookieException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become API responses: the gRPC code SpiceDB would give, the HTTP
 * status its gateway maps that code to, a message a person can act on and, where SpiceDB
 * attaches one, its {@code google.rpc.ErrorInfo} detail (reason and metadata, domain
 * {@code authzed.com}), carried by the error from where it was raised. Unexpected errors are
 * logged and answered with code 13 and no internals.
 */
final class Errors {

    private static final Logger LOG = LoggerFactory.getLogger(Errors.class);

    private Errors() {}

    /** The domain of every ErrorInfo SpiceDB sends. */
    static final String DOMAIN = "authzed.com";

    /**
     * An error response: gRPC code, message, HTTP status and, when SpiceDB gives one, the
     * ErrorInfo reason (an {@code authzed.api.v1.ErrorReason} name such as
     * {@code ERROR_REASON_INVALID_CURSOR}, or null) and its metadata (empty without a reason).
     * A gRPC server turns the same fields into a {@code google.rpc.Status} with an ErrorInfo.
     */
    record Status(int code, String message, int http, String reason, Map<String, String> metadata) {

        Status {
            metadata = reason == null || metadata == null ? Map.of() : Map.copyOf(metadata);
        }

        /** A status without ErrorInfo. */
        Status(int code, String message, int http) {
            this(code, message, http, null, Map.of());
        }

        /** This status with the reason and metadata of {@code info}; unchanged for null. */
        Status with(ErrorInfo info) {
            return info == null ? this : new Status(code, message, http, info.reason().wireName(), info.metadata());
        }

        JsonObject json() {
            JsonArray details = new JsonArray();
            if (reason != null) {
                // Sorted keys: the same error always renders the same JSON.
                details.add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo")
                        .put("reason", reason).put("domain", DOMAIN)
                        .put("metadata", new JsonObject(new java.util.TreeMap<>(metadata))));
            }
            return new JsonObject().put("code", code).put("message", message).put("details", details);
        }
    }

    static Status of(Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return plain(e).with(e instanceof ErrorInfo.Carrier c ? c.errorInfo() : null);
    }

    private static Status plain(Throwable e) {
        if (e instanceof ApiException a) {
            return status(a.code, a.getMessage());
        }
        if (e instanceof EngineException x) {
            return switch (x.reason()) {
                case INVALID_ARGUMENT -> status(3, x.getMessage());
                case DEADLINE_EXCEEDED -> status(4, x.getMessage());
                // SpiceDB answers RESOURCE_EXHAUSTED (HTTP 429) when the maximum depth is passed.
                case DEPTH_EXCEEDED -> status(8, x.getMessage());
                default -> status(9, x.getMessage());
            };
        }
        if (e instanceof SchemaException x) {
            return status(3, x.getMessage()).with(x.errors().isEmpty() ? null : schemaParse(x.errors().get(0)));
        }
        if (e instanceof ZookieException || e instanceof InvalidRequestException
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
        if (e instanceof StoreTimeoutException) {
            return status(4, e.getMessage());
        }
        if (e instanceof StoreUnavailableException) {
            return status(14, "the datastore is unavailable; retry shortly");
        }
        LOG.error("request failed", e);
        return status(13, "internal error");
    }

    /**
     * SpiceDB's SCHEMA_PARSE_ERROR for a schema diagnostic: where it starts and ends (0-based
     * lines and columns, as SpiceDB gives them) and the source code it points at.
     */
    static ErrorInfo schemaParse(Diagnostic d) {
        if (!d.span().isKnown()) {
            return ErrorInfo.of(ErrorReason.SCHEMA_PARSE_ERROR);
        }
        return ErrorInfo.of(ErrorReason.SCHEMA_PARSE_ERROR,
                "start_line_number", String.valueOf(d.line() - 1),
                "start_column_position", String.valueOf(d.column() - 1),
                "end_line_number", String.valueOf(d.span().endLine() - 1),
                "end_column_position", String.valueOf(d.span().endColumn() - 1),
                "source_code", sourceCode(d));
    }

    /**
     * The text the diagnostic points at when it is on one line, else its first line; at most
     * {@link Diagnostic#EXCERPT_CHARS} code points of it.
     */
    private static String sourceCode(Diagnostic d) {
        String line = d.sourceLine();
        int points = line.codePointCount(0, line.length());
        int from = d.column() - 1;
        int to = d.span().endLine() == d.line() ? d.span().endColumn() : points;
        if (from < 0 || from >= points || to <= from) {
            return d.excerpt().text().strip();
        }
        to = Math.min(Math.min(to, points), from + Diagnostic.EXCERPT_CHARS);
        return line.substring(line.offsetByCodePoints(0, from), line.offsetByCodePoints(0, to));
    }

    /**
     * The longest error message sent: far above any message of ours (a schema's 100 errors
     * included), it keeps an echo of a huge input from making a huge answer.
     */
    static final int MAX_MESSAGE_CHARS = 128 * 1024;

    /** The most characters of a client's value that an error message repeats. */
    static final int MAX_ECHO_CHARS = 100;

    /** {@code value} in backquotes, cut to {@link #MAX_ECHO_CHARS} characters with its length when longer. */
    static String quoted(String value) {
        if (value.length() <= MAX_ECHO_CHARS) {
            return "`" + value + "`";
        }
        return "`" + value.substring(0, MAX_ECHO_CHARS) + "…` (" + value.length() + " characters)";
    }

    static Status status(int code, String message) {
        String bounded = message == null || message.length() <= MAX_MESSAGE_CHARS ? message
                : message.substring(0, MAX_MESSAGE_CHARS) + "… (" + message.length() + " characters in all)";
        return new Status(code, bounded, http(code));
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
