package io.relata.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.relata.store.ApiKeys;
import io.relata.store.TupleStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the bearer key of a request into its {@link Caller} (tenant and what the key may do),
 * for every transport (HTTP and gRPC use one instance). A key is a preshared key (full
 * access), a live tenant key from {@link ApiKeys} with its scopes (cached for the key cache's
 * expiry, {@code --key-cache-ttl}: a key revoked on another instance stops working here within
 * it), or, in the per-token mode of {@code relata serve-testing}, any key at all: each distinct
 * key then gets a tenant of its own, created empty on first use. However a key fails, the
 * answer is the same {@code Unauthenticated}.
 */
final class Authenticator {

    /** The one message of every refusal: it tells nothing of why. */
    static final String UNAUTHENTICATED = "Unauthenticated";

    private static final String BEARER = "Bearer ";

    /** Tenant to SHA-256 of its preshared key. */
    private final Map<String, byte[]> presharedHashes = new HashMap<>();
    private final ApiKeys keys;
    private final byte[] adminKey;
    /** How long a tenant key's answer is trusted by default, so how long a revocation takes to reach every instance. */
    static final Duration DEFAULT_KEY_CACHE_TTL = Duration.ofSeconds(5);

    /** Recently seen tenant keys; {@link #keyRevoked()} clears it, other instances follow within its expiry. */
    private final Cache<String, Caller> keyCache;
    /** The per-token mode's tenants, or null when keys must be known. */
    private final PerToken perToken;

    private Authenticator(Map<String, String> presharedKeys, ApiKeys keys, String adminKey, PerToken perToken,
            Duration keyCacheTtl) {
        if (keyCacheTtl.isNegative()) {
            throw new IllegalArgumentException("the key cache's expiry cannot be negative, got " + keyCacheTtl);
        }
        this.keyCache = Caffeine.newBuilder().maximumSize(keyCacheTtl.isZero() ? 0 : 10_000)
                .expireAfterWrite(keyCacheTtl).build();
        presharedKeys.forEach((key, tenant) -> presharedHashes.put(tenant, ApiKeys.hash(key)));
        this.keys = Objects.requireNonNull(keys, "keys");
        this.adminKey = adminKey == null ? null : adminKey.getBytes(StandardCharsets.UTF_8);
        this.perToken = perToken;
    }

    /** Known keys only: the config's preshared keys and admin key, and the tenant keys in {@code keys}. */
    static Authenticator of(ServerConfig config, ApiKeys keys) {
        return of(config, keys, DEFAULT_KEY_CACHE_TTL);
    }

    /** {@link #of(ServerConfig, ApiKeys)} trusting a tenant key's answer for {@code keyCacheTtl} (zero: ask every time). */
    static Authenticator of(ServerConfig config, ApiKeys keys, Duration keyCacheTtl) {
        return new Authenticator(config.presharedKeys(), keys, config.adminKey(), null, keyCacheTtl);
    }

    /**
     * The mode of {@code relata serve-testing}: a key in {@code keys} (made through the admin API)
     * is its tenant's, and any other key gets a tenant of its own in {@code store}, named by the
     * key's SHA-256 (never the key itself) and created empty on first use; the same key finds the
     * same tenant again. At most {@code maxTenants} such tenants; a new key beyond that is refused
     * with RESOURCE_EXHAUSTED.
     *
     * @param adminKey the key of the admin API, or null for no admin API
     */
    static Authenticator perTokenTenants(TupleStore store, ApiKeys keys, String adminKey, int maxTenants) {
        if (maxTenants < 1) {
            throw new IllegalArgumentException("the most tenants must be at least 1, got " + maxTenants);
        }
        return new Authenticator(Map.of(), keys, adminKey, new PerToken(Objects.requireNonNull(store, "store"),
                maxTenants), DEFAULT_KEY_CACHE_TTL);
    }

