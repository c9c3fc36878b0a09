package io.relata.server;

import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.CompositeChecks;
import io.relata.store.Revision;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.List;

/**
 * The service layer's audit: {@link Api}, {@link Checks} and {@link Lookups} report each decision
 * and write here, whichever transport it came through, and this turns it into an
 * {@link AuditEvent} for the {@link AuditLog} in use (none by default, when nothing is built).
 * Only answered requests are recorded; a refused one changed nothing and decided nothing.
 *
 * <p>The transports name the key of the request being served on the thread serving it
 * ({@link #caller}) where they resolve its tenant: its id ({@link Caller#keyId}, the {@code key_...}
 * id {@code relata key list} shows), never the key itself.
 */
final class Audit {

    /** The most relationships of one write listed in its line; the counts cover them all. */
    static final int LISTED_UPDATES = 100;

    private static final ThreadLocal<String> CALLER = new ThreadLocal<>();

    private volatile AuditLog log = AuditLog.OFF;
    private final Clock clock;

    Audit(Clock clock) {
        this.clock = clock;
    }

    /** The caller of the request this thread serves from now on (null: not known yet); the log gets its key id. */
    static void caller(Caller caller) {
        CALLER.set(caller == null ? null : caller.keyId());
    }

    /** Sends the events from now on to {@code to} (and closes none). */
    void to(AuditLog to) {
        this.log = to;
    }

    /** The log in use. */
    AuditLog log() {
        return log;
    }

    boolean on() {
        return log != AuditLog.OFF;
    }

    private void emit(String tenant, String kind, JsonObject request, JsonObject answer, Revision revision) {
        log.accept(new AuditEvent(clock.instant(), tenant, CALLER.get(), kind, request, answer,
                revision == null ? null : revision.value()));
    }

    /** A check's decision ({@code check}, {@code explain}, or one {@code checkbulk} item). */
    void check(String tenant, String kind, CheckRequest request, CheckResult result, Revision revision) {
        if (on()) {
            emit(tenant, kind, question(request), decision(result), revision);
        }
    }

    /** The items of a bulk check, one line each, with the item's place. */
    void checkBulk(String tenant, List<CheckRequest> requests, List<io.relata.engine.BulkCheckResult> results,
            Revision revision) {
        if (!on()) {
            return;
        }
        for (int i = 0; i < requests.size(); i++) {
            io.relata.engine.BulkCheckResult r = results.get(i);
            JsonObject answer = r.error() != null ? new JsonObject().put("error", r.error().getMessage())
                    : decision(r.result());
            emit(tenant, "checkbulk", question(requests.get(i)).put("item", i).put("items", requests.size()), answer,
                    revision);
        }
    }

    /**
     * A composite check's decision ({@code compositecheck}, or one {@code compositecheckbulk}
     * item): the chain asked and the composite answer.
     */
    void composite(String tenant, String kind, CompositeChecks.Request request, CheckResult result, Revision revision) {
        if (on()) {
            emit(tenant, kind, question(request), decision(result), revision);
        }
    }

    /** A composite check's question: the resource, the permission and the chain, first link first. */
    static JsonObject question(CompositeChecks.Request request) {
        JsonObject out = new JsonObject().put("resource", request.resource().toString())
                .put("permission", request.permission())
                .put("principals", new JsonArray(request.principals().stream().map(Object::toString).toList()));
        if (!request.context().isEmpty()) {
            out.put("contextKeys", new JsonArray(request.context().keySet().stream().sorted().toList()));
        }
        return out;
    }

    /** A lookup: its question and how many results it sent (one line per request). */
    void lookup(String tenant, String kind, JsonObject question, long results, boolean finished, Revision revision) {
        if (on()) {
            emit(tenant, kind, question, new JsonObject().put("results", results).put("finished", finished), revision);
        }
    }

    /** A write: what it changed, summarized, and its answer. */
    void write(String tenant, String kind, JsonObject request, JsonObject answer, Revision revision) {
        if (on()) {
            emit(tenant, kind, request, answer, revision);
        }
    }

    /** The updates of a relationships write: counts by operation, and the first {@link #LISTED_UPDATES}. */
    static JsonObject updates(List<io.relata.store.RelationshipUpdate> updates, int preconditions) {
        JsonObject counts = new JsonObject();
        JsonArray listed = new JsonArray();
        for (io.relata.store.RelationshipUpdate u : updates) {
            String op = u.operation().name();
            counts.put(op, counts.getInteger(op, 0) + 1);
            if (listed.size() < LISTED_UPDATES) {
                listed.add(op + " " + u.relationship());
            }
        }
        return new JsonObject().put("updates", updates.size()).put("byOperation", counts).put("listed", listed)
                .put("preconditions", preconditions);
    }

    private static JsonObject question(CheckRequest request) {
        JsonObject out = new JsonObject().put("resource", request.resource().toString())
                .put("permission", request.permission()).put("subject", request.subject().toString());
        if (!request.context().isEmpty()) {
            out.put("contextKeys", new JsonArray(request.context().keySet().stream().sorted().toList()));
        }
        return out;
    }

    private static JsonObject decision(CheckResult result) {
        JsonObject out = new JsonObject().put("permissionship", result.permissionship().name());
        if (!result.missingContext().isEmpty()) {
            out.put("missingContext", new JsonArray(result.missingContext()));
        }
        return out;
    }
}
