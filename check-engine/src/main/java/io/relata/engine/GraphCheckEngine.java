package io.relata.engine;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Permission;
import io.relata.schema.Relation;
import io.relata.schema.Rewrite;
import io.relata.schema.Schema;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The check engine over a {@link TupleStore}. Requests run on a bounded pool of
 * {@link EngineOptions#parallelism()} threads; identical requests in flight at once share
 * one computation; sub-results are cached in a shared {@link CheckCache}.
 */
public final class GraphCheckEngine implements CheckEngine {

    private final TupleStore store;
    private final EngineOptions options;
    private final SchemaProvider schemas;
    private final CaveatEvaluator caveats = new CaveatEvaluator();
    private final CheckCache cache;
    private final RelationshipCache relationships;
    /** The nested-group index, or null when {@link EngineOptions#groupIndex()} is off. */
    private final io.relata.engine.index.GroupIndexes groupIndex;
    private final ExecutorService pool;
    /** Where requests run: the pool, or the pool keeping each request's trace when traced. */
    private final java.util.concurrent.Executor executor;
    /** Null when dispatches are not traced. */
    private final DispatchTracer tracer;
    private final Map<List<Object>, CompletableFuture<CheckResult>> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger lastStoreCalls = new AtomicInteger();
    /** Walks of lookup pages that ended at their limit, for the next page to continue. */
    private final PausedLookups pausedLookups = new PausedLookups();
    private final java.util.concurrent.atomic.LongAdder dispatches = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder lookupChecks = new java.util.concurrent.atomic.LongAdder();

    public GraphCheckEngine(TupleStore store, EngineOptions options) {
        this(store, options, null);
    }

    /**
     * An engine whose dispatches {@code tracer} sees (each check's sub-problems as spans, the
     * request's trace kept across the engine's pool); null traces nothing and costs nothing.
     */
    public GraphCheckEngine(TupleStore store, EngineOptions options, DispatchTracer tracer) {
        this.store = store;
        this.tracer = tracer;
        this.options = options;
        this.schemas = new SchemaProvider(store);
        this.cache = options.cacheSize() > 0 ? new CheckCache(options.cacheSize()) : null;
        this.relationships = options.relationshipCacheSize() > 0
                ? new RelationshipCache(options.relationshipCacheSize()) : null;
        this.groupIndex = options.groupIndex().enabled()
                ? new io.relata.engine.index.GroupIndexes(store, options.groupIndex(), schemas::compiled) : null;
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(options.parallelism(), options.parallelism(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "relata-engine-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.executor = tracer == null ? pool : tracer.propagating(pool);
    }

    public GraphCheckEngine(TupleStore store) {
        this(store, EngineOptions.DEFAULTS);
    }

    private <T> CompletableFuture<T> async(Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, executor);
    }

    private long deadline() {
        return System.nanoTime() + options.deadline().toNanos();
    }

    /** Store queries the most recent check or lookup subjects made (for measurements). */
    public int lastStoreCalls() {
        return lastStoreCalls.get();
    }

    // ---- check -------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Identical requests in flight at once share one computation. Each caller still gets a
     * future of its own: cancelling it, timing it out or completing it ends that caller's wait
     * only; the shared computation goes on for the others and leaves the in-flight table when
     * it finishes, whatever became of its callers.
     */
    @Override
    public CompletableFuture<CheckResult> check(String tenant, Revision revision, CheckRequest request) {
        List<Object> key = List.of(tenant, revision, request);
        CompletableFuture<CheckResult> shared = new CompletableFuture<>();
        CompletableFuture<CheckResult> existing = inFlight.putIfAbsent(key, shared);
        if (existing != null) {
            return caller(existing);
        }
        try {
            async(() -> checkNow(tenant, revision, request)).whenComplete((result, error) -> {
                // Out of the table before anyone hears the answer: a request made after it runs anew.
                inFlight.remove(key, shared);
                if (error != null) {
                    shared.completeExceptionally(error instanceof CompletionException c ? c.getCause() : error);
                } else {
                    shared.complete(result);
                }
            });
        } catch (RuntimeException notStarted) {
            // The pool refused the work (the engine is closed): nobody may wait on it.
            inFlight.remove(key, shared);
            shared.completeExceptionally(notStarted);
        }
        return caller(shared);
    }

    /**
     * A future for one caller of a shared computation: it completes as the shared one does
     * (with the same value or the same exception), but whatever the caller does to it never
     * reaches the shared one.
     */
    private static <T> CompletableFuture<T> caller(CompletableFuture<T> shared) {
        CompletableFuture<T> mine = new CompletableFuture<>();
        shared.whenComplete((result, error) -> {
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(result);
            }
        });
        return mine;
    }

    @Override
    public CheckResult cachedCheck(String tenant, Revision revision, CheckRequest request) {
        if (cache == null) {
            return null;
        }
        Schema schema = schemas.schemaIfKnown(tenant, revision);
        if (schema == null) {
            return null;
        }
        try {
            validate(schema, request.resource().type(), request.permission(), request.subject());
        } catch (EngineException refused) {
            return null;
        }
        // The key the check's first question would find (see Evaluation).
        Truth truth = cache.peek(new CheckCache.Key(tenant, revision.value(), request.resource().type(),
                request.resource().id(), request.permission(), request.subject().toString(),
                CheckCache.contextKey(request.context())));
        if (truth == null) {
            return null;
        }
        dispatches.increment();
        lastStoreCalls.set(0);
        return CheckResult.of(truth);
    }

    @Override
    public CompletableFuture<TracedCheck> checkTraced(String tenant, Revision revision, CheckRequest request) {
        return async(() -> {
            // The answer is the check's, errors included: the recording walk, one resource at a time,
            // may meet cycles, depth and caveats other than the batched evaluation does, so it only
            // shows how the answer came about and never decides it.
            // The walk goes first: the check after it fills the shared cache, which the walk would
            // otherwise read for every sub-problem below the root and show as cached leaves.
            long started = System.nanoTime();
            CheckTrace trace;
            try {
                TracingWalk walk = walk(tenant, revision, request, false);
                trace = walk.walk(request.resource().type(), request.resource().id(), request.permission(), 0).trace();
            } catch (EngineException | io.relata.store.StoreException e) {
                trace = null;
            }
            CheckResult answer = checkNow(tenant, revision, request);
            if (trace == null) {
                // The walk could not finish where the check could (e.g. a longer path past the depth
                // limit): the root alone, with the check's answer.
                trace = new CheckTrace(request.resource(), request.permission(), true, request.subject(), answer,
                        null, false, false, System.nanoTime() - started, List.of());
            }
            if (!trace.result().equals(answer)) {
                trace = new CheckTrace(trace.resource(), trace.relation(), trace.permission(), trace.subject(), answer,
                        trace.caveat(), trace.cached(), trace.cycle(), trace.durationNanos(), trace.subProblems());
            }
            return new TracedCheck(answer, trace);
        });
    }

    @Override
    public CompletableFuture<Explanation> explain(String tenant, Revision revision, CheckRequest request) {
        return explain(tenant, revision, request, Explanation.SEARCH_LIMIT);
    }

    /** {@link #explain} visiting at most {@code limit} sub-problems (tests lower it). */
    CompletableFuture<Explanation> explain(String tenant, Revision revision, CheckRequest request, int limit) {
        return async(() -> {
            CheckResult answer = checkNow(tenant, revision, request);
            TracingWalk walk = walk(tenant, revision, request, true).limitedTo(limit);
            return walk.explanation(answer, walk.walk(request.resource().type(), request.resource().id(),
                    request.permission(), 0));
        });
    }

    /** A recording walk of one check (see {@link TracingWalk}); tracing reads the sub-result cache. */
    private TracingWalk walk(String tenant, Revision revision, CheckRequest request, boolean exhaustive) {
        Schema schema = schemas.schemaAt(tenant, revision);
        validate(schema, request.resource().type(), request.permission(), request.subject());
        Evaluation fallback = evaluation(tenant, revision, schema, request.subject(), request.context());
        java.util.function.Function<String[], Truth> cached = exhaustive || cache == null ? null
                : k -> cache.peek(new CheckCache.Key(tenant, revision.value(), k[0], k[1], k[2],
                        request.subject().toString(), CheckCache.contextKey(request.context())));
        RequestReads reads = new RequestReads(store, tenant, revision);
        reads.readThrough(relationships);
        return new TracingWalk(schema, request.subject(), request.context(), caveats, reads, fallback, cached,
                exhaustive, options.maxDepth(), deadline());
    }


    /** One task on the pool: each check on its thread, in order, until a NO. */
    @Override
    public CompletableFuture<List<CheckResult>> checkUntilNo(String tenant, Revision revision,
            List<CheckRequest> requests) {
        return async(() -> {
            List<CheckResult> answers = new ArrayList<>();
            for (CheckRequest request : requests) {
                CheckResult r = checkNow(tenant, revision, request);
                answers.add(r);
                if (r.permissionship() == Permissionship.NO) {
                    break;
                }
            }
            return answers;
        });
    }

    /** Answers one check on the calling thread. */
    public CheckResult checkNow(String tenant, Revision revision, CheckRequest request) {
        Schema schema = schemas.schemaAt(tenant, revision);
        validate(schema, request.resource().type(), request.permission(), request.subject());
        Evaluation evaluation = evaluation(tenant, revision, schema, request.subject(), request.context());
        Truth truth = evaluation.evaluate(request.resource().type(), List.of(request.resource().id()),
                request.permission(), 0).get(request.resource().id());
        lastStoreCalls.set(evaluation.storeCalls());
        return CheckResult.of(truth);
    }

    private Evaluation evaluation(String tenant, Revision revision, Schema schema, SubjectRef subject,
            Map<String, Object> context) {
        return new Evaluation(store, tenant, revision, schema, subject, context, caveats, cache, options.maxDepth(),
                deadline()).countingDispatches(dispatches).readingThrough(relationships).tracedBy(tracer)
                .usingGroupIndex(groupIndex);
    }

    /** Sub-problems dispatched so far (each over a batch of resources), across all requests. */
    public long dispatches() {
        return dispatches.sum();
    }

    private static void validate(Schema schema, String type, String permission, SubjectRef subject) {
        ObjectDefinition definition = definition(schema, type);
        if (!definition.has(permission)) {
            throw EngineException.unknownRelation(type, permission, "`" + type + "` has no relation or"
                    + " permission `" + permission + "`");
        }
        if (subject != null) {
            if (subject.isWildcard()) {
                throw new EngineException(EngineException.Reason.INVALID_ARGUMENT,
                        "a check's subject cannot be a wildcard (`" + subject + "`); ask about one subject",
                        io.relata.store.ErrorInfo.of(io.relata.store.ErrorReason.WILDCARD_NOT_ALLOWED,
                                "field", "subject.object_id"));
            }
            ObjectDefinition subjectType = definition(schema, subject.type());
            if (subject.relation() != null && !subjectType.has(subject.relation())) {
                throw EngineException.unknownRelation(subject.type(), subject.relation(), "`" + subject.type()
                        + "` has no relation or permission `" + subject.relation() + "`");
            }
        }
    }

    private static ObjectDefinition definition(Schema schema, String type) {
        return schema.definition(type).orElseThrow(() -> EngineException.unknownDefinition(type,
                "the schema has no definition `" + type + "`"));
    }

    @Override
    public CompletableFuture<List<BulkCheckResult>> checkBulk(String tenant, Revision revision,
            List<CheckRequest> requests) {
        // Grouping happens on the caller's thread; each group runs on the pool, and nothing on
        // the pool waits for another pool task (which could starve a bounded pool).
        Schema schema;
        try {
            schema = schemas.schemaAt(tenant, revision);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<List<Object>, List<Integer>> groups = new LinkedHashMap<>();
        BulkCheckResult[] results = new BulkCheckResult[requests.size()];
        for (int i = 0; i < requests.size(); i++) {
            CheckRequest r = requests.get(i);
            try {
                validate(schema, r.resource().type(), r.permission(), r.subject());
                groups.computeIfAbsent(List.of(r.resource().type(), r.permission(), r.subject(), r.context()),
                        k -> new ArrayList<>()).add(i);
            } catch (EngineException e) {
                results[i] = new BulkCheckResult(r, null, e);
            }
        }
        List<CompletableFuture<Void>> work = new ArrayList<>();
        for (List<Integer> group : groups.values()) {
            work.add(CompletableFuture.runAsync(() -> {
                CheckRequest first = requests.get(group.get(0));
                List<String> ids = group.stream().map(i -> requests.get(i).resource().id()).toList();
                try {
                    Map<String, Truth> truths = evaluation(tenant, revision, schema, first.subject(), first.context())
                            .evaluate(first.resource().type(), ids, first.permission(), 0);
                    for (int i : group) {
                        results[i] = new BulkCheckResult(requests.get(i),
                                CheckResult.of(truths.get(requests.get(i).resource().id())), null);
                    }
                } catch (EngineException e) {
                    if (e.reason() == EngineException.Reason.DEPTH_EXCEEDED && group.size() > 1) {
                        // One item of the batch nests past the limit: the others still get
                        // their answers, each as deep as it would be asked alone.
                        for (int i : group) {
                            results[i] = checkAlone(tenant, revision, schema, requests.get(i));
                        }
                    } else {
                        for (int i : group) {
                            results[i] = new BulkCheckResult(requests.get(i), null, e);
                        }
                    }
                }
            }, executor));
        }
        return CompletableFuture.allOf(work.toArray(new CompletableFuture<?>[0])).thenApply(v -> List.of(results));
    }

    private BulkCheckResult checkAlone(String tenant, Revision revision, Schema schema, CheckRequest request) {
        try {
            Truth truth = evaluation(tenant, revision, schema, request.subject(), request.context())
                    .evaluate(request.resource().type(), List.of(request.resource().id()), request.permission(), 0)
                    .get(request.resource().id());
            return new BulkCheckResult(request, CheckResult.of(truth), null);
        } catch (EngineException e) {
            return new BulkCheckResult(request, null, e);
        }
    }

    // ---- expand ------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<ExpandTree> expand(String tenant, Revision revision, ObjectRef resource, String permission) {
        return async(() -> {
            Schema schema = schemas.schemaAt(tenant, revision);
            validate(schema, resource.type(), permission, null);
            return expand(tenant, revision, schema, resource, permission, 0, deadline());
        });
    }

    private ExpandTree expand(String tenant, Revision revision, Schema schema, ObjectRef resource, String name,
            int depth, long deadline) {
        if (depth > options.maxDepth()) {
            throw EngineException.depthExceeded(options.maxDepth(), "expanding " + resource + "#" + name
                    + " went deeper than " + options.maxDepth() + " levels");
        }
        if (System.nanoTime() > deadline) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "expand ran past its deadline");
        }
        ObjectDefinition definition = schema.definitions().get(resource.type());
        Relation relation = definition == null ? null : definition.relations().get(name);
        if (relation != null) {
            List<ExpandTree.DirectSubject> subjects = store.subjectsOf(tenant, revision, resource.type(),
                    List.of(resource.id()), name).stream().map(ExpandTree.DirectSubject::of)
                    .sorted(java.util.Comparator.comparing(ExpandTree.DirectSubject::subject)).toList();
            return new ExpandTree.Leaf(resource, name, subjects, null, null);
        }
        Permission permission = definition == null ? null : definition.permissions().get(name);
        if (permission == null) {
            return new ExpandTree.Leaf(resource, name, List.of());
        }
        return expandRewrite(tenant, revision, schema, resource, name, permission.rewrite(), depth, deadline);
    }

    private ExpandTree expandRewrite(String tenant, Revision revision, Schema schema, ObjectRef resource, String name,
            Rewrite rewrite, int depth, long deadline) {
        if (rewrite instanceof Rewrite.Union u) {
            return operation(tenant, revision, schema, resource, name, ExpandTree.Kind.UNION, u.children(), depth, deadline);
        }
        if (rewrite instanceof Rewrite.Intersection i) {
            return operation(tenant, revision, schema, resource, name, ExpandTree.Kind.INTERSECTION, i.children(), depth,
                    deadline);
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            return operation(tenant, revision, schema, resource, name, ExpandTree.Kind.EXCLUSION,
                    List.of(x.base(), x.subtracted()), depth, deadline);
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return expand(tenant, revision, schema, resource, c.relation(), depth + 1, deadline);
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            List<ExpandTree> children = new ArrayList<>();
            List<Relationship> followed = new ArrayList<>(store.subjectsOf(tenant, revision, resource.type(),
                    List.of(resource.id()), t.tupleset()));
            followed.sort(java.util.Comparator.comparing(Relationship::subject));
            for (Relationship r : followed) {
                ObjectDefinition target = schema.definitions().get(r.subject().type());
                if (!r.subject().isWildcard() && target != null && target.has(t.computed())) {
                    children.add(expand(tenant, revision, schema, ObjectRef.of(r.subject().type(), r.subject().id()),
                            t.computed(), depth + 1, deadline).reachedThrough(r));
                }
            }
            ExpandTree.Kind kind = t.kind() == Rewrite.ArrowKind.ALL ? ExpandTree.Kind.INTERSECTION : ExpandTree.Kind.UNION;
            return new ExpandTree.Operation(resource, name, kind, children);
        }
        if (rewrite instanceof Rewrite.Self) {
            return new ExpandTree.Leaf(resource, name, List.of(SubjectRef.of(resource)));
        }
        return new ExpandTree.Leaf(resource, name, List.of());
    }

    private ExpandTree operation(String tenant, Revision revision, Schema schema, ObjectRef resource, String name,
            ExpandTree.Kind kind, List<Rewrite> children, int depth, long deadline) {
        List<ExpandTree> expanded = new ArrayList<>();
        for (Rewrite child : children) {
            expanded.add(expandRewrite(tenant, revision, schema, resource, name, child, depth, deadline));
        }
        return new ExpandTree.Operation(resource, name, kind, expanded);
    }

    // ---- lookups (see ResourceLookup and SubjectLookup) -----------------------------------------------

    @Override
    public CompletableFuture<LookupPage> lookupResources(String tenant, Revision revision, String resourceType,
            String permission, SubjectRef subject, Map<String, Object> context, String after, int limit) {
        return async(() -> {
            List<LookupResult> found = new ArrayList<>();
            String[] last = new String[1];
            streamResources(tenant, revision, resourceType, permission, subject, context, after, limit, (r, cursor) -> {
                found.add(r);
                last[0] = cursor;
                return true;
            });
            return new LookupPage(found, limit > 0 && found.size() == limit ? last[0] : null);
        });
    }

    /** {@inheritDoc} Runs on the calling thread, as fast as the sink takes the results. */
    @Override
    public void streamResources(String tenant, Revision revision, String resourceType, String permission,
            SubjectRef subject, Map<String, Object> context, String cursor, int limit, LookupSink<LookupResult> sink) {
        Schema schema = schemas.schemaAt(tenant, revision);
        validate(schema, resourceType, permission, subject);
        Map<String, Object> ctx = context == null ? Map.of() : context;
        PausedLookups.Lookup paused = new PausedLookups.Lookup(tenant, revision.value(), resourceType, permission,
                subject, ctx);
        ResourceLookup.Position from = ResourceLookup.Position.parse(cursor);
        ResourceWalk walk = pausedLookups.resume(paused, from);
        ResourceLookup.Position resumedAt = walk == null ? null : from;
        if (walk == null) {
            walk = new ResourceWalk(store, tenant, revision, schema, resourceType, permission, subject, ctx, caveats,
                    options.maxDepth());
            if (groupIndex != null) {
                walk.usingGroupIndex(new IndexedReverseSteps(groupIndex, tenant, revision, schema));
            }
        }
        ResourceLookup lookup = new ResourceLookup(walk, resumedAt, pausedLookups, paused,
                () -> evaluation(tenant, revision, schema, subject, ctx),
                () -> new Evaluation(store, tenant, revision, schema, subject, ctx, caveats, null, options.maxDepth(),
                        deadline()).tracedBy(tracer), // shares the exact one's reads; with hints the index never answers
                walk.mayHint(), resourceType, permission, options.deadline().toNanos());
        try {
            lookup.run(cursor, limit, sink);
        } finally {
            lastStoreCalls.set(lookup.storeCalls());
            lookupChecks.add(lookup.checked());
        }
    }

    /** Pages of lookup resources or subjects that continued the walk an earlier page paused, across all requests. */
    public long lookupPagesResumed() {
        return pausedLookups.resumed();
    }

    /** Lookup walks paused now, waiting for their next page. */
    long lookupWalksPaused() {
        return pausedLookups.size();
    }

    /** Pages of lookup resources or subjects from a cursor that replayed the walk (no paused walk for it here). */
    public long lookupPagesReplayed() {
        return pausedLookups.replayed();
    }

    /** Candidates that streamed lookups (resources, subjects) checked so far (the walks proved the others), in all. */
    public long lookupChecks() {
        return lookupChecks.sum();
    }

    @Override
    public CompletableFuture<List<SubjectResult>> lookupSubjects(String tenant, Revision revision, ObjectRef resource,
            String permission, String subjectType, String subjectRelation, Map<String, Object> context) {
        return async(() -> subjects(tenant, revision, resource, permission, subjectType, subjectRelation, context));
    }

    /** {@inheritDoc} Runs on the calling thread. */
    @Override
    public void streamSubjects(String tenant, Revision revision, ObjectRef resource, String permission,
            String subjectType, String subjectRelation, Map<String, Object> context, String cursor, int concreteLimit,
            LookupSink<SubjectResult> sink) {
        Schema schema = schemas.schemaAt(tenant, revision);
        validateSubjects(schema, resource, permission, subjectType, subjectRelation);
        if (!SubjectPlan.streamable(schema, resource.type(), permission, subjectType, subjectRelation)) {
            SubjectLookup.sendComputed(subjects(tenant, revision, resource, permission, subjectType, subjectRelation,
                    context), cursor, concreteLimit, sink);
            return;
        }
        Map<String, Object> ctx = context == null ? Map.of() : context;
        PausedLookups.SubjectsLookup paused = new PausedLookups.SubjectsLookup(tenant, revision.value(),
                resource.type(), resource.id(), permission, subjectType, subjectRelation, ctx);
        ResourceLookup.Position from = ResourceLookup.Position.parse(cursor);
        SubjectWalk walk = pausedLookups.resume(paused, from);
        ResourceLookup.Position resumedAt = walk == null ? null : from;
        if (walk == null) {
            walk = new SubjectWalk(store, tenant, revision, schema, resource.type(), resource.id(), permission,
                    subjectType, subjectRelation, ctx, caveats, options.maxDepth());
        }
        int walkCallsBefore = walk.storeCalls();
        SubjectLookup lookup = new SubjectLookup(walk, resumedAt, pausedLookups, paused, (ids, deadline) -> {
            SubjectSets only = new SubjectSets(store, tenant, revision, schema, subjectType, subjectRelation, ctx,
                    caveats, options.maxDepth(), deadline).readingThrough(relationships).onlyIds(ids);
            Map<String, SubjectResult> found = new java.util.HashMap<>();
            only.of(resource.type(), resource.id(), permission, 0).results().forEach(r -> found.put(r.id(), r));
            return found;
        }, options.deadline().toNanos());
        try {
            lookup.run(cursor, concreteLimit, sink);
        } finally {
            lastStoreCalls.set(walk.storeCalls() - walkCallsBefore);
            lookupChecks.add(lookup.checked());
        }
    }

    private static void validateSubjects(Schema schema, ObjectRef resource, String permission, String subjectType,
            String subjectRelation) {
        validate(schema, resource.type(), permission, null);
        ObjectDefinition target = definition(schema, subjectType);
        if (subjectRelation != null && !target.has(subjectRelation)) {
            throw EngineException.unknownRelation(subjectType, subjectRelation,
                    "`" + subjectType + "` has no relation or permission `" + subjectRelation + "`");
        }
    }

    private List<SubjectResult> subjects(String tenant, Revision revision, ObjectRef resource, String permission,
            String subjectType, String subjectRelation, Map<String, Object> context) {
        Schema schema = schemas.schemaAt(tenant, revision);
        validateSubjects(schema, resource, permission, subjectType, subjectRelation);
        SubjectSets sets = new SubjectSets(store, tenant, revision, schema, subjectType, subjectRelation,
                context == null ? Map.of() : context, caveats, options.maxDepth(), deadline())
                .readingThrough(relationships);
        if (groupIndex != null) {
            sets.usingGroupIndex(new IndexedSubjectReads(groupIndex, tenant, revision, schema));
        }
        List<SubjectResult> results = sets.of(resource.type(), resource.id(), permission, 0).results();
        lastStoreCalls.set(sets.storeCalls());
        return results;
    }

    @Override
    public Schema schema(String tenant, Revision revision) {
        return schemas.schemaAt(tenant, revision);
    }

    @Override
    public Schema schemaIfKnown(String tenant, Revision revision) {
        return schemas.schemaIfKnown(tenant, revision);
    }

    @Override
    public Schema schema(String tenant, io.relata.store.SchemaVersion version) {
        return schemas.compiled(tenant, version);
    }

    @Override
    public CacheStats cacheStats() {
        return cache == null ? CacheStats.empty() : cache.stats();
    }

    /** Hit and miss counts of the relationship cache (per relation of an object read). */
    public CacheStats relationshipCacheStats() {
        return relationships == null ? CacheStats.empty() : relationships.stats();
    }

    /** The nested-group index, if {@link EngineOptions#groupIndex()} turned it on. */
    public java.util.Optional<io.relata.engine.index.GroupIndexes> groupIndex() {
        return java.util.Optional.ofNullable(groupIndex);
    }

    @Override
    public void close() {
        if (groupIndex != null) {
            groupIndex.close();
        }
        pool.shutdownNow();
    }
}
