package io.relata.zookie;

import io.relata.store.Revision;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes revisions as zookies (consistency tokens): opaque, versioned, bound to their
 * tenant and authenticated with an HMAC under a server secret, so a client can hand one
 * back but cannot forge, alter or move one to another tenant.
 *
 * <p>Layout (base64url, no padding): version (1 byte), revision (8 bytes), tenant
 * fingerprint (4 bytes of SHA-256 of the tenant name), MAC (16 bytes: HMAC-SHA256 of the
 * preceding bytes and the tenant name). Thread-safe.
 */
public final class ZookieCodec {

    static final byte VERSION = 1;
    private static final int LENGTH = 1 + 8 + 4 + 16;
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /**
     * @param secret the server secret; at least 16 bytes
     * @throws IllegalArgumentException if the secret is too short
     */
    public ZookieCodec(byte[] secret) {
        if (secret == null || secret.length < 16) {
            throw new IllegalArgumentException("the token secret must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    public ZookieCodec(String secret) {
        this(secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The token for {@code revision} of {@code tenant}. */
    public String encode(String tenant, Revision revision) {
        ByteBuffer buffer = ByteBuffer.allocate(LENGTH);
        buffer.put(VERSION).putLong(revision.value()).put(fingerprint(tenant));
        buffer.put(mac(buffer.array(), 1 + 8 + 4, tenant));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer.array());
    }

    /**
     * The revision a token names.
     *
     * @throws ZookieException for garbage, an unknown version, a token of another tenant, or
     *         one that was altered or not issued by a server with this secret
     */
    public Revision decode(String tenant, String token) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(token == null ? "" : token.strip());
        } catch (IllegalArgumentException e) {
            throw new ZookieException("the token is not a Relata consistency token; pass back a token exactly as a"
                    + " response gave it");
        }
        if (bytes.length == 0) {
            throw new ZookieException("the token is empty; pass back a token exactly as a response gave it");
        }
        if (bytes[0] != VERSION) {
            throw new ZookieException("the token has version " + bytes[0] + ", which this server does not read;"
                    + " use a token from a current response");
        }
        if (bytes.length != LENGTH) {
            throw new ZookieException("the token is not a Relata consistency token (wrong length); pass back a token"
                    + " exactly as a response gave it");
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        buffer.get();
        long revision = buffer.getLong();
        byte[] print = new byte[4];
        buffer.get(print);
        if (!MessageDigest.isEqual(print, fingerprint(tenant))) {
            throw new ZookieException("the token was issued for another tenant; use a token from this tenant's responses");
        }
        byte[] expected = mac(bytes, 1 + 8 + 4, tenant);
        byte[] actual = Arrays.copyOfRange(bytes, 1 + 8 + 4, LENGTH);
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new ZookieException("the token was altered or was not issued by this server");
        }
        if (revision < 0 || !encode(tenant, Revision.of(revision)).equals(token.strip())) {
            throw new ZookieException("the token was altered or was not issued by this server");
        }
        return Revision.of(revision);
    }

    /** A short hash of the tenant (not secret: it only tells a foreign token from a forged one). */
    private static byte[] fingerprint(String tenant) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("relata-tenant:" + tenant)
                    .getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private byte[] mac(byte[] data, int length, String tenant) {
        return Arrays.copyOf(hmac("token:" + tenant, data, length), 16);
    }

    private byte[] hmac(String label, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(label.getBytes(StandardCharsets.UTF_8));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
