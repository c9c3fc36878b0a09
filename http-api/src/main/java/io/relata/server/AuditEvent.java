package io.relata.server;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * One line of the audit log: a decision (a check, a bulk check item, an explanation, a lookup)
 * or a write (relationships written or deleted, a schema written, an import).
 *
 * @param time     when the service layer answered it
 * @param tenant   the tenant
 * @param keyId    the id of the key it came with, as {@code relata key list} and the key API list
 *                 it ({@code key_...}; {@code preshared} for a preshared key, {@code token} for a key of
 *                 the per-token mode), never the key itself; null when unknown
 * @param kind     {@code check}, {@code checkbulk}, {@code explain}, {@code lookupresources},
 *                 {@code lookupsubjects}, {@code relationships.write}, {@code relationships.delete},
 *                 {@code schema.write} or {@code import}
 * @param request  what was asked, summarized (bounded in size)
 * @param answer   what was answered
 * @param revision the revision it was read or written at, or null
 */
record AuditEvent(Instant time, String tenant, String keyId, String kind, JsonObject request, JsonObject answer,
        Long revision) {

    AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(kind, "kind");
    }

    /** The line: {@code time, tenant, keyId, kind, request, answer, revision}. */
    JsonObject json() {
        return new JsonObject().put("time", time.toString()).put("tenant", tenant).put("keyId", keyId)
                .put("kind", kind).put("request", request).put("answer", answer)
                .put("revision", revision == null ? null : Long.toString(revision));
    }
}
