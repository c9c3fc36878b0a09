package io.relata.server;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One line of the audit log: a decision (a check, a bulk check item, an explanation, a lookup)
 * or a write (relationships written or deleted, a schema written, an import).
 *
 * @param time     when the service layer answered it
 * @param tenant   the tenant
 * @param bearer   the bearer key it came with (never written: the line carries its {@link #keyId})
 * @param kind     {@code check}, {@code checkbulk}, {@code explain}, {@code lookupresources},
 *                 {@code lookupsubjects}, {@code relationships.write}, {@code relationships.delete},
 *                 {@code schema.write} or {@code import}
 * @param request  what was asked, summarized (bounded in size)
 * @param answer   what was answered
 * @param revision the revision it was read or written at, or null
 */
record AuditEvent(Instant time, String tenant, String bearer, String kind, JsonObject request, JsonObject answer,
        Long revision) {

    AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(kind, "kind");
    }

    /**
     * The key's id in the log: {@code sha256:} and the first 16 hex digits of the SHA-256 of the
     * key, enough to tell keys apart and to match a known key, never enough to use one.
     */
    static String keyId(String bearer) {
        if (bearer == null) {
            return null;
        }
        return "sha256:" + HexFormat.of().formatHex(io.relata.store.ApiKeys.hash(bearer)).substring(0, 16);
    }

    /** The line: {@code time, tenant, keyId, kind, request, answer, revision}. */
    JsonObject json() {
        return new JsonObject().put("time", time.toString()).put("tenant", tenant).put("keyId", keyId(bearer))
                .put("kind", kind).put("request", request).put("answer", answer)
                .put("revision", revision == null ? null : Long.toString(revision));
    }
}