    /**
     * The key of an {@code authorization} header value, {@code Bearer <key>} (the scheme in any
     * case, the key stripped of surrounding blanks).
     *
     * @throws ApiException UNAUTHENTICATED when the value is missing, of another scheme or has no key
     */
    static String bearerKey(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || authorization.substring(BEARER.length()).isBlank()) {
            throw refused();
        }
        return authorization.substring(BEARER.length()).strip();
    }

    /**
     * The tenant {@code bearerKey} belongs to. Blocking: it may ask the datastore, or create the
     * tenant in the per-token mode.
     *
     * @throws ApiException UNAUTHENTICATED, with no hint of why, when the key is no tenant's;
     *                      RESOURCE_EXHAUSTED when the per-token mode holds its most tenants
     */
    String tenantOf(String bearerKey) {
        return callerOf(bearerKey).tenant();
    }

    /**
     * The caller {@code bearerKey} is: its tenant and what it may do. Blocking, as {@link #tenantOf}.
     *
     * @throws ApiException as {@link #tenantOf}
     */
    Caller callerOf(String bearerKey) {
        if (bearerKey == null || bearerKey.isBlank()) {
            throw refused();
        }
        byte[] hash = ApiKeys.hash(bearerKey);
        String tenant = preshared(hash);
        Caller caller = tenant != null ? Caller.full(tenant, "preshared") : keyCache.get(bearerKey, k -> keys.find(k)
                .map(live -> new Caller(live.tenant(), live.keyId(), live.access())).orElse(null));
        if (caller == null && perToken != null && !perToken.isTenantKey(hash)) {
            caller = Caller.full(perToken.tenantOf(hash), "token");
        }
        if (caller == null) {
            throw refused();
        }
        Tracing.tenant(caller.tenant());
        return caller;
    }

    /**
     * The tenant of {@code bearerKey} when that is known without asking the datastore (a
     * preshared key, or a tenant key seen within the cache's expiry), else null, also for a key
     * {@link #tenantOf} would refuse. Never blocks: for the transports' own threads.
     */
    String knownTenantOf(String bearerKey) {
        Caller caller = knownCallerOf(bearerKey);
        return caller == null ? null : caller.tenant();
    }

    /** {@link #callerOf}'s answer when known without the datastore, else null; never blocks. */
    Caller knownCallerOf(String bearerKey) {
        if (bearerKey == null || bearerKey.isBlank()) {
            return null;
        }
        String tenant = preshared(ApiKeys.hash(bearerKey));
        Caller known = tenant != null ? Caller.full(tenant, "preshared") : keyCache.getIfPresent(bearerKey);
        if (known != null) {
            Tracing.tenant(known.tenant());
        }
        return known;
    }

    /** The tenant whose preshared key has SHA-256 {@code hash}, or null. */
    private String preshared(byte[] hash) {
        String tenant = null;
        for (Map.Entry<String, byte[]> preshared : presharedHashes.entrySet()) {
            // Every entry compared in constant time: how a key fails tells nothing.
            if (MessageDigest.isEqual(preshared.getValue(), hash)) {
                tenant = preshared.getKey();
            }
        }
        return tenant;
    }

    /**
     * Lets only the admin key through (compared in constant time).
     *
     * @throws ApiException UNAUTHENTICATED for any other key, or any key when there is no admin key
     */
    void requireAdmin(String bearerKey) {
        if (adminKey == null || bearerKey == null
                || !MessageDigest.isEqual(adminKey, bearerKey.getBytes(StandardCharsets.UTF_8))) {
            throw refused();
        }
    }

    /** A tenant key was revoked: forget the cached keys so it stops working here at once. */
    void keyRevoked() {
        keyCache.invalidateAll();
    }

    /**
     * A tenant key was made through this server: in the per-token mode it then never gets a
     * tenant of its own, so once revoked it is refused like anywhere else.
     */
    void keyCreated(String secret) {
        if (perToken != null) {
            perToken.tenantKeys.add(HexFormat.of().formatHex(ApiKeys.hash(secret)));
        }
    }

    private static ApiException refused() {
        return new ApiException(ApiException.UNAUTHENTICATED, UNAUTHENTICATED);
    }

    /** The tenants of the per-token mode: one per distinct key, bounded. */
    private static final class PerToken {

        private static final String PREFIX = "token-";

        private final TupleStore store;
        private final int maxTenants;
        private final Set<String> tenants = ConcurrentHashMap.newKeySet();
        /** Hex SHA-256 of the tenant keys made through the admin API. */
        private final Set<String> tenantKeys = ConcurrentHashMap.newKeySet();

        PerToken(TupleStore store, int maxTenants) {
            this.store = store;
            this.maxTenants = maxTenants;
        }

        boolean isTenantKey(byte[] keyHash) {
            return tenantKeys.contains(HexFormat.of().formatHex(keyHash));
        }

        /** The tenant of the key whose SHA-256 is {@code keyHash}, created on first use. */
        String tenantOf(byte[] keyHash) {
            String tenant = PREFIX + HexFormat.of().formatHex(keyHash);
            if (tenants.contains(tenant)) {
                return tenant;
            }
            synchronized (this) {
                if (!tenants.contains(tenant)) {
                    if (tenants.size() >= maxTenants) {
                        throw new ApiException(ApiException.RESOURCE_EXHAUSTED, "this test server already holds"
                                + " its most tenants, " + maxTenants + " (one per distinct bearer token); reuse a"
                                + " token, restart the server, or raise --max-tenants");
                    }
                    store.createTenant(tenant);
                    tenants.add(tenant);
                }
            }
            return tenant;
        }
    }
}
