package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.relata.engine.BulkCheckResult;
import io.relata.engine.CheckEngine;
import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.Permissionship;
import io.relata.store.Revision;
import io.relata.zookie.Consistency;
import io.relata.zookie.ConsistencyResolver;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The permission checks of the service layer over Relata's own values: each transport
 * translates its messages (the HTTP API's JSON in {@link Api}, gRPC's protobuf in
 * {@link ProtoChecks}) and calls these, so a check is answered the same way whatever it came
 * through. The consistency is resolved first, then the request translated and checked, which is
 * the order in which a request's errors are reported.
 */
final class Checks {

    /** A check's answer: the token of the revision it was read at, the result, and its trace if asked for. */
    record Answer(String checkedAt, CheckResult result, com.authzed.api.v1.DebugInformation trace) {
        Answer(String checkedAt, CheckResult result) {
            this(checkedAt, result, null);
        }
    }

    /**
     * A bulk check's answer: the token of its revision, and each item's result or error, in order,
     * with each answered item's trace when they were asked for (else null).
     */
    record BulkAnswer(String checkedAt, List<BulkCheckResult> results, List<com.authzed.api.v1.DebugInformation> traces) {
        BulkAnswer(String checkedAt, List<BulkCheckResult> results) {
            this(checkedAt, results, null);
        }
    }

    private final CheckEngine engine;
    private final ConsistencyResolver consistency;
    private final ServerConfig config;
    /** {@code relata.check.results} by permissionship, registered once. */
    private final Map<Permissionship, Counter> results = new EnumMap<>(Permissionship.class);

    private final io.relata.store.TupleStore store;
    private final Audit audit;

    Checks(io.relata.store.TupleStore store, CheckEngine engine, ConsistencyResolver consistency, ServerConfig config,
            MeterRegistry metrics, Audit audit) {
        this.store = store;
        this.audit = audit;
        this.engine = engine;
        this.consistency = consistency;
        this.config = config;
        for (Permissionship p : Permissionship.values()) {
            results.put(p, metrics.counter("relata.check.results", "permissionship", p.name()));
        }
    }

    /** The revision a request reads at (blocking: it may ask the store). */
    Revision revision(String tenant, Consistency at) {
        return consistency.resolve(tenant, at);
    }

    /** The revision a request reads at when that is known without the store, else null (never blocks). */
    Revision knownRevision(String tenant, Consistency at) {
        return consistency.resolveKnown(tenant, at);
    }

    /** Checks {@code request} at {@code revision} (blocking). */
    Answer check(String tenant, Revision revision, CheckRequest request) {
        return answer(tenant, revision, request, Api.await(engine.check(tenant, revision, request), config));
    }

    /**
     * {@link #check} with SpiceDB's debug trace ({@code withTracing}): the sub-problems the answer
     * came from and the schema used (blocking; see {@link CheckEngine#checkTraced}).
     */
    Answer checkTraced(String tenant, Revision revision, CheckRequest request) {
        io.relata.engine.TracedCheck traced = Api.await(engine.checkTraced(tenant, revision, request), config);
        Answer answer = answer(tenant, revision, request, traced.result());
        return new Answer(answer.checkedAt(), answer.result(), debugInformation(tenant, revision, traced));
    }

    private com.authzed.api.v1.DebugInformation debugInformation(String tenant, Revision revision,
            io.relata.engine.TracedCheck traced) {
        return DebugTraces.of(traced.trace(), engine.schema(tenant, revision), schemaText(tenant, revision));
    }

    private String schemaText(String tenant, Revision revision) {
        return store.readSchema(tenant, revision).map(io.relata.store.SchemaVersion::text).orElse("");
    }

    /** Why {@code request} answers as it does at {@code revision} (blocking; see {@link CheckEngine#explain}). */
    io.relata.engine.Explanation explain(String tenant, Revision revision, CheckRequest request) {
        io.relata.engine.Explanation why = Api.await(engine.explain(tenant, revision, request), config);
        results.get(why.result().permissionship()).increment();
        audit.check(tenant, "explain", request, why.result(), revision);
        return why;
    }

    /** The token of {@code revision}. */
    String token(String tenant, Revision revision) {
        return consistency.token(tenant, revision);
    }

    /**
     * {@link #check}'s answer when the engine has it at hand without waiting, else null; never
     * blocks, so a transport may call it on its own threads and hand the check on when null.
     */
    Answer cachedCheck(String tenant, Revision revision, CheckRequest request) {
        CheckResult result = engine.cachedCheck(tenant, revision, request);
        return result == null ? null : answer(tenant, revision, request, result);
    }

    private Answer answer(String tenant, Revision revision, CheckRequest request, CheckResult result) {
        results.get(result.permissionship()).increment();
        audit.check(tenant, "check", request, result, revision);
        return new Answer(consistency.token(tenant, revision), result);
    }

    /**
     * Refuses a bulk check of more items than allowed, before its items are translated.
     *
     * @throws ApiException INVALID_ARGUMENT with the counts
     */
    void requireBulkSize(int items) {
        if (items > config.maxBulkItems()) {
            // SpiceDB sends ERROR_REASON_UNSPECIFIED here, with the counts.
            throw new ApiException(ApiException.INVALID_ARGUMENT, "a bulk check may carry at most "
                    + config.maxBulkItems() + " items; this one has " + items, io.relata.store.ErrorInfo.of(
                    io.relata.store.ErrorReason.UNSPECIFIED, "check_count", String.valueOf(items),
                    "maximum_checks_allowed", String.valueOf(config.maxBulkItems())));
        }
    }

    /** Checks every item at {@code revision} (blocking); at most {@link #requireBulkSize} items. */
    BulkAnswer checkBulk(String tenant, Revision revision, List<CheckRequest> requests) {
        return checkBulk(tenant, revision, requests, false);
    }

    /**
     * {@link #checkBulk}, and with {@code tracing} each answered item's debug trace too (each item
     * then traced on its own: slower, for debugging).
     */
    BulkAnswer checkBulk(String tenant, Revision revision, List<CheckRequest> requests, boolean tracing) {
        requireBulkSize(requests.size());
        List<BulkCheckResult> answers = Api.await(engine.checkBulk(tenant, revision, requests), config);
        List<com.authzed.api.v1.DebugInformation> traces = tracing ? new java.util.ArrayList<>() : null;
        // One revision, so one schema for every traced item: read once, when the first one needs it.
        String schemaText = null;
        for (int i = 0; i < answers.size(); i++) {
            BulkCheckResult r = answers.get(i);
            if (r.error() == null) {
                results.get(r.result().permissionship()).increment();
            }
            if (tracing && r.error() == null) {
                schemaText = schemaText != null ? schemaText : schemaText(tenant, revision);
                traces.add(DebugTraces.of(Api.await(engine.checkTraced(tenant, revision, requests.get(i)), config)
                        .trace(), engine.schema(tenant, revision), schemaText));
            } else if (tracing) {
                traces.add(null);
            }
        }
        audit.checkBulk(tenant, requests, answers, revision);
        return new BulkAnswer(consistency.token(tenant, revision), answers, traces);
    }
}
