package io.relata.server;

import io.relata.engine.EngineException;
import io.relata.store.Relationship;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@code ImportBulkRelationshipsRequest} messages in the gateway's JSON (an HTTP NDJSON body,
 * one message a line), each a batch: {@code {"relationships": [...]}}.
 */
final class JsonImportSource implements ImportSource {

    private final Iterator<JsonObject> requests;
    private long request;

    JsonImportSource(Iterator<JsonObject> requests) {
        this.requests = requests;
    }

    @Override
    public Batch next() {
        if (!requests.hasNext()) {
            return null;
        }
        JsonObject message = requests.next();
        long n = ++request;
        JsonArray items;
        try {
            items = Json.array(message, "relationships");
        } catch (ApiException e) {
            throw new ApiException(e.code, "request " + n + ": " + e.getMessage());
        }
        List<Relationship> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            try {
                out.add(relationship(items.getValue(i)));
            } catch (ApiException | IllegalArgumentException | EngineException e) {
                throw ImportSource.refused("request " + n + ", relationships[" + i + "]", e);
            }
        }
        return new Batch(out, i -> "request " + n + ", relationships[" + i + "]");
    }

    /**
     * One relationship in the gateway's JSON.
     *
     * @throws ApiException or IllegalArgumentException for one that is not
     */
    static Relationship relationship(Object item) {
        return Json.relationship(Api.asObject(item, "relationships[]"));
    }
}
