package io.relata.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How keys are trusted: how long a tenant key's answer is cached, which bounds how long a key
 * revoked on another instance keeps working here, and the key {@code /metrics} asks for.
 *
 * @param keyCacheTtl how long a tenant key's tenant and scopes are trusted without asking the
 *                    datastore again (zero: ask on every request)
 * @param metricsKey  the bearer key {@code GET /metrics} requires, or null to serve it to anyone
 */
public record AccessOptions(Duration keyCacheTtl, String metricsKey) {

    /** The longest key cache allowed: a revocation must reach every instance in a bounded time. */
    public static final Duration MAX_KEY_CACHE_TTL = Duration.ofMinutes(10);

    /** A 5-second key cache, and {@code /metrics} open. */
    public static final AccessOptions DEFAULTS = new AccessOptions(Authenticator.DEFAULT_KEY_CACHE_TTL, null);

    /**
     * @throws IllegalArgumentException when the expiry is negative or above {@link #MAX_KEY_CACHE_TTL},
     *                                  or the metrics key is blank
     */
    public AccessOptions {
        Objects.requireNonNull(keyCacheTtl, "keyCacheTtl");
        if (keyCacheTtl.isNegative() || keyCacheTtl.compareTo(MAX_KEY_CACHE_TTL) > 0) {
            throw new IllegalArgumentException("--key-cache-ttl must be from 0s to " + MAX_KEY_CACHE_TTL.toMinutes()
                    + "m, got " + keyCacheTtl.toMillis() + " ms");
        }
        if (metricsKey != null && metricsKey.isBlank()) {
            throw new IllegalArgumentException("--metrics-key must not be blank; leave it out to serve /metrics to all");
        }
    }
}
