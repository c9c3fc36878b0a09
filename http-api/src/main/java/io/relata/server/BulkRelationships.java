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
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * SpiceDB's bulk import and bulk export of relationships. An import is one transaction:
 * every relationship is checked against the schema in effect under the tenant's write lock
 * as the store streams it in, and the first one refused (or already there) aborts it whole.
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

    BulkRelationships(TupleStore store, CheckEngine engine, ConsistencyResolver consistency, String tokenSecret) {
        this.store = store;
        this.engine = engine;
        this.consistency = consistency;
        this.cursors = new ExportCursor(tokenSecret);
    }

    // ---- import ------------------------------------------------------------------------------------

    /** Imports every relationship of every request message; {@code ImportBulkRelationshipsResponse}. */
    JsonObject importBulk(String tenant, Iterator<JsonObject> requests) {
        Rows rows = new Rows(requests);
        store.bulkImport(tenant, rows, context -> rows.schema = schemaInEffect(tenant, context));
        return new JsonObject().put("numLoaded", Long.toString(rows.count));
    }

    private Schema schemaInEffect(String tenant, WriteValidator.Context context) {
        SchemaVersion version = context.schema().orElseThrow(() -> new EngineException(
                EngineException.Reason.SCHEMA_MISMATCH, "tenant `" + tenant + "` has no schema at revision "
                        + context.head() + "; write a schema first"));
        return engine.schema(tenant, version);
    }

    /**
     * The relationships of the request messages, parsed and checked one at a time as the
     * store pulls them (the messages are pulled as lazily); a refusal names the relationship
     * and where it came from.
     */
    private static final class Rows implements Iterator<Relationship> {

        private final Iterator<JsonObject> requests;
        /** The schema in effect, set by the store's validator before the first relationship is pulled. */
        Schema schema;
        long count;
        private JsonArray batch;
        private int index;
        private long request;

        Rows(Iterator<JsonObject> requests) {
            this.requests = requests;
        }

        @Override
        public boolean hasNext() {
            while (batch == null || index >= batch.size()) {
                if (!requests.hasNext()) {
                    return false;
                }
                JsonObject message = requests.next();
                request++;
                index = 0;
                try {
                    batch = Json.array(message, "relationships");
                } catch (ApiException e) {
                    throw new ApiException(e.code, "request " + request + ": " + e.getMessage());
                }
            }
            return true;
        }

        @Override
        public Relationship next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String where = "request " + request + ", relationships[" + index + "]";
            Object item = batch.getValue(index++);
            Relationship r;
            try {
                r = Json.relationship(Api.asObject(item, "relationships[]"));
            } catch (ApiException | IllegalArgumentException | EngineException e) {
                throw refused(where, e);
            }
            if (schema == null) {
                throw new IllegalStateException("the store pulled a relationship before validating the import");
            }
            try {
                Api.allowed(schema, r);
            } catch (ApiException | IllegalArgumentException | EngineException e) {
                throw refused("relationship " + r + " (" + where + ")", e);
            }
            count++;
            return r;
        }

        private static ApiException refused(String what, RuntimeException e) {
            Errors.Status status = Errors.of(e);
            return new ApiException(status.code(), what + ": " + status.message());
        }
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
