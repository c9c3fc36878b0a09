package io.relata.server;

import io.relata.store.Relationship;
import io.relata.store.RelationshipFilter;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.TupleStore;
import io.relata.zookie.ConsistencyResolver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Watch: a request's filters and update kinds, and the store's change log from a revision on,
 * as SpiceDB's {@code WatchResponse} lines. Each transport polls it at its own pace.
 */
final class ChangeFeed {

    private final TupleStore store;
    private final ConsistencyResolver consistency;

    ChangeFeed(TupleStore store, ConsistencyResolver consistency) {
        this.store = store;
        this.consistency = consistency;
    }

    /** A watch: what it follows and how far it has come. */
    static final class Watch {
        final String tenant;
        final java.util.Set<String> objectTypes;
        final List<RelationshipFilter> filters;
        final boolean relationships;
        final boolean schema;
        final boolean checkpoints;
        Revision after;

        Watch(String tenant, java.util.Set<String> objectTypes, List<RelationshipFilter> filters, boolean relationships,
                boolean schema, boolean checkpoints, Revision after) {
            this.tenant = tenant;
            this.objectTypes = objectTypes;
            this.filters = filters;
            this.relationships = relationships;
            this.schema = schema;
            this.checkpoints = checkpoints;
            this.after = after;
        }
    }

    /** Starts a watch from the request's cursor, or from now. */
    Watch watch(String tenant, JsonObject body) {
        java.util.Set<String> types = new java.util.HashSet<>();
        for (Object t : Json.array(body, "optionalObjectTypes")) {
            types.add(String.valueOf(t));
        }
        List<RelationshipFilter> filters = new ArrayList<>();
        for (Object f : Json.array(body, "optionalRelationshipFilters")) {
            filters.add(Json.filter(Api.asObject(f, "optionalRelationshipFilters[]")));
        }
        JsonArray kinds = Json.array(body, "optionalUpdateKinds");
        boolean relationships = kinds.isEmpty() || kinds.contains("WATCH_KIND_INCLUDE_RELATIONSHIP_UPDATES");
        boolean schema = kinds.contains("WATCH_KIND_INCLUDE_SCHEMA_UPDATES");
        boolean checkpoints = kinds.contains("WATCH_KIND_INCLUDE_CHECKPOINTS");
        JsonObject start = Json.object(body, "optionalStartCursor");
        Revision after = start == null ? store.headRevision(tenant)
                : consistency.resumeAfter(tenant, Json.string(start, "token", true));
        return new Watch(tenant, types, filters, relationships, schema, checkpoints, after);
    }

    /** The changes committed since the watch's position, as response lines; advances the watch. */
    List<JsonObject> poll(Watch watch) {
        List<JsonObject> lines = new ArrayList<>();
        for (io.relata.store.ChangeSet change : store.changesSince(watch.tenant, watch.after, 100)) {
            watch.after = change.revision();
            JsonArray updates = new JsonArray();
            if (watch.relationships) {
                for (RelationshipUpdate u : change.updates()) {
                    Relationship r = u.relationship();
                    boolean typeOk = watch.objectTypes.isEmpty() || watch.objectTypes.contains(r.resource().type());
                    boolean filterOk = watch.filters.isEmpty() || watch.filters.stream().anyMatch(f -> f.matches(r));
                    if (typeOk && filterOk) {
                        updates.add(new JsonObject().put("operation", u.operation() == RelationshipUpdate.Operation.DELETE
                                ? "OPERATION_DELETE" : "OPERATION_TOUCH").put("relationship", Json.relationship(r)));
                    }
                }
            }
            boolean schemaLine = watch.schema && change.schemaChanged();
            if (updates.isEmpty() && !schemaLine && !watch.checkpoints) {
                continue;
            }
            lines.add(new JsonObject().put("updates", updates)
                    .put("changesThrough", Json.token(consistency.token(watch.tenant, change.revision())))
                    .put("optionalTransactionMetadata", change.metadata().isEmpty() ? null
                            : new JsonObject(change.metadata()))
                    .put("schemaUpdated", change.schemaChanged())
                    .put("isCheckpoint", updates.isEmpty() && !schemaLine)
                    .put("fullRevisionMetadata", new JsonArray()));
        }
        return lines;
    }
}
