package io.relata.benchmarks;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** The markdown form of a {@link GitLabBenchmark} report. */
final class Report {

    private Report() {}

    static String markdown(JsonObject r) {
        StringBuilder md = new StringBuilder();
        JsonObject m = r.getJsonObject("machine");
        JsonObject d = r.getJsonObject("dataSet");
        md.append(String.format(Locale.ROOT, "GitLab benchmark, %s data set%s: %,d relationships (%,d users, %,d groups, "
                + "%,d projects), imported in %.1f s (%,.0f relationships/s).%n", r.getString("size"),
                r.getBoolean("smoke") ? " (smoke run: steps of 1 s, not numbers to quote)" : "",
                d.getInteger("relationships"), d.getInteger("users"), d.getInteger("groups"), d.getInteger("projects"),
                d.getDouble("importSeconds"), d.getDouble("importPerSecond")));
        md.append(String.format(Locale.ROOT, "Machine: %d cores (%s), %s, %s; server, PostgreSQL and load driver on it.%n%n",
                m.getInteger("cores"), m.getString("cpu"), m.getString("java"), m.getString("os")));
        md.append("| workload | offered | achieved | p50 ms | p95 ms | p99 ms | p99.9 ms | errors | held | cache hits "
                + "| relationship cache hits | store queries per check | write p99 ms |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Object o : r.getJsonArray("steps", new JsonArray())) {
            JsonObject s = (JsonObject) o;
            md.append(String.format(Locale.ROOT,
                    "| %s | %,d/s | %,.0f/s | %.2f | %.2f | %.2f | %.2f | %d | %.0f %% | %.0f %% | %.0f %% | %.1f | %s |%n",
                    s.getString("workload"), s.getInteger("offeredPerSecond"), s.getDouble("achievedPerSecond"),
                    s.getDouble("p50Ms"), s.getDouble("p95Ms"), s.getDouble("p99Ms"), s.getDouble("p999Ms"),
                    s.getLong("errors"), 100 * s.getDouble("heldShare"), 100 * s.getDouble("cacheHitRate"),
                    100 * s.getDouble("relationshipCacheHitRate"),
                    s.getDouble("storeQueriesPerCheck"),
                    s.getLong("writes") == 0 ? "" : String.format(Locale.ROOT, "%.2f", s.getDouble("writeP99Ms"))));
        }
        md.append("\n| freshness | samples | min ms | median ms | max ms |\n|---|---|---|---|---|\n");
        JsonObject f = r.getJsonObject("freshness", new JsonObject());
        for (String name : f.fieldNames()) {
            JsonObject s = f.getJsonObject(name);
            md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f |%n", name, s.getInteger("samples"),
                    s.getDouble("min"), s.getDouble("median"), s.getDouble("max")));
        }
        md.append("\n| lookup | results | first result ms | all results ms |\n|---|---|---|---|\n");
        for (Object o : r.getJsonArray("lookups", new JsonArray())) {
            JsonObject l = (JsonObject) o;
            if (l.containsKey("error")) {
                md.append(String.format(Locale.ROOT, "| `%s` | failed: %s | | |%n", l.getString("request"),
                        l.getString("error").replace('|', '/')));
                continue;
            }
            md.append(String.format(Locale.ROOT, "| `%s` | %,d | %.1f | %.1f |%n", l.getString("request"),
                    l.getInteger("results"), l.getDouble("firstResultMs"), l.getDouble("totalMs")));
        }
        return md.toString();
    }
}
