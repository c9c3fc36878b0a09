package io.relata.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * An explain answer ({@code POST /relata/v1/permissions/explain}, or {@code relata explain
 * --file}) for people: the verdict and the question, then the chain that grants it, the closest
 * miss or the exclusion that took it away, one relationship a line with the rule it was followed by.
 */
final class ExplainText {

    private ExplainText() {}

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
}
