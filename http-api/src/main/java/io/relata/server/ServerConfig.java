package io.relata.server;

import io.relata.engine.EngineOptions;
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
 */
public record ServerConfig(String host, int port, Map<String, String> presharedKeys, String tokenSecret,
        Duration quantization, long maxBodyBytes, int maxBulkItems, EngineOptions engine, String adminKey) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        presharedKeys = Map.copyOf(presharedKeys);
        Objects.requireNonNull(tokenSecret, "tokenSecret");
        Objects.requireNonNull(quantization, "quantization");
        Objects.requireNonNull(engine, "engine");
    }
}
