package io.relata.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * API keys of tenants. A key is shown once, when created; only its SHA-256 hash is kept, so
 * a leaked database does not leak working keys. A revoked key stops working at once (servers
 * that cache keys follow within their cache's expiry). Each key carries its {@link KeyAccess};
 * keys made before scopes existed, and keys made without one, hold {@link KeyAccess#FULL}.
 */
public interface ApiKeys {

    /** A key as listed: its id, label, whether it was revoked and what it may do (never the key itself). */
    record KeyInfo(String keyId, String label, boolean revoked, KeyAccess access) {

        /** A key with full access. */
        public KeyInfo(String keyId, String label, boolean revoked) {
            this(keyId, label, revoked, KeyAccess.FULL);
        }
    }

    /** A new key: its id and the secret, which the caller shows once. */
    record NewKey(String keyId, String secret) {}

    /** A live key as presented: its tenant, its id and what it may do. */
    record LiveKey(String tenant, String keyId, KeyAccess access) {}

    /**
     * Creates a key with full access for an existing tenant.
     *
     * @throws TenantNotFoundException if the tenant does not exist
     */
    default NewKey create(String tenant, String label) {
        return create(tenant, label, KeyAccess.FULL);
    }

    /**
     * Creates a key for an existing tenant that may do only what {@code access} allows.
     *
     * @throws TenantNotFoundException if the tenant does not exist
     */
    NewKey create(String tenant, String label, KeyAccess access);

    /** The live key {@code secret} is, if it is one (not revoked). */
    Optional<LiveKey> find(String secret);

    /** The tenant a presented key belongs to, if it is a live key. */
    default Optional<String> tenantOf(String secret) {
        return find(secret).map(LiveKey::tenant);
    }

    /** Revokes a key; returns false when the tenant has no such key. */
    boolean revoke(String tenant, String keyId);

    List<KeyInfo> list(String tenant);

    /** A fresh random key and its id. */
    static NewKey generate() {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] id = new byte[6];
        random.nextBytes(id);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return new NewKey("key_" + b64.encodeToString(id), "rk_" + b64.encodeToString(secret));
    }

    /** The hash a key is stored and looked up by. */
    static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
