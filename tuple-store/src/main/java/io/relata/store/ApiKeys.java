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
 * a leaked database does not leak working keys. A revoked key stops working at once.
 */
public interface ApiKeys {

    /** A key as listed: its id, label and whether it was revoked (never the key itself). */
    record KeyInfo(String keyId, String label, boolean revoked) {}

    /** A new key: its id and the secret, which the caller shows once. */
    record NewKey(String keyId, String secret) {}

    /**
     * Creates a key for an existing tenant.
     *
     * @throws TenantNotFoundException if the tenant does not exist
     */
    NewKey create(String tenant, String label);

    /** The tenant a presented key belongs to, if it is a live key. */
    Optional<String> tenantOf(String secret);

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
