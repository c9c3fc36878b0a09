package io.relata.server;

import io.relata.store.Cursor;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cursor of a bulk export, as SpiceDB's: the revision the export reads at (as the
 * tenant's zookie) and the last relationship sent, so a new request resumes right after it
 * at the same revision. Authenticated with an HMAC under the server's token secret and bound
 * to the tenant: a cursor that was altered, made up or issued for another tenant is refused
 * with INVALID_ARGUMENT, never read from somewhere else. Layout: {@code zookie.position.mac},
 * each part base64url. Thread-safe.
 */
final class ExportCursor {

    /** What a cursor holds: the zookie of the export's revision and where it stopped. */
    record Position(String zookie, Cursor after) {}

    private static final String ALGORITHM = "HmacSHA256";
    private static final String REFUSED = "the cursor is not one this server issued for this tenant's export; pass"
            + " back an `afterResultCursor` exactly as an export response gave it";

    private final SecretKeySpec key;

    ExportCursor(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The token of the cursor after {@code after}, in the export reading at {@code zookie}'s revision. */
    String encode(String tenant, String zookie, Cursor after) {
        String payload = zookie + "." + after.token();
        return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(tenant, payload));
    }

    /**
     * What a token holds, once its MAC and its position check out.
     *
     * @throws ApiException INVALID_ARGUMENT for anything this server did not issue for {@code tenant}
     */
    Position decode(String tenant, String token) {
        String[] parts = token == null ? new String[0] : token.strip().split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw ApiException.invalid(REFUSED);
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(REFUSED);
        }
        if (!MessageDigest.isEqual(given, mac(tenant, parts[0] + "." + parts[1]))) {
            throw ApiException.invalid(REFUSED);
        }
        Cursor after = new Cursor(parts[1]);
        try {
            after.position();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(REFUSED);
        }
        return new Position(parts[0], after);
    }

    private byte[] mac(String tenant, String payload) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(("export-cursor:" + tenant + ":").getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
