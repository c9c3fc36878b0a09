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

    /** Many checks in one call, answered in request order; requests that share a question share the work. */
    CompletableFuture<List<BulkCheckResult>> checkBulk(String tenant, Revision revision, List<CheckRequest> requests);

    /** The userset tree of {@code resource#permission}. */
    CompletableFuture<ExpandTree> expand(String tenant, Revision revision, ObjectRef resource, String permission);

    /**
     * The resources of {@code resourceType} on which {@code subject} has {@code permission}
     * (HAS or CONDITIONAL), in id order, after the cursor {@code after} (null for the start),
     * at most {@code limit} (0 for all).
     */
    CompletableFuture<LookupPage> lookupResources(String tenant, Revision revision, String resourceType,
            String permission, SubjectRef subject, Map<String, Object> context, String after, int limit);

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
