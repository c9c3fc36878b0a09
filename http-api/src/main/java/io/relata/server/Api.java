package io.relata.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.relata.engine.BulkCheckResult;
import io.relata.engine.CheckEngine;
import io.relata.engine.CheckRequest;
import io.relata.engine.ExpandTree;
import io.relata.schema.AllowedSubjectType;
import io.relata.schema.Compilation;
import io.relata.schema.ObjectDefinition;
import io.relata.schema.Relation;
import io.relata.schema.Schema;
import io.relata.schema.SchemaCompiler;
import io.relata.store.Cursor;
import io.relata.store.DeleteResult;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import io.relata.store.WriteValidator;
import io.relata.zookie.ConsistencyResolver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What each endpoint does, as plain blocking methods over the store, the engine and the
 * consistency resolver; {@link RelataServer} runs them off the event loop and writes
 * their JSON. Streaming endpoints hand each page to a sink as it is found.
 */
final class Api {

    /** Where a streaming endpoint puts each result line as it is found; false stops the stream. */
    interface Sink {
        boolean accept(JsonObject result);
    }

    private final TupleStore store;
    private final CheckEngine engine;
    private final ConsistencyResolver consistency;
    private final ServerConfig config;
    private final ChangeFeed changes;
    private final BulkRelationships bulk;
    private final Lookups lookups;
    private final Checks checks;
    private final Streams streams;
    private final KeyRequestLimit perKey;
    private final MeterRegistry metrics;
    private final Validations validations;
    private final Audit audit = new Audit(java.time.Clock.systemUTC());
    private final CompositeApi composites;

    Api(TupleStore store, CheckEngine engine, ConsistencyResolver consistency, ServerConfig config, MeterRegistry metrics) {
        this.store = store;
        this.engine = engine;
        this.consistency = consistency;
        this.config = config;
        this.changes = new ChangeFeed(store, consistency);
        this.bulk = new BulkRelationships(store, engine, consistency, config.tokenSecret(), audit);
        this.lookups = new Lookups(engine, consistency, config.tokenSecret(), audit);
        this.checks = new Checks(store, engine, consistency, config, metrics, audit);
        this.validations = new Validations(config.engine(), config.engine().deadline());
        this.composites = new CompositeApi(engine, consistency, config, checks, audit);
        this.streams = new Streams(config.overload(), metrics);
        this.perKey = new KeyRequestLimit(config.overload().requestsPerKey(), metrics);
        this.metrics = metrics;
    }

    /** The bounded queue in front of a transport's {@code workers} ({@link OverloadLimits#queuedRequests()}). */
    RequestQueue queue(int workers) {
        return new RequestQueue(workers, config.overload().queuedRequests(), perKey, metrics);
    }

    /** The limits on server streams, for every transport's streams to run under. */
    Streams streams() {
        return streams;
    }

    /** Where this service layer's decisions and writes are recorded ({@code --audit-log}). */
    Audit audit() {
        return audit;
    }

    /** Relata's checks and lookups for chains of principals (both transports). */
    CompositeApi composites() {
        return composites;
    }

    /** The checks over typed requests, for transports that translate their own messages (gRPC). */
    Checks checks() {
        return checks;
    }

    private JsonObject token(String tenant, Revision revision) {
        return Json.token(consistency.token(tenant, revision));
    }

    // ---- schema -----------------------------------------------------------------------------------------

    JsonObject schemaWrite(String tenant, JsonObject body) {
        String text = Json.string(body, "schema", true);
        Schema next = compiled(text, "the schema");
        // Checked under the tenant's write lock: no relationship can be written between the
        // check for orphans and the change.
        Revision written = store.writeSchema(tenant, text, context -> context.schema().ifPresent(
                current -> SchemaChangeCheck.refuseOrphans(engine.schema(tenant, current), next, context)));
        audit.write(tenant, "schema.write", new JsonObject().put("definitions", next.definitions().size())
                .put("caveats", next.caveats().size()).put("characters", text.length()), new JsonObject(), written);
        return new JsonObject().put("writtenAt", token(tenant, written));
    }

