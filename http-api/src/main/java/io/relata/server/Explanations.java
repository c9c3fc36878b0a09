package io.relata.server;

import io.relata.engine.Explanation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Relata's explain answer ({@code POST /relata/v1/permissions/explain}) as JSON: the check's
 * answer and token as CheckPermission gives them, and the chain that explains it
 * ({@link Explanation}): {@code chain}, {@code missing}, {@code excludedBy} (each a list of
 * {@code {"relationship", "rule", "via"}}), {@code caveats} and {@code complete}. The client
 * prints it for people with {@code io.relata.cli.ExplainText}.
 */
final class Explanations {

    private Explanations() {}

    /** The answer as JSON; {@code checkedAt} is the revision's token, or null (offline) to leave it out. */
    static JsonObject json(Explanation why, String checkedAt) {
        JsonObject out = new JsonObject();
        if (checkedAt != null) {
            out.put("checkedAt", Json.token(checkedAt));
        }
        return out.put("permissionship", Json.permissionship(why.result().permissionship()))
                .put("partialCaveatInfo", Json.partialCaveat(why.result().missingContext()))
                .put("chain", hops(why.chain())).put("missing", hops(why.missing()))
                .put("excludedBy", hops(why.excludedBy())).put("caveats", new JsonArray(why.caveats()))
                .put("complete", why.complete());
    }

    private static JsonArray hops(List<Explanation.Hop> hops) {
        JsonArray out = new JsonArray();
        for (Explanation.Hop h : hops) {
            out.add(new JsonObject().put("relationship", h.relationship()).put("rule", h.rule()).put("via", h.via()));
        }
        return out;
    }
}
