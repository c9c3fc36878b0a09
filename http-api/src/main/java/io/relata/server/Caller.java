package io.relata.server;

import io.relata.store.KeyAccess;
import java.util.Objects;

/**
 * Who a request comes from, once its bearer key is known: the tenant, the key's id (for the
 * log of denials; {@code preshared} for a preshared key, {@code token} in the per-token mode)
 * and what the key may do.
 */
record Caller(String tenant, String keyId, KeyAccess access) {

    Caller {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(access, "access");
    }

    /** A key that may do everything in its tenant (preshared keys, the per-token mode's keys). */
    static Caller full(String tenant, String keyId) {
        return new Caller(tenant, keyId, KeyAccess.FULL);
    }
}