    /** The largest schema text compiled, in UTF-8 bytes: far above real schemas, and it bounds compile work. */
    static final int MAX_SCHEMA_BYTES = 1 << 20;

    /**
     * {@code text} compiled, or INVALID_ARGUMENT listing its errors (at most
     * {@link SchemaCompiler#MAX_DIAGNOSTICS}) with their lines and columns, or saying it is
     * larger than {@link #MAX_SCHEMA_BYTES}.
     */
    /** INVALID_ARGUMENT when {@code text} is larger than {@link #MAX_SCHEMA_BYTES}, named as {@code what}. */
    static void requireSchemaSize(String text, String what) {
        int bytes = text.length() <= MAX_SCHEMA_BYTES / 3 ? text.length()
                : text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_SCHEMA_BYTES) {
            throw ApiException.invalid(what + " is " + bytes + " bytes; at most " + MAX_SCHEMA_BYTES + " are accepted");
        }
    }

    private static Schema compiled(String text, String what) {
        requireSchemaSize(text, what);
        Compilation compilation = SchemaCompiler.compile(text);
        if (!compilation.ok()) {
            throw new ApiException(ApiException.INVALID_ARGUMENT, what + " has errors:\n" + compilation.errors()
                    .stream().map(d -> d.format("schema")).collect(Collectors.joining("\n")),
                    Errors.schemaParse(compilation.errors().get(0)));
        }
        return compilation.orThrow();
    }

    /** Relata's schema check: the schema's errors and warnings with their positions (see {@link Validations}); writes nothing. */
    JsonObject validateSchema(String tenant, JsonObject body) {
        return validations.validateSchema(body);
    }

    /** Relata's validation-file run, in memory apart from the tenant (see {@link Validations}); writes nothing. */
    JsonObject runValidationFile(String tenant, JsonObject body) {
        return validations.run(body);
    }

    JsonObject schemaRead(String tenant, JsonObject body) {
        Revision head = store.headRevision(tenant);
        SchemaVersion schema = store.readSchema(tenant, head).orElseThrow(() -> new ApiException(ApiException.NOT_FOUND,
                "no schema has been written yet"));
        return new JsonObject().put("schemaText", schema.text()).put("readAt", token(tenant, head));
    }

    // ---- schema reflection (see SchemaReflection) -----------------------------------------------------

    /** The compiled schema in effect at {@code revision}; a tenant that has written none has an empty one. */
    private Schema schemaAt(String tenant, Revision revision) {
        return store.readSchema(tenant, revision).map(version -> engine.schema(tenant, version))
                .orElse(SchemaReflection.EMPTY);
    }

    /** SpiceDB's {@code ReflectSchema}: the schema at the request's consistency, as filtered. */
    JsonObject reflectSchema(String tenant, JsonObject body) {
        Revision revision = consistency.resolve(tenant, Json.consistency(body));
        return SchemaReflection.reflect(schemaAt(tenant, revision), body).put("readAt", token(tenant, revision));
    }

    /** SpiceDB's {@code DiffSchema}: from the schema at the request's consistency to {@code comparisonSchema}. */
    JsonObject diffSchema(String tenant, JsonObject body) {
        Revision revision = consistency.resolve(tenant, Json.consistency(body));
        Schema comparison = compiled(SchemaReflection.text(body, "comparisonSchema"), "the comparison schema");
        return new JsonObject().put("diffs", SchemaReflection.diff(schemaAt(tenant, revision), comparison))
                .put("readAt", token(tenant, revision));
    }

    /** SpiceDB's {@code ComputablePermissions}. */
    JsonObject computablePermissions(String tenant, JsonObject body) {
        Revision revision = consistency.resolve(tenant, Json.consistency(body));
        return new JsonObject().put("permissions", SchemaReflection.computable(schemaAt(tenant, revision),
                SchemaReflection.text(body, "definitionName"), SchemaReflection.text(body, "relationName"),
                SchemaReflection.text(body, "optionalDefinitionNameFilter"))).put("readAt", token(tenant, revision));
    }

    /** SpiceDB's {@code DependentRelations}. */
    JsonObject dependentRelations(String tenant, JsonObject body) {
        Revision revision = consistency.resolve(tenant, Json.consistency(body));
        return new JsonObject().put("relations", SchemaReflection.dependent(schemaAt(tenant, revision),
                SchemaReflection.text(body, "definitionName"), SchemaReflection.text(body, "permissionName")))
                .put("readAt", token(tenant, revision));
    }

    // ---- relationships ------------------------------------------------------------------------------

    JsonObject relationshipsWrite(String tenant, JsonObject body) {
        List<RelationshipUpdate> updates = new ArrayList<>();
        for (Object u : Json.array(body, "updates")) {
            updates.add(Json.update(asObject(u, "updates[]")));
        }
        List<Precondition> preconditions = new ArrayList<>();
        for (Object p : Json.array(body, "optionalPreconditions")) {
            preconditions.add(Json.precondition(asObject(p, "optionalPreconditions[]")));
        }
        JsonObject metadata = Json.object(body, "optionalTransactionMetadata");
        if (updates.isEmpty() && preconditions.isEmpty()) {
            // Nothing to write or check: no new revision, the token of the current one.
            Revision head = store.headRevision(tenant);
            audit.write(tenant, "relationships.write", Audit.updates(updates, 0), new JsonObject(), head);
            return new JsonObject().put("writtenAt", token(tenant, head));
        }
        // Validated against the schema in effect under the tenant's write lock, so the write
        // commits under the very schema that allowed it, never under a change made meanwhile.
        Revision revision = store.write(tenant, updates, preconditions, metadata == null ? Map.of() : metadata.getMap(),
                context -> {
                    Schema schema = schemaInEffect(tenant, context);
                    for (RelationshipUpdate u : updates) {
                        if (u.operation() != RelationshipUpdate.Operation.DELETE) {
                            allowed(schema, u.relationship());
                        }
                    }
                });
        audit.write(tenant, "relationships.write", Audit.updates(updates, preconditions.size()), new JsonObject(),
                revision);
        return new JsonObject().put("writtenAt", token(tenant, revision));
    }

    /** The compiled schema a write finds in effect. */
    private Schema schemaInEffect(String tenant, WriteValidator.Context context) {
        SchemaVersion version = context.schema().orElseThrow(() -> new io.relata.engine.EngineException(
                io.relata.engine.EngineException.Reason.SCHEMA_MISMATCH, "tenant `" + tenant + "` has no schema at"
                        + " revision " + context.head() + "; write a schema first"));
        return engine.schema(tenant, version);
    }

    /**
     * Refuses a relationship the schema does not allow, saying what it allows, with SpiceDB's
     * codes and ErrorInfo reasons (see {@link WriteRefusals}).
     */
    static void allowed(Schema schema, Relationship r) {
        ObjectDefinition definition = schema.definition(r.resource().type())
                .orElseThrow(() -> WriteRefusals.unknownDefinition(r.resource().type(), r));
        if (!definition.has(r.relation())) {
            throw WriteRefusals.unknownRelation(r.resource().type(), r.relation(), r);
        }
        WriteRefusals.subjectKnown(schema, r);
        Relation relation = definition.relation(r.relation()).orElseThrow(() -> WriteRefusals.permission(r));
        SubjectRef s = r.subject();
        boolean ok = false;
        for (AllowedSubjectType t : relation.allowedTypes()) {
            boolean subjectFits = t.subject().type().equals(s.type())
                    && (s.isWildcard() ? t.subject().wildcard()
                            : !t.subject().wildcard() && java.util.Objects.equals(t.subject().relation(), s.relation()));
            boolean caveatFits = r.caveat() == null ? t.caveat() == null : r.caveat().name().equals(t.caveat());
            boolean expirationFits = r.expiresAt() == null || t.expiration();
            if (subjectFits && caveatFits && expirationFits) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            throw WriteRefusals.subjectType(r, "relation `" + r.resource().type() + "#" + r.relation() + "` does not allow "
                    + r.subject() + (r.caveat() == null ? "" : " with caveat `" + r.caveat().name() + "`")
                    + (r.expiresAt() == null ? "" : " with an expiration") + "; it allows "
                    + relation.allowedTypes().stream().map(Object::toString).collect(Collectors.joining(" | ")));
        }
        if (r.caveat() != null && !r.caveat().context().isEmpty()) {
            io.relata.engine.CaveatContexts.check(schema.caveat(r.caveat().name()).orElseThrow(), r.caveat().context());
        }
    }

    void relationshipsRead(String tenant, JsonObject body, Sink sink) {
        Revision revision = consistency.resolve(tenant, Json.consistency(body));
        RelationshipFilter filter = Json.filter(Json.object(body, "relationshipFilter"));
        if (filter.resourceType() != null && engine.schema(tenant, revision).definition(filter.resourceType()).isEmpty()) {
            throw new ApiException(ApiException.FAILED_PRECONDITION, "the schema has no definition `"
                    + filter.resourceType() + "`", io.relata.store.ErrorInfo.of(io.relata.store.ErrorReason.UNKNOWN_DEFINITION,
                    "definition_name", filter.resourceType()));
        }
        long limit = Json.uint32(body, "optionalLimit");
        JsonObject cursorJson = Json.object(body, "optionalCursor");
        Cursor cursor = cursorJson == null ? null : new Cursor(Json.string(cursorJson, "token", true));
        JsonObject readAt = token(tenant, revision);
        long sent = 0;
        while (true) {
            int page = (int) Math.min(500, limit > 0 ? limit - sent : 500);
            RelationshipPage rows = store.read(tenant, filter, revision, cursor, page);
            for (Relationship r : rows.relationships()) {
                JsonObject line = new JsonObject().put("readAt", readAt).put("relationship", Json.relationship(r))
                        .put("afterResultCursor", Json.token(Cursor.after(r).token()));
                if (!sink.accept(line)) {
                    return;
                }
                sent++;
            }
            cursor = rows.next();
            if (cursor == null || (limit > 0 && sent >= limit)) {
                return;
            }
        }
    }

    JsonObject relationshipsDelete(String tenant, JsonObject body) {
        RelationshipFilter filter = Json.filter(Json.object(body, "relationshipFilter"));
        List<Precondition> preconditions = new ArrayList<>();
        for (Object p : Json.array(body, "optionalPreconditions")) {
            preconditions.add(Json.precondition(asObject(p, "optionalPreconditions[]")));
        }
        DeleteResult result = store.delete(tenant, filter, preconditions, Json.uint32(body, "optionalLimit"),
                Json.bool(body, "optionalAllowPartialDeletions"));
        audit.write(tenant, "relationships.delete", new JsonObject().put("filter", filter.toString())
                .put("preconditions", preconditions.size()), new JsonObject().put("deleted", result.deleted())
                .put("complete", result.complete()), result.revision());
        return new JsonObject().put("deletedAt", token(tenant, result.revision()))
                .put("deletionProgress", result.complete() ? "DELETION_PROGRESS_COMPLETE" : "DELETION_PROGRESS_PARTIAL")
                .put("relationshipsDeletedCount", Long.toString(result.deleted()));
    }

    // ---- permissions --------------------------------------------------------------------------------

    JsonObject check(String tenant, JsonObject body) {
        Revision revision = checks.revision(tenant, Json.consistency(body));
        CheckRequest request = Json.checkRequest(body);
        return checkAnswer(Json.bool(body, "withTracing") ? checks.checkTraced(tenant, revision, request)
                : checks.check(tenant, revision, request));
    }

    /**
     * {@link #check}'s answer when it is at hand without waiting (see {@link Checks#cachedCheck}),
     * else null; never blocks, so the transport may call it on its own thread first.
     */
    JsonObject cachedCheck(String tenant, JsonObject body) {
        Revision revision = Json.bool(body, "withTracing") ? null : checks.knownRevision(tenant, Json.consistency(body));
        Checks.Answer answer = revision == null ? null : checks.cachedCheck(tenant, revision, Json.checkRequest(body));
        return answer == null ? null : checkAnswer(answer);
    }

    private static JsonObject checkAnswer(Checks.Answer answer) {
        return new JsonObject().put("checkedAt", Json.token(answer.checkedAt()))
                .put("permissionship", Json.permissionship(answer.result().permissionship()))
                .put("partialCaveatInfo", Json.partialCaveat(answer.result().missingContext()))
                .put("debugTrace", answer.trace() == null ? null : ProtoJson.toJson(answer.trace()))
                .put("optionalExpiresAt", null);
    }

    /** Relata's explain: the check's answer and the chain of relationships behind it ({@link Explanations}). */
    JsonObject explain(String tenant, JsonObject body) {
        Revision revision = checks.revision(tenant, Json.consistency(body));
        return Explanations.json(checks.explain(tenant, revision, Json.checkRequest(body)), checks.token(tenant, revision));
    }

    JsonObject checkBulk(String tenant, JsonObject body) {
        Revision revision = checks.revision(tenant, Json.consistency(body));
        JsonArray items = Json.array(body, "items");
        checks.requireBulkSize(items.size());
        List<CheckRequest> requests = new ArrayList<>();
        List<JsonObject> echoes = new ArrayList<>();
        for (Object item : items) {
            JsonObject o = asObject(item, "items[]");
            requests.add(Json.checkRequest(o));
            echoes.add(o);
        }
        Checks.BulkAnswer answer = checks.checkBulk(tenant, revision, requests, Json.bool(body, "withTracing"));
        JsonArray pairs = new JsonArray();
        for (int i = 0; i < answer.results().size(); i++) {
            BulkCheckResult r = answer.results().get(i);
            JsonObject pair = new JsonObject().put("request", echoes.get(i));
            if (r.error() != null) {
                pair.put("error", Errors.of(r.error()).json());
            } else {
                pair.put("item", new JsonObject().put("permissionship", Json.permissionship(r.result().permissionship()))
                        .put("partialCaveatInfo", Json.partialCaveat(r.result().missingContext())).put("debugTrace",
                                answer.traces() == null ? null : ProtoJson.toJson(answer.traces().get(i))));
            }
            pairs.add(pair);
        }
        return new JsonObject().put("checkedAt", Json.token(answer.checkedAt())).put("pairs", pairs);
    }

    JsonObject expand(String tenant, JsonObject body) {
        return expand(tenant, body, Json::expand);
    }

    /** Relata's expand: SpiceDB's request and tree, with each subject's caveat and expiration. */
    JsonObject expandWithConditions(String tenant, JsonObject body) {
        return expand(tenant, body, Json::expandWithConditions);
    }

    private JsonObject expand(String tenant, JsonObject body,
            Function<ExpandTree, JsonObject> render) {
        Revision revision = consistency.resolve(tenant, Json.consistency(body));
        return new JsonObject().put("expandedAt", token(tenant, revision)).put("treeRoot", render.apply(
                await(engine.expand(tenant, revision, Json.objectRef(body, "resource"),
                        Json.string(body, "permission", true)))));
    }

    /** Lookup resources, streamed as the engine finds each result (see {@link Lookups}). */
    void lookupResources(String tenant, JsonObject body, Sink sink) {
        lookups.resources(tenant, body, sink);
    }

    /** Lookup subjects, with Relata's cursor and {@code optionalConcreteLimit} (see {@link Lookups}). */
    void lookupSubjects(String tenant, JsonObject body, Sink sink) {
        lookups.subjects(tenant, body, sink);
    }

    // ---- bulk import and export (and their experimental aliases) -----------------------------------

    /**
     * ImportBulkRelationships: {@code requests} are {@code ImportBulkRelationshipsRequest}
     * messages, pulled lazily (a client stream); all of them are imported in one transaction,
     * each relationship checked against the schema in effect, or none is. Answers
     * {@code {"numLoaded": "N"}}.
     */
    JsonObject importBulk(String tenant, java.util.Iterator<JsonObject> requests) {
        return bulk.importBulk(tenant, requests);
    }

    /** ImportBulkRelationships (and its experimental alias) from decoded messages: gRPC's, a file's. */
    JsonObject importBulk(String tenant, ImportSource source) {
        return bulk.importBulk(tenant, source);
    }

    /** The experimental BulkImportRelationships: the same messages and answer as {@link #importBulk}. */
    JsonObject bulkImportRelationships(String tenant, java.util.Iterator<JsonObject> requests) {
        return bulk.importBulk(tenant, requests);
    }

    /**
     * ExportBulkRelationships: one {@code ExportBulkRelationshipsResponse} line per page, all
     * read at one revision; each page's cursor resumes the export right after it, at that revision.
     */
    void exportBulk(String tenant, JsonObject body, Sink sink) {
        bulk.exportBulk(tenant, body, sink);
    }

    /** The experimental BulkExportRelationships: the same shapes as {@link #exportBulk}. */
    void bulkExportRelationships(String tenant, JsonObject body, Sink sink) {
        bulk.exportBulk(tenant, body, sink);
    }

    /**
     * The experimental BulkCheckPermission: {@link #checkBulk}'s request and answer, less the
     * {@code debugTrace} that {@code BulkCheckPermissionResponseItem} has no field for.
     */
    JsonObject bulkCheckPermission(String tenant, JsonObject body) {
        JsonObject response = checkBulk(tenant, body);
        for (Object pair : response.getJsonArray("pairs")) {
            JsonObject item = ((JsonObject) pair).getJsonObject("item");
            if (item != null) {
                item.remove("debugTrace");
            }
        }
        return response;
    }

    // ---- watch --------------------------------------------------------------------------------------

    /** Starts a watch from the request's cursor, or from now. */
    ChangeFeed.Watch watch(String tenant, JsonObject body) {
        return changes.watch(tenant, body);
    }

    /** The changes committed since the watch's position, as response lines; advances the watch. */
    List<JsonObject> poll(ChangeFeed.Watch watch) {
        return changes.poll(watch);
    }

    /**
     * Waits for the engine, but never longer than its deadline and a little more. On time-out
     * it cancels its own future: the engine gives each caller one, so requests sharing the
     * same work are not affected.
     */
    private <T> T await(java.util.concurrent.CompletableFuture<T> future) {
        return await(future, config);
    }

    /** {@link #await(java.util.concurrent.CompletableFuture)} for the service layer's other classes. */
    static <T> T await(java.util.concurrent.CompletableFuture<T> future, ServerConfig config) {
        long millis = config.engine().deadline().toMillis() + 5_000;
        try {
            return future.get(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            throw new io.relata.engine.EngineException(io.relata.engine.EngineException.Reason.DEADLINE_EXCEEDED,
                    "the request did not finish within its deadline");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            // The caller went away or its deadline passed: this thread stops waiting, but the engine's
            // reads go on until they end; the request's slots stay taken until then (WorkInFlight).
            // (Not cancelled: the engine does not look, and its completion is what the slots wait for.)
            WorkInFlight.leftRunning(future, millis);
            Thread.currentThread().interrupt();
            throw new io.relata.engine.EngineException(io.relata.engine.EngineException.Reason.DEADLINE_EXCEEDED,
                    "the request was cancelled before it finished");
        }
    }

    static JsonObject asObject(Object o, String where) {
        if (o instanceof JsonObject j) {
            return j;
        }
        if (o instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return new JsonObject(map);
        }
        throw ApiException.invalid("each of `" + where + "` must be an object");
    }
}
