package io.relata.benchmarks;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The GitLab benchmark end to end: generates a {@link GitLabDataSet}, imports it into a fresh
 * PostgreSQL database (COPY), starts a Relata server on it, drives it over HTTP with the
 * {@link LoadDriver}, and writes the report as JSON and as a markdown table.
 *
 * <pre>
 * benchmarks/run-gitlab.sh --size small --smoke      # the CI smoke run, about a minute
 * benchmarks/run-gitlab.sh --size medium             # the numbers in benchmarks/README.md
 * </pre>
 */
public final class GitLabBenchmark {

    public static void main(String[] args) throws Exception {
        GitLabDataSet.Size size = GitLabDataSet.Size.SMALL;
        String url = "postgresql://postgres@127.0.0.1:5432/relata_bench";
        int seconds = 10;
        int startRate = 250;
        int maxRate = 32_000;
        double p99Limit = 50;
        Path out = Path.of("benchmarks/results");
        long seed = 1;
        boolean smoke = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--size" -> size = GitLabDataSet.Size.parse(args[++i]);
                case "--url" -> url = args[++i];
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--start-rate" -> startRate = Integer.parseInt(args[++i]);
                case "--max-rate" -> maxRate = Integer.parseInt(args[++i]);
                case "--p99-limit-ms" -> p99Limit = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--smoke" -> smoke = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; expected --size "
                        + "small|medium|large --url postgresql://... --seconds N --start-rate N --max-rate N "
                        + "--p99-limit-ms MS --out DIR --seed N --smoke");
            }
        }
        if (smoke) {
            seconds = 1;
            startRate = 100;
            maxRate = 200;
        }
        int samples = smoke ? 1 : 3;

        JsonObject report = new JsonObject().put("size", size.name().toLowerCase(Locale.ROOT)).put("seed", seed)
                .put("smoke", smoke).put("machine", Machine.describe());
        String schema = GitLabDataSet.schema();
        long t0 = System.nanoTime();
        GitLabDataSet data = new GitLabDataSet(size, seed);
        System.out.printf("data set %s: %,d relationships, %,d users, %,d groups, %,d projects (generated in %.1f s)%n",
                report.getString("size"), data.relationships.size(), data.users, data.groups, data.projects,
                (System.nanoTime() - t0) / 1e9);
        try (BenchServer server = BenchServer.start(url, schema, data.relationships);
                LoadDriver driver = new LoadDriver(server.base, BenchServer.KEY)) {
            System.out.printf("imported in %.1f s (%,.0f relationships/s)%n", server.importSeconds,
                    data.relationships.size() / server.importSeconds);
            report.put("dataSet", new JsonObject().put("relationships", data.relationships.size())
                    .put("users", data.users).put("groups", data.groups).put("projects", data.projects)
                    .put("chains", data.chains).put("importSeconds", server.importSeconds)
                    .put("importPerSecond", data.relationships.size() / server.importSeconds));
            run(driver, data, new Workload(data), report, seconds, startRate, maxRate, p99Limit, samples);
        }
        Files.createDirectories(out);
        String base = "gitlab-" + report.getString("size") + (smoke ? "-smoke" : "");
        Files.writeString(out.resolve(base + ".json"), report.encodePrettily());
        String markdown = Report.markdown(report);
        Files.writeString(out.resolve(base + ".md"), markdown);
        System.out.println();
        System.out.println(markdown);
        System.out.println("wrote " + out.resolve(base + ".json") + " and " + out.resolve(base + ".md"));
    }

    private static void run(LoadDriver driver, GitLabDataSet data, Workload workload, JsonObject report, int seconds,
            int startRate, int maxRate, double p99Limit, int samples) throws Exception {
        // A first write gives the atLeastAsFresh reads a token; then let the minimizeLatency
        // window (5 s) pass the import, and warm the JIT on other questions than the measured ones.
        driver.touch("project:p0", "guest", "user:warmup").toCompletionStage().toCompletableFuture().get();
        Thread.sleep(6_000);
        driver.step("warm-up", startRate, Math.max(1, seconds / 2), 99, requests(driver, workload, "shallow", 0));
        driver.step("warm-up", startRate, Math.max(1, seconds / 2), 98, requests(driver, workload, "deep", 0));

        JsonArray steps = new JsonArray();
        int bestShallow = startRate;
        for (String depth : List.of("shallow", "deep", "cached")) {
            List<LoadDriver.Step> s = driver.stepUp("checks-" + depth, startRate, maxRate, seconds, p99Limit,
                    requests(driver, workload, depth, 0));
            s.forEach(x -> steps.add(x.json()));
            if (depth.equals("shallow")) {
                bestShallow = s.stream().filter(x -> x.p99() <= p99Limit && x.achieved() >= 0.9 * x.offered())
                        .mapToInt(LoadDriver.Step::offered).max().orElse(startRate);
            }
        }
        for (double share : new double[] {0.01, 0.10}) {
            String name = "checks-shallow+" + Math.round(share * 100) + "%-writes";
            LoadDriver.Step s = driver.step(name, bestShallow, seconds, 77, requests(driver, workload, "shallow", share));
            System.out.printf("  %s at %,d/s: achieved %,.0f/s, p99 %.2f ms, write p99 %.2f ms%n", name, bestShallow,
                    s.achieved(), s.p99(), s.writeP99());
            steps.add(s.json());
        }
        report.put("steps", steps);

        // Write to visible: a new developer of a project, checked until push_code holds.
        JsonObject freshness = new JsonObject();
        double[] fresh = new double[samples * 5];
        for (int i = 0; i < fresh.length; i++) {
            String project = "project:p" + (i * 7919 % data.projects);
            fresh[i] = driver.writeToVisible(project, "developer", "user:visible-f" + i, project, "push_code", true);
        }
        double[] lazy = new double[samples];
        for (int i = 0; i < lazy.length; i++) {
            String project = "project:p" + (i * 104729 % data.projects);
            lazy[i] = driver.writeToVisible(project, "developer", "user:visible-m" + i, project, "push_code", false);
        }
        freshness.put("writeToVisibleAtLeastAsFreshMs", summary(fresh))
                .put("writeToVisibleMinimizeLatencyMs", summary(lazy));
        // The GitLab pain point: a new member of the top-level group with the most projects,
        // until a check on its deepest project (20 levels down) reflects it.
        double[] pain = new double[samples];
        for (int i = 0; i < pain.length; i++) {
            pain[i] = driver.writeToVisible("group:g0", "developer", "user:new-member-" + i,
                    "project:" + data.g0DeepProject, "push_code", true);
        }
        double[] painLazy = new double[1];
        painLazy[0] = driver.writeToVisible("group:g0", "developer", "user:new-member-m", "project:" + data.g0DeepProject,
                "push_code", false);
        freshness.put("topGroupMemberToDeepestProjectAtLeastAsFreshMs", summary(pain))
                .put("topGroupMemberToDeepestProjectMinimizeLatencyMs", summary(painLazy));
        report.put("freshness", freshness);
        System.out.println("  freshness: " + freshness.encode());

        JsonArray lookups = new JsonArray();
        for (Workload.Lookup l : workload.lookups()) {
            try {
                LoadDriver.LookupTiming warm = driver.lookup(l);
                List<LoadDriver.LookupTiming> runs = new ArrayList<>();
                // A lookup that takes seconds is measured once more, not three times.
                int runsOf = warm.totalMs() > 5_000 ? 1 : samples;
                for (int i = 0; i < runsOf; i++) {
                    runs.add(driver.lookup(l));
                }
                runs.sort((a, b) -> Double.compare(a.totalMs(), b.totalMs()));
                LoadDriver.LookupTiming median = runs.get(runs.size() / 2);
                lookups.add(new JsonObject().put("label", l.label()).put("request", l.line())
                        .put("results", median.results()).put("firstResultMs", median.firstMs())
                        .put("totalMs", median.totalMs()));
                System.out.printf("  %s: %,d results, first after %.1f ms, all after %.1f ms%n", l.label(),
                        median.results(), median.firstMs(), median.totalMs());
            } catch (java.util.concurrent.ExecutionException e) {
                // A lookup that fails (its deadline, say) is reported, and the run goes on.
                lookups.add(new JsonObject().put("label", l.label()).put("request", l.line())
                        .put("error", e.getCause().getMessage()));
                System.out.printf("  %s failed: %s%n", l.label(), e.getCause().getMessage());
            }
        }
        report.put("lookups", lookups);
    }

    /** Distinct users for the writes of all steps. */
    private static final AtomicLong WRITERS = new AtomicLong();

    /**
     * The requests of a check workload: checks of one depth ({@code shallow}, {@code deep} or
     * {@code cached}; 70 % that hold), 95 % at minimizeLatency and 5 % at atLeastAsFresh with the
     * newest write's token; and {@code writeShare} of them TOUCHes of a project membership instead.
     */
    private static Function<SplittableRandom, Future<LoadDriver.Outcome>> requests(LoadDriver driver,
            Workload workload, String depth, double writeShare) {
        int projects = workload.data().projects;
        return random -> {
            if (writeShare > 0 && random.nextDouble() < writeShare) {
                return driver.touch("project:p" + random.nextInt(projects), "developer",
                        "user:writer" + WRITERS.incrementAndGet()).map(token -> LoadDriver.Outcome.WRITTEN);
            }
            Workload.Check c = workload.mixed(depth, random);
            return driver.checkOutcome(c.resource(), c.permission(), c.subject(), random.nextDouble() < 0.05);
        };
    }

    private static JsonObject summary(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return new JsonObject().put("samples", v.length).put("min", v[0]).put("median", v[v.length / 2])
                .put("max", v[v.length - 1]);
    }
}
