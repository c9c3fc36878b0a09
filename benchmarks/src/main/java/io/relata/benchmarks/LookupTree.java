package io.relata.benchmarks;

import io.relata.engine.EngineOptions;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.index.GroupIndexOptions;
import io.relata.engine.index.GroupIndexes;
import io.relata.store.Relationship;
import io.relata.store.Revision;
import io.relata.store.SubjectRef;
import io.relata.store.TupleStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The lookup part of {@link GroupIndexBenchmark}: GitLab's shape, where the members of a group
 * are members of all its subgroups ({@code group:t<child>#member@group:t<parent>#member}), a
 * tree of {@code groups} groups {@code t0 ... } with {@code fanout} subgroups each, one project
 * under every group ({@code project:q<i>#namespace@group:t<i>}), and {@code user:lead} a member
 * of the top group {@code t0}: lookup resources {@code project#view} (every project, through
 * every level of the tree) and {@code group#member} (every group) for {@code user:lead},
 * index off then on, each {@code runs} times after one warm-up, timing the first result and
 * the last (the engine's deadline raised to 5 minutes).
 */
final class LookupTree {

    private LookupTree() {}

    static List<Relationship> relationships(int groups, int fanout) {
        List<Relationship> out = new ArrayList<>();
        if (groups <= 0) {
            return out;
        }
        out.add(Relationship.parse("group:t0#member@user:lead"));
        for (int g = 0; g < groups; g++) {
            if (g > 0) {
                out.add(Relationship.parse("group:t" + g + "#member@group:t" + ((g - 1) / fanout) + "#member"));
            }
            out.add(Relationship.parse("project:q" + g + "#namespace@group:t" + g));
        }
        return out;
    }

    static void measure(TupleStore store, String tenant, EngineOptions base, int groups, int fanout, int runs)
            throws InterruptedException {
        if (groups <= 0) {
            return;
        }
        int levels = 0;
        for (long n = 1, total = 1; total < groups; levels++) {
            n *= fanout;
            total += n;
        }
        System.out.printf("lookups: user:lead in group:t0, the top of a tree of %,d groups (%d subgroups each, %d"
                + " levels below the top), a project under each; caches off%n", groups, fanout, levels);
        Revision head = store.headRevision(tenant);
        SubjectRef lead = SubjectRef.parse("user:lead");
        for (boolean index : new boolean[] {false, true}) {
            // A whole lookup of 100,000 results without the index takes more than the default 10 s deadline here.
            EngineOptions deadline = base.withDeadline(java.time.Duration.ofMinutes(5));
            EngineOptions options = index ? deadline.withGroupIndex(GroupIndexOptions.ON) : deadline;
            try (GraphCheckEngine engine = new GraphCheckEngine(store, options)) {
                if (index) {
                    // Build the index first: the first question starts the build.
                    engine.checkNow(tenant, head, io.relata.engine.CheckRequest.of("group:t0", "member", "user:lead"));
                    GroupIndexBenchmark.waitBuilt(engine.groupIndex().orElseThrow());
                }
                for (String[] q : new String[][] {{"project", "view"}, {"group", "member"}}) {
                    long[] first = new long[runs];
                    long[] all = new long[runs];
                    long count = -1;
                    int reads = 0;
                    GroupIndexes gi = engine.groupIndex().orElse(null);
                    long stepsBefore = 0;
                    for (int run = -1; run < runs; run++) {
                        long[] firstAt = {0};
                        long[] n = {0};
                        if (run == 0 && gi != null) {
                            stepsBefore = gi.lookupStepsAnswered();
                        }
                        long t0 = System.nanoTime();
                        engine.streamResources(tenant, head, q[0], q[1], lead, Map.of(), null, 0, (r, cursor) -> {
                            if (n[0]++ == 0) {
                                firstAt[0] = System.nanoTime();
                            }
                            return true;
                        });
                        long t1 = System.nanoTime();
                        if (run >= 0) {
                            first[run] = firstAt[0] - t0;
                            all[run] = t1 - t0;
                            reads = engine.lastStoreCalls();
                        }
                        if (count >= 0 && count != n[0]) {
                            throw new IllegalStateException("results changed: " + count + " then " + n[0]);
                        }
                        count = n[0];
                    }
                    System.out.printf("lookup resources %s#%s index %s: %,d results; first p50 %.1f ms, p99 %.1f ms;"
                            + " all p50 %.0f ms, p99 %.0f ms (%d runs); %d store queries%s%n", q[0], q[1],
                            index ? "on" : "off", count, GroupIndexBenchmark.pct(first, 50),
                            GroupIndexBenchmark.pct(first, 99), GroupIndexBenchmark.pct(all, 50),
                            GroupIndexBenchmark.pct(all, 99), runs, reads, gi == null ? ""
                                    : "; " + (gi.lookupStepsAnswered() - stepsBefore) / runs
                                            + " reverse-step pages from the index per lookup");
                }
            }
        }
    }
}
