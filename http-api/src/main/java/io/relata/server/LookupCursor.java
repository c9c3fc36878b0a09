package io.relata.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cursor of a lookup (resources or subjects): the revision the lookup reads at (as the
 * tenant's zookie) and the engine's place in its results, so the next page resumes right
 * there, at the same revision. Authenticated with an HMAC under the server's token secret and
 * bound to the tenant and to the question (kind, type, permission, subject, context): a cursor
 * that was altered, made up, issued for another tenant or for another question is refused
 * with INVALID_ARGUMENT (SpiceDB's {@code ERROR_REASON_INVALID_CURSOR}). Layout
 * {@code zookie.place.mac}, the last two base64url. Thread-safe.
 */
final class LookupCursor {

    /** What a cursor holds: the zookie of the lookup's revision and the engine's place. */
    record Position(String zookie, String place) {}

    private static final String ALGORITHM = "HmacSHA256";
    private static final String REFUSED = "the cursor is not one this server issued for this lookup; pass back an"
            + " `afterResultCursor` exactly as a result of the same request gave it";

    /** One initialised MAC per thread: a lookup signs a cursor for every result it sends. */
    private final ThreadLocal<Mac> macs;

    LookupCursor(String secret) {
        SecretKeySpec key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance(ALGORITHM);
                mac.init(key);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is not available", e);
            }
        });
    }

    /** The token resuming {@code question} at {@code place}, at {@code zookie}'s revision. */
    String encode(String tenant, String question, String zookie, String place) {
        String payload = zookie + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(place.getBytes(StandardCharsets.UTF_8));
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(tenant, question, payload));
    }

    /**
     * What a token holds, once its MAC checks out for this tenant and question.
     *
     * @throws ApiException INVALID_ARGUMENT for anything this server did not issue for them
     */
    Position decode(String tenant, String question, String token) {
        String[] parts = token == null ? new String[0] : token.strip().split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw refused();
        }
        try {
            byte[] given = Base64.getUrlDecoder().decode(parts[2]);
            if (!MessageDigest.isEqual(given, mac(tenant, question, parts[0] + "." + parts[1]))) {
                throw refused();
            }
            return new Position(parts[0], new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw refused();
        }
    }

    private static ApiException refused() {
        return new ApiException(ApiException.INVALID_ARGUMENT, REFUSED,
                io.relata.store.ErrorInfo.of(io.relata.store.ErrorReason.INVALID_CURSOR));
    }

    private byte[] mac(String tenant, String question, String payload) {
        Mac mac = macs.get();
        mac.update(("lookup-cursor:" + tenant + ":" + question.length() + ":" + question + ":")
                .getBytes(StandardCharsets.UTF_8));
        return Arrays.copyOf(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)), 16);
    }
}
