package io.relata.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The listener options {@code serve} and {@code serve-testing} share: the gRPC port and TLS
 * (one certificate for the HTTP and gRPC listeners). Checked before anything starts, so a
 * missing or unreadable file is a clear error at once rather than a failed handshake later.
 */
final class ListenerOptions {

    @Option(names = "--grpc-port", defaultValue = "${env:RELATA_GRPC_PORT:-50051}",
            description = "gRPC port (default 50051).")
    int grpcPort;

    @Option(names = "--tls-cert-path", defaultValue = "${env:RELATA_TLS_CERT_PATH}",
            description = "Certificate chain (PEM) to serve TLS with; give --tls-key-path too. Without both,"
                    + " the listeners are plaintext.")
    Path tlsCertPath;

    @Option(names = "--tls-key-path", defaultValue = "${env:RELATA_TLS_KEY_PATH}",
            description = "Private key (PEM) of --tls-cert-path.")
    Path tlsKeyPath;

    @Option(names = "--header-timeout", defaultValue = "${env:RELATA_HEADER_TIMEOUT:-10s}",
            description = "How long a new connection may take to send a request's headers (HTTP) or finish its"
                    + " handshake (gRPC) before it is closed (default 10s).")
    String headerTimeout;

    @Option(names = "--idle-timeout", defaultValue = "${env:RELATA_IDLE_TIMEOUT:-60s}",
            description = "How long a connection may stay open with no request or call in flight (default 60s).")
    String idleTimeout;

    @Option(names = "--body-timeout", defaultValue = "${env:RELATA_BODY_TIMEOUT:-60s}",
            description = "How long an HTTP request's body may take to arrive once its headers have; bulk imports"
                    + " excepted (default 60s).")
    String bodyTimeout;

    @Option(names = "--max-streams-per-tenant", defaultValue = "${env:RELATA_MAX_STREAMS_PER_TENANT:-32}",
            description = "Server streams (lookups, relationship reads, exports, watches) one tenant may have open at"
                    + " once; more answer RESOURCE_EXHAUSTED / 429 (default 32).")
    int maxStreamsPerTenant;

    @Option(names = "--max-streams", defaultValue = "${env:RELATA_MAX_STREAMS:-256}",
            description = "Server streams running at once in all, each on a thread apart from the workers that"
                    + " answer checks (default 256).")
    int maxStreams;

    @Option(names = "--stream-stall-timeout", defaultValue = "${env:RELATA_STREAM_STALL_TIMEOUT:-10s}",
            description = "How long a stream waits for a client that does not read before it ends the stream with an"
                    + " error (default 10s).")
    String streamStallTimeout;

    @Option(names = "--max-queued-requests", defaultValue = "${env:RELATA_MAX_QUEUED_REQUESTS:-1000}",
            description = "Requests that may wait for a worker of each listener when all are busy; more answer"
                    + " RESOURCE_EXHAUSTED / 429 (default 1000).")
    int maxQueuedRequests;

    @Option(names = "--max-requests-per-key", defaultValue = "${env:RELATA_MAX_REQUESTS_PER_KEY:-256}",
            description = "Requests (unary calls and client streams) one API key may have in flight at once over both"
                    + " listeners; more answer RESOURCE_EXHAUSTED / 429 (default 256).")
    int maxRequestsPerKey;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    /** {@code config} with these options, once {@link #check()}ed. */
    ServerConfig applyTo(ServerConfig config) {
        check();
        return config.withGrpcPort(grpcPort).withTls(blankIsNull(tlsCertPath), blankIsNull(tlsKeyPath))
                .withConnections(connectionLimits()).withOverload(overloadLimits());
    }

    /**
     * Checks these options.
     *
     * @throws CommandLine.ParameterException when only one TLS path is given, a file cannot be
     *                                        read or is not PEM, the gRPC port is out of range, or a
     *                                        timeout is not a positive duration
     */
    void check() {
        if (grpcPort < 0 || grpcPort > 65_535) {
            throw wrong("--grpc-port must be 0 to 65535, got " + grpcPort);
        }
        Path cert = blankIsNull(tlsCertPath);
        Path key = blankIsNull(tlsKeyPath);
        if ((cert == null) != (key == null)) {
            throw wrong("TLS needs both --tls-cert-path and --tls-key-path (or RELATA_TLS_CERT_PATH and"
                    + " RELATA_TLS_KEY_PATH); only " + (cert != null ? "--tls-cert-path" : "--tls-key-path")
                    + " was given");
        }
        if (cert != null) {
            requirePem("--tls-cert-path", cert, "CERTIFICATE");
            requirePem("--tls-key-path", key, "PRIVATE KEY");
        }
        connectionLimits();
        overloadLimits();
    }

    private OverloadLimits overloadLimits() {
        try {
            return new OverloadLimits(maxStreamsPerTenant, maxStreams, Main.duration(streamStallTimeout),
                    maxQueuedRequests, maxRequestsPerKey);
        } catch (IllegalArgumentException e) {
            throw wrong("--max-streams-per-tenant, --max-streams and --max-requests-per-key must be at least 1,"
                    + " --max-queued-requests at"
                    + " least 0 and --stream-stall-timeout positive: " + e.getMessage());
        }
    }

    private ConnectionLimits connectionLimits() {
        java.time.Duration header = Main.duration(headerTimeout);
        java.time.Duration idle = Main.duration(idleTimeout);
        java.time.Duration body = Main.duration(bodyTimeout);
        try {
            return new ConnectionLimits(header, idle, body);
        } catch (IllegalArgumentException e) {
            throw wrong("--header-timeout, --idle-timeout and --body-timeout must be positive");
        }
    }

    /** {@code https} with TLS, else {@code http}. */
    String httpScheme() {
        return blankIsNull(tlsCertPath) != null ? "https" : "http";
    }

    private void requirePem(String option, Path file, String kind) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            throw wrong(option + " " + file + " cannot be read (" + reason(e) + ")");
        }
        if (!text.matches("(?s).*-----BEGIN [A-Z ]*" + kind + "-----.*")) {
            throw wrong(option + " " + file + " is not a PEM file holding a " + kind.toLowerCase()
                    + " (no -----BEGIN ..." + kind + "----- line)");
        }
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Path blankIsNull(Path path) {
        return path == null || path.toString().isBlank() ? null : path;
    }

    private CommandLine.ParameterException wrong(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
