package io.relata.engine;

import io.relata.store.ObjectRef;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Answers permission questions at one revision of a tenant: the compiled schema in effect
 * at that revision applied to the relationships visible at it. Futures fail with
 * {@link EngineException} for questions that cannot be answered, and with the store's
 * exceptions when storage fails.
 *
 * <p>Every call returns a future of its own, even where identical calls share the work:
 * cancelling it, timing it out or completing it ends only that caller's wait and never
 * changes what another caller gets.
 */
public interface CheckEngine extends AutoCloseable {

    /** HAS, NO or CONDITIONAL for one request. */
    CompletableFuture<CheckResult> check(String tenant, Revision revision, CheckRequest request);

    /**
     * The answer {@link #check} would give, when it is at hand without waiting (the schema at
     * {@code revision} known, the answer in the sub-result cache), else null. Never blocks and
     * never asks the store, so a transport may call it on its own threads before handing the
     * check to {@link #check}; a request {@link #check} would refuse gives null.
     */
    default CheckResult cachedCheck(String tenant, Revision revision, CheckRequest request) {
        return null;
    }

    /**
     * {@link #check} with its trace: every sub-problem asked, with its answer, as SpiceDB's
     * {@code debugTrace} reports them. A separate mode: the untraced check is not slowed by it.
     * The answer is the one {@link #check} gives; sub-problems the shared cache holds are leaves
     * marked cached (never the root).
     */
    default CompletableFuture<TracedCheck> checkTraced(String tenant, Revision revision, CheckRequest request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this engine does not trace checks"));
    }

    /**
     * Why {@link #check} answers as it does: the shortest chain of relationships that grants the
     * permission, or, for NO, the closest miss (see {@link Explanation}); a bounded search.
     */
    default CompletableFuture<Explanation> explain(String tenant, Revision revision, CheckRequest request) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this engine does not explain checks"));
    }

    /**
     * The compiled schema in effect at {@code revision} when it is at hand without asking the
     * store, else null; never blocks (see {@link #cachedCheck}).
     */
    default io.relata.schema.Schema schemaIfKnown(String tenant, Revision revision) {
        return null;
    }

    /**
     * Checks {@code requests} one after another, stopping after the first NO: the answers of
     * those asked, in order (the last is the NO, if any). An implementation may run them as one
     * task (no hand-off between them); the default chains {@link #check}s.
     */
    default CompletableFuture<List<CheckResult>> checkUntilNo(String tenant, Revision revision,
            List<CheckRequest> requests) {
        CompletableFuture<List<CheckResult>> chain = CompletableFuture.completedFuture(new java.util.ArrayList<>());
        for (CheckRequest request : requests) {
            chain = chain.thenCompose(answers -> !answers.isEmpty()
                    && answers.get(answers.size() - 1).permissionship() == Permissionship.NO
                    ? CompletableFuture.completedFuture(answers)
                    : check(tenant, revision, request).thenApply(r -> {
                        answers.add(r);
                        return answers;
                    }));
        }
        return chain;
    }

    /** Many checks in one call, answered in request order; requests that share a question share the work. */
    CompletableFuture<List<BulkCheckResult>> checkBulk(String tenant, Revision revision, List<CheckRequest> requests);

    /** The userset tree of {@code resource#permission}. */
    CompletableFuture<ExpandTree> expand(String tenant, Revision revision, ObjectRef resource, String permission);

    /** Where a streamed lookup hands each result, with the cursor that resumes right after it. */
    @FunctionalInterface
    interface LookupSink<T> {
        /**
         * Takes one result; may block (that is the lookup's backpressure: nothing more is
         * computed meanwhile). False stops the lookup.
         */
        boolean accept(T result, String cursor);
    }

    /**
     * The resources of {@code resourceType} on which {@code subject} has {@code permission}
     * (HAS or CONDITIONAL), each once, in the order of {@link #streamResources}, after the
     * cursor {@code after} (null for the start), at most {@code limit} (0 for all); the page's
     * {@code next} is the cursor after its last result when it holds {@code limit} results.
     */
    CompletableFuture<LookupPage> lookupResources(String tenant, Revision revision, String resourceType,
            String permission, SubjectRef subject, Map<String, Object> context, String after, int limit);

    /**
     * {@link #lookupResources} streamed on the calling thread: each result goes to {@code sink}
     * as soon as it is known, in an order that is the same for the same question at the same
     * revision, with a cursor that resumes after it. A resumed page re-reads the walk's store
     * pages up to the cursor (more, the further into the lookup the cursor is) but checks no
     * candidate before it; that replay is not charged to the page's deadline, so a cursor stays
     * usable however far in it is. Each resource comes once, on one page. Returns when the
     * results, the {@code limit} (0 for none) or the sink's patience end.
     *
     * @throws EngineException INVALID_ARGUMENT for a cursor this lookup did not give, as for
     *                         {@link #lookupResources}; DEADLINE_EXCEEDED when the computation after
     *                         the cursor (not counting time the sink blocked) takes longer than the
     *                         engine's deadline, or when the call is cancelled (its thread interrupted)
     */
    void streamResources(String tenant, Revision revision, String resourceType, String permission, SubjectRef subject,
            Map<String, Object> context, String cursor, int limit, LookupSink<LookupResult> sink);

    /**
     * {@link #lookupSubjects} streamed on the calling thread, after {@code cursor} (null for the
     * start), stopping after {@code concreteLimit} subjects other than the wildcard (0 for all),
     * each subject once across the pages of one lookup. Most questions are walked forward from
     * the resource a store page at a time, each subject sent as soon as it is known to hold (in
     * the walk's order, the same for the same question at the same revision), with nothing
     * computed while the sink blocks; a resumed page re-reads the walk's store pages up to the
     * cursor but checks no subject before it. A question where a wildcard of the subject type
     * meets a set operation or a caveat (or that reaches {@code self}) is computed whole, as
     * {@link #lookupSubjects} does, and sent in subject id order ({@code *} first); there the
     * cursor saves the sending of earlier results, not their computation.
     *
     * @throws EngineException INVALID_ARGUMENT for a cursor a lookup subjects did not give;
     *                         DEADLINE_EXCEEDED as for {@link #streamResources}
     */
    void streamSubjects(String tenant, Revision revision, ObjectRef resource, String permission, String subjectType,
            String subjectRelation, Map<String, Object> context, String cursor, int concreteLimit,
            LookupSink<SubjectResult> sink);

    /**
     * The subjects of {@code subjectType} (with {@code subjectRelation}, or plain objects for
     * null) that have {@code permission} on {@code resource}; a wildcard appears as id
     * {@code *} with the subjects it excludes.
     */
    CompletableFuture<List<SubjectResult>> lookupSubjects(String tenant, Revision revision, ObjectRef resource,
            String permission, String subjectType, String subjectRelation, Map<String, Object> context);

    /**
     * The compiled schema in effect at {@code revision} (each schema version is compiled once).
     *
     * @throws EngineException SCHEMA_MISMATCH when the tenant has no schema by then
     */
    io.relata.schema.Schema schema(String tenant, Revision revision);

    /**
     * The compiled form of {@code version}, one of the tenant's schema versions as the store
     * gave it (each version is compiled once). Unlike {@link #schema(String, Revision)} this
     * never asks the store, so it may be called inside a store's write transaction.
     *
     * @throws io.relata.schema.SchemaException if the text does not compile
     */
    io.relata.schema.Schema schema(String tenant, io.relata.store.SchemaVersion version);

    /** Hit and miss counts of the sub-result cache. */
    com.github.benmanes.caffeine.cache.stats.CacheStats cacheStats();

    @Override
    void close();
}
