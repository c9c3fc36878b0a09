package io.relata.server;

import io.relata.engine.Explanation;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Relata's explain answer ({@code POST /relata/v1/permissions/explain}) as JSON: the check's
 * answer and token as CheckPermission gives them, and the chain that explains it
 * ({@link Explanation}): {@code chain}, {@code missing}, {@code excludedBy} (each a list of
 * {@code {"relationship", "rule", "via"}}), {@code caveats} and {@code complete}.
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

    /** The answer for people: the verdict, then the chain, the miss or what excluded it, one relationship a line. */
    static String text(String question, JsonObject answer) {
        StringBuilder out = new StringBuilder();
        String permissionship = answer.getString("permissionship", "").replace("PERMISSIONSHIP_", "");
        out.append(permissionship).append("  ").append(question).append('\n');
        JsonArray chain = answer.getJsonArray("chain", new JsonArray());
        JsonArray missing = answer.getJsonArray("missing", new JsonArray());
        JsonArray excluded = answer.getJsonArray("excludedBy", new JsonArray());
        if (permissionship.equals("NO_PERMISSION")) {
            if (!excluded.isEmpty()) {
                out.append("taken away by the exclusion, which holds through:\n");
                lines(out, excluded);
                out.append("though granted otherwise through:\n");
                lines(out, chain);
            } else if (missing.isEmpty()) {
                out.append("no relationship naming this subject could grant it\n");
            } else {
                out.append("closest miss: ").append(chain.isEmpty() ? "nothing written leads toward the subject"
                        : chain.size() + " relationship(s) lead toward it:").append('\n');
                lines(out, chain);
                out.append("missing (writing this would grant it):\n");
                lines(out, missing);
            }
        } else {
            out.append(permissionship.equals("HAS_PERMISSION") ? "granted through:\n" : "conditionally, through:\n");
            lines(out, chain);
            JsonArray caveats = answer.getJsonArray("caveats", new JsonArray());
            if (!caveats.isEmpty()) {
                out.append("undecided caveats: ").append(String.join(", ", caveats.stream().map(String::valueOf).toList()));
                JsonObject partial = answer.getJsonObject("partialCaveatInfo");
                if (partial != null) {
                    out.append(" (missing context: ").append(String.join(", ", partial.getJsonArray(
                            "missingRequiredContext", new JsonArray()).stream().map(String::valueOf).toList())).append(')');
                }
                out.append('\n');
            }
        }
        if (!answer.getBoolean("complete", true)) {
            out.append("(the search stopped at its bound: a shorter chain may exist)\n");
        }
        return out.toString();
    }

    private static void lines(StringBuilder out, JsonArray hops) {
        for (Object o : hops) {
            JsonObject h = (JsonObject) o;
            out.append("  ").append(h.getString("relationship")).append("    (").append(h.getString("rule"));
            if (!h.getString("via", "").isEmpty()) {
                out.append("; via ").append(h.getString("via"));
            }
            out.append(")\n");
        }
    }

    private static JsonArray hops(List<Explanation.Hop> hops) {
        JsonArray out = new JsonArray();
        for (Explanation.Hop h : hops) {
            out.add(new JsonObject().put("relationship", h.relationship()).put("rule", h.rule()).put("via", h.via()));
        }
        return out;
    }
}
