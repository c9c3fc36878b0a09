package io.relata.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the listeners wait on a client before they close its connection, so connections
 * that send nothing, or send too slowly, do not pile up.
 *
 * @param headerTimeout  how long a new HTTP connection may take to send a request's headers, and
 *                       the gRPC listener's TLS and HTTP/2 handshake; default 10 s
 * @param idleTimeout    how long a connection may stay open with no request in flight: an HTTP
 *                       connection waiting for its next request, a gRPC connection with no call
 *                       (gRPC's {@code maxConnectionIdle}); default 60 s
 * @param bodyTimeout    how long an HTTP request's body may take to arrive once its headers have
 *                       (the streamed bodies of bulk imports excepted); default 60 s
 */
public record ConnectionLimits(Duration headerTimeout, Duration idleTimeout, Duration bodyTimeout) {

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(60));

    /** How often a gRPC client may ping; more often, and it is told to go away (SpiceDB's clients ping less). */
    static final Duration GRPC_PERMIT_KEEPALIVE = Duration.ofSeconds(30);

    /**
     * @throws IllegalArgumentException when a timeout is not positive
     */
    public ConnectionLimits {
        positive("headerTimeout", headerTimeout);
        positive("idleTimeout", idleTimeout);
        positive("bodyTimeout", bodyTimeout);
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
