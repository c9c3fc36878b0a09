package io.relata.store;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * Where a paged read stopped: an opaque token naming the last relationship returned. The
 * next page starts after it, in the store's order.
 */
public record Cursor(String token) {

    public Cursor {
        Objects.requireNonNull(token, "token");
    }

    /** The cursor after {@code last}. */
    public static Cursor after(Relationship last) {
        String key = last.key().toString();
        return new Cursor(Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The relationship this cursor comes after.
     *
     * @throws InvalidRequestException (SpiceDB's INVALID_CURSOR) if the token was not made by {@link #after}
     */
    public Relationship position() {
        try {
            return Relationship.parse(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("the cursor is not one this server issued", e,
                    ErrorInfo.of(ErrorReason.INVALID_CURSOR));
        }
    }
}
