package io.relata.benchmarks;

import io.relata.engine.CheckRequest;
import io.relata.engine.CheckResult;
import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.Permissionship;
import io.relata.store.ObjectRef;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.memory.MemoryTupleStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Relata's side of the in-process comparison with SpiceDB ({@code benchmarks/spicedb/}):
 * generates a {@link GitLabDataSet}, writes it and the workload to {@code --dir} for the
 * other side, loads it into the memory store and asks the questions of the check engine
 * directly (no HTTP), one at a time, the way the SpiceDB side asks its embedded server.
 *
 * <pre>
 * java -cp ... io.relata.benchmarks.EmbeddedComparison --size small --checks 2000 --dir target/compare
 * </pre>
 *
 * Writes {@code relata.json} to the directory: per check kind and pass, the rate (one
 * caller), p50 and p99; per lookup, results, time to first result and total; and every answer.
 */
public final class EmbeddedComparison {

    static final String TENANT = "bench";

    public static void main(String[] args) throws Exception {
        GitLabDataSet.Size size = GitLabDataSet.Size.SMALL;
        int checksPerKind = 500;
        Path dir = Path.of("target/compare");
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = GitLabDataSet.Size.parse(args[++i]);
                case "--checks" -> checksPerKind = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --size small|medium|large --checks N --dir DIR --seed N");
            }
        }
        String schema = GitLabDataSet.schema();
        GitLabDataSet data = new GitLabDataSet(size, seed);
        Workload workload = new Workload(data);
        // The warm-up asks other questions (another seed) than the measured passes.
        List<Workload.Check> warm = workload.checks(checksPerKind, seed + 100);
        List<Workload.Check> measured = workload.checks(checksPerKind, seed + 200);
        List<String> lines = new ArrayList<>();
        warm.forEach(c -> lines.add("warm " + c.line()));
        measured.forEach(c -> lines.add(c.line()));
        workload.lookups().forEach(l -> lines.add(l.line()));
        // SpiceDB gets the schema without Relata's composite blocks.
        data.emit(dir, io.relata.schema.SchemaFormatter.withoutComposites(schema), lines);
        System.out.printf("data set %s: %,d relationships, %,d checks per kind; written to %s%n", size.name().toLowerCase(),
                data.relationships.size(), checksPerKind, dir);

        try (MemoryTupleStore store = new MemoryTupleStore();
                GraphCheckEngine engine = new GraphCheckEngine(store, EngineOptions.DEFAULTS)) {
            store.createTenant(TENANT);
            store.writeSchema(TENANT, schema);
            long start = System.nanoTime();
            store.bulkImport(TENANT, data.relationships.iterator());
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            Revision revision = store.headRevision(TENANT);
            JsonObject out = new JsonObject().put("side", "relata").put("relationships", data.relationships.size())
                    .put("loadSeconds", loadSeconds);
            for (Workload.Check c : warm) {
                check(engine, revision, c);
            }
            JsonObject checks = new JsonObject();
            JsonArray answers = new JsonArray();
            for (String pass : List.of("first", "repeated")) {
                Map<String, Histogram> byKind = new java.util.LinkedHashMap<>();
                Map<String, Long> nanosByKind = new java.util.LinkedHashMap<>();
                for (Workload.Check c : measured) {
                    long t0 = System.nanoTime();
                    boolean has = check(engine, revision, c);
                    long t = System.nanoTime() - t0;
                    byKind.computeIfAbsent(c.kind(), k -> new Histogram(3)).recordValue(Math.max(1, t / 100));
                    nanosByKind.merge(c.kind(), t, Long::sum);
                    if (pass.equals("first")) {
                        answers.add(has);
                    }
                }
                JsonObject p = new JsonObject();
                byKind.forEach((kind, h) -> p.put(kind, stats(h, nanosByKind.get(kind))));
                checks.put(pass, p);
            }
            out.put("checks", checks).put("answers", answers);
            JsonObject lookupResults = new JsonObject();
            for (Workload.Lookup l : workload.lookups()) {
                // One warm-up, then the median of three.
                lookup(engine, revision, l);
                long[] totals = new long[3];
                int count = 0;
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    count = lookup(engine, revision, l);
                    totals[i] = System.nanoTime() - t0;
                }
                java.util.Arrays.sort(totals);
                double ms = totals[1] / 1e6;
                // The engine hands over the whole answer at once: the first result comes with the last.
                lookupResults.put(l.label(), new JsonObject().put("results", count).put("firstMs", ms)
                        .put("totalMs", ms));
            }
            out.put("lookups", lookupResults);
            Files.writeString(dir.resolve("relata.json"), out.encodePrettily());
            System.out.println("wrote " + dir.resolve("relata.json"));
        }
    }

    private static JsonObject stats(Histogram h, long totalNanos) {
        // Values are recorded in units of 100 ns.
        return new JsonObject().put("count", h.getTotalCount()).put("perSecond", h.getTotalCount() / (totalNanos / 1e9))
                .put("p50Ms", h.getValueAtPercentile(50) / 1e4).put("p99Ms", h.getValueAtPercentile(99) / 1e4);
    }

    private static boolean check(GraphCheckEngine engine, Revision revision, Workload.Check c) {
        CheckResult r = engine.checkNow(TENANT, revision, CheckRequest.of(c.resource(), c.permission(), c.subject()));
        return r.permissionship() == Permissionship.HAS;
    }

    private static int lookup(GraphCheckEngine engine, Revision revision, Workload.Lookup l) {
        if (l.resources()) {
            return engine.lookupResources(TENANT, revision, l.typeOrResource(), l.permission(),
                    SubjectRef.parse(l.subject()), Map.of(), null, 0).join().results().size();
        }
        return engine.lookupSubjects(TENANT, revision, ObjectRef.parse(l.typeOrResource()), l.permission(),
                l.subject(), null, Map.of()).join().size();
    }
}
