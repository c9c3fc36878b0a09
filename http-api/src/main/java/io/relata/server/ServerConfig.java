package io.relata.server;

import io.relata.engine.EngineOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How the server runs.
 *
 * @param host             the address to listen on
 * @param port             the HTTP port (0 picks a free one)
 * @param presharedKeys    API key to tenant name
 * @param tokenSecret      the secret zookies are authenticated with (at least 16 bytes)
 * @param quantization     the minimizeLatency window
 * @param maxBodyBytes     the largest request body accepted
 * @param maxBulkItems     the most items one bulk check may carry
 * @param engine           the engine's limits
 * @param adminKey         the key that manages tenants and their keys, or null for none
 * @param grpcPort         the gRPC port (0 picks a free one)
 * @param tlsCertPath      the listeners' certificate chain (PEM), or null to serve plaintext
 * @param tlsKeyPath       the private key of that certificate (PEM), or null to serve plaintext;
 *                         given together with {@code tlsCertPath} or not at all
 * @param connections      how long the listeners wait on clients
 * @param overload         how much work is taken on before more is refused (streams, queues)
 */
public record ServerConfig(String host, int port, Map<String, String> presharedKeys, String tokenSecret,
        Duration quantization, long maxBodyBytes, int maxBulkItems, EngineOptions engine, String adminKey,
        int grpcPort, Path tlsCertPath, Path tlsKeyPath, ConnectionLimits connections, OverloadLimits overload) {

    /** The default gRPC port, SpiceDB's. */
    public static final int DEFAULT_GRPC_PORT = 50051;

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        presharedKeys = Map.copyOf(presharedKeys);
        Objects.requireNonNull(tokenSecret, "tokenSecret");
        Objects.requireNonNull(quantization, "quantization");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(overload, "overload");
        if (grpcPort < 0 || grpcPort > 65_535) {
            throw new IllegalArgumentException("the gRPC port must be 0 to 65535, got " + grpcPort);
        }
        if ((tlsCertPath == null) != (tlsKeyPath == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and its private key; "
                    + (tlsCertPath == null ? "the certificate" : "the private key") + " is missing");
        }
    }

    /** With the default {@link OverloadLimits}. */
    public ServerConfig(String host, int port, Map<String, String> presharedKeys, String tokenSecret,
            Duration quantization, long maxBodyBytes, int maxBulkItems, EngineOptions engine, String adminKey,
            int grpcPort, Path tlsCertPath, Path tlsKeyPath, ConnectionLimits connections) {
        this(host, port, presharedKeys, tokenSecret, quantization, maxBodyBytes, maxBulkItems, engine, adminKey,
                grpcPort, tlsCertPath, tlsKeyPath, connections, OverloadLimits.DEFAULTS);
    }

    /** Plaintext, with the gRPC port at its default. */
    public ServerConfig(String host, int port, Map<String, String> presharedKeys, String tokenSecret,
            Duration quantization, long maxBodyBytes, int maxBulkItems, EngineOptions engine, String adminKey) {
        this(host, port, presharedKeys, tokenSecret, quantization, maxBodyBytes, maxBulkItems, engine, adminKey,
                DEFAULT_GRPC_PORT, null, null, ConnectionLimits.DEFAULTS);
    }

    /** This config with another gRPC port. */
    public ServerConfig withGrpcPort(int grpcPort) {
        return new ServerConfig(host, port, presharedKeys, tokenSecret, quantization, maxBodyBytes, maxBulkItems,
                engine, adminKey, grpcPort, tlsCertPath, tlsKeyPath, connections, overload);
    }

    /** This config serving TLS with a certificate and its key (PEM files), or plaintext when both are null. */
    public ServerConfig withTls(Path certPath, Path keyPath) {
        return new ServerConfig(host, port, presharedKeys, tokenSecret, quantization, maxBodyBytes, maxBulkItems,
                engine, adminKey, grpcPort, certPath, keyPath, connections, overload);
    }

    /** This config with other connection timeouts. */
    public ServerConfig withConnections(ConnectionLimits limits) {
        return new ServerConfig(host, port, presharedKeys, tokenSecret, quantization, maxBodyBytes, maxBulkItems,
                engine, adminKey, grpcPort, tlsCertPath, tlsKeyPath, limits, overload);
    }

    /** This config with other overload limits. */
    public ServerConfig withOverload(OverloadLimits limits) {
        return new ServerConfig(host, port, presharedKeys, tokenSecret, quantization, maxBodyBytes, maxBulkItems,
                engine, adminKey, grpcPort, tlsCertPath, tlsKeyPath, connections, limits);
    }

    /** Whether the listeners serve TLS. */
    public boolean tls() {
        return tlsCertPath != null;
    }
}
