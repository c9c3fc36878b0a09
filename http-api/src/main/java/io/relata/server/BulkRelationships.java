package io.relata.server;

import io.relata.engine.CheckEngine;
import io.relata.engine.EngineException;
import io.relata.schema.Schema;
import io.relata.store.Cursor;
import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipPage;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.TupleStore;
import io.relata.store.WriteValidator;
import io.relata.zookie.Consistency;
import io.relata.zookie.ConsistencyResolver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.List;


import java.util.Optional;

/**
 * SpiceDB's bulk import and bulk export of relationships. An import is one transaction:
 * every relationship is checked against the schema in effect (which the store guarantees
 * holds at the commit) as the store streams it in, and the first one refused (or already
 * there) aborts it whole. The relationships are decoded on a second thread
 * ({@link ImportPipeline}) and checked once per distinct shape ({@link ShapeCheck}).
 * An export reads every page at one revision, resource type by resource type as SpiceDB
 * does, and each page's cursor carries that revision, so a new request resumes right after
 * it at the same revision.
 */
final class BulkRelationships {

    /** The most relationships one export page may hold, and the default page size (SpiceDB's). */
    static final int MAX_EXPORT_PAGE = 10_000;

    private final TupleStore store;
    private final CheckEngine engine;
    private final ConsistencyResolver consistency;
    private final ExportCursor cursors;

    private final Audit audit;

    BulkRelationships(TupleStore store, CheckEngine engine, ConsistencyResolver consistency, String tokenSecret) {
        this(store, engine, consistency, tokenSecret, new Audit(java.time.Clock.systemUTC()));
    }

    BulkRelationships(TupleStore store, CheckEngine engine, ConsistencyResolver consistency, String tokenSecret,
            Audit audit) {
        this.audit = audit;
        this.store = store;
        this.engine = engine;
        this.consistency = consistency;
        this.cursors = new ExportCursor(tokenSecret);
    }

    // ---- import ------------------------------------------------------------------------------------

    /** Imports every relationship of every request message; {@code ImportBulkRelationshipsResponse}. */
    JsonObject importBulk(String tenant, Iterator<JsonObject> requests) {
        return importBulk(tenant, new JsonImportSource(requests));
    }

    /**
     * Imports every relationship {@code source} gives, decoded on a thread of the import's own
     * while the store writes ({@link ImportPipeline}); {@code ImportBulkRelationshipsResponse}.
     */
    JsonObject importBulk(String tenant, ImportSource source) {
        return new JsonObject().put("numLoaded", Long.toString(load(tenant, source)));
    }

    /** Imports every relationship {@code source} gives in one transaction; returns how many. */
    long load(String tenant, ImportSource source) {
        try (ImportPipeline rows = new ImportPipeline(source)) {
            Revision revision = store.bulkImport(tenant, rows,
                    context -> rows.validateWith(new ShapeCheck(schemaInEffect(tenant, context))));
            audit.write(tenant, "import", new JsonObject(), new JsonObject().put("loaded", rows.count()), revision);
            return rows.count();
        }
    }

    private Schema schemaInEffect(String tenant, WriteValidator.Context context) {
        SchemaVersion version = context.schema().orElseThrow(() -> new EngineException(
                EngineException.Reason.SCHEMA_MISMATCH, "tenant `" + tenant + "` has no schema at revision "
                        + context.head() + "; write a schema first"));
        return engine.schema(tenant, version);
    }

    // ---- export ------------------------------------------------------------------------------------

    /** Streams {@code ExportBulkRelationshipsResponse} pages of what the request's filter matches. */
    void exportBulk(String tenant, JsonObject body, Api.Sink sink) {
        long limit = Json.uint32(body, "optionalLimit");
        if (limit > MAX_EXPORT_PAGE) {
            throw ApiException.invalid("`optionalLimit` is " + limit + ", more than the most a page may hold, "
                    + MAX_EXPORT_PAGE);
        }
        int pageSize = limit == 0 ? MAX_EXPORT_PAGE : (int) limit;
        JsonObject cursorJson = Json.object(body, "optionalCursor");
        Revision revision;
        Cursor after = null;
        if (cursorJson != null) {
            // The cursor's revision wins over the request's consistency, as in SpiceDB.
            ExportCursor.Position position = cursors.decode(tenant, Json.string(cursorJson, "token", true));
            revision = consistency.resolve(tenant, new Consistency.AtExactSnapshot(position.zookie()));
            after = position.after();
        } else {
            revision = consistency.resolve(tenant, Json.consistency(body));
        }
        RelationshipFilter filter = filter(Json.object(body, "optionalRelationshipFilter"));
        Optional<SchemaVersion> version = store.readSchema(tenant, revision);
        List<String> types = version.map(v -> engine.schema(tenant, v).definitions().keySet().stream().sorted()
                .toList()).orElse(List.of());
        if (filter != null && filter.resourceType() != null) {
            if (!types.contains(filter.resourceType())) {
                throw new ApiException(ApiException.FAILED_PRECONDITION, "the schema has no definition `"
                        + filter.resourceType() + "`");
            }
            types = List.of(filter.resourceType());
        }
        String zookie = consistency.token(tenant, revision);
        String resumeType = after == null ? null : after.position().resource().type();
        for (String type : types) {
            if (resumeType != null && type.compareTo(resumeType) < 0) {
                continue;
            }
            if (!exportType(tenant, revision, zookie, ofType(filter, type), type.equals(resumeType) ? after : null,
                    pageSize, sink)) {
                return;
            }
        }
    }

    /** Sends the pages of one resource type; false when the sink stopped the stream. */
    private boolean exportType(String tenant, Revision revision, String zookie, RelationshipFilter filter,
            Cursor cursor, int pageSize, Api.Sink sink) {
        while (true) {
            RelationshipPage page = store.read(tenant, filter, revision, cursor, pageSize);
            List<Relationship> rows = page.relationships();
            if (!rows.isEmpty()) {
                JsonArray relationships = new JsonArray();
                rows.forEach(r -> relationships.add(Json.relationship(r)));
                Cursor last = Cursor.after(rows.get(rows.size() - 1));
                JsonObject line = new JsonObject()
                        .put("afterResultCursor", Json.token(cursors.encode(tenant, zookie, last)))
                        .put("relationships", relationships);
                if (!sink.accept(line)) {
                    return false;
                }
            }
            cursor = page.next();
            if (cursor == null) {
                return true;
            }
        }
    }

    /** The request's filter, or null for none (an empty filter object is none). */
    private static RelationshipFilter filter(JsonObject f) {
        return f == null || f.isEmpty() ? null : Json.filter(f);
    }

    private static RelationshipFilter ofType(RelationshipFilter filter, String type) {
        return filter == null ? RelationshipFilter.ofType(type)
                : new RelationshipFilter(type, filter.resourceId(), filter.resourceIdPrefix(), filter.relation(),
                        filter.subject());
    }
}
