package io.relata.server;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.relata.engine.GraphCheckEngine;
import io.relata.engine.index.GroupIndexStats;
import io.relata.engine.index.GroupIndexes;
import java.util.function.ToDoubleFunction;

/**
 * Meters of the nested-group index ({@code --group-index on}): over all tenants, the
 * relationships held, the largest lag in revisions and in seconds, the longest last build,
 * the tenants whose index is being built or turned itself off, how many questions it answered or left to
 * the graph walk, and how many lookup reads it gave or left to the store. Nothing is registered when the index is off.
 */
final class GroupIndexMetrics {

    private GroupIndexMetrics() {
    }

    static void register(MeterRegistry metrics, GraphCheckEngine engine) {
        GroupIndexes index = engine.groupIndex().orElse(null);
        if (index == null) {
            return;
        }
        gauge(metrics, "relata.group.index.tenants", index, s -> 1);
        gauge(metrics, "relata.group.index.relationships", index, GroupIndexStats::relationships);
        max(metrics, "relata.group.index.lag.revisions", index, GroupIndexStats::lagRevisions);
        max(metrics, "relata.group.index.lag.seconds", index, GroupIndexStats::lagSeconds);
        max(metrics, "relata.group.index.build.millis", index, GroupIndexStats::lastBuildMillis);
        gauge(metrics, "relata.group.index.disabled", index, s -> s.state().equals("disabled") ? 1 : 0);
        gauge(metrics, "relata.group.index.building", index, s -> s.state().equals("building") ? 1 : 0);
        FunctionCounter.builder("relata.group.index.answered", index, GroupIndexes::answered)
                .description("membership questions the nested-group index answered").register(metrics);
        FunctionCounter.builder("relata.group.index.unknown", index, GroupIndexes::unknown)
                .description("membership questions the nested-group index left to the graph walk").register(metrics);
        FunctionCounter.builder("relata.group.index.lookup.answered", index,
                i -> i.lookupStepsAnswered() + i.subjectReadsAnswered())
                .description("lookup reads (reverse-step pages, groups' relationships) the nested-group index gave")
                .register(metrics);
        FunctionCounter.builder("relata.group.index.lookup.left", index,
                i -> i.lookupStepsLeft() + i.subjectReadsLeft())
                .description("lookup reads over indexed relations the nested-group index left to the store")
                .register(metrics);
    }

    private static void gauge(MeterRegistry metrics, String name, GroupIndexes index,
            ToDoubleFunction<GroupIndexStats> each) {
        Gauge.builder(name, index, i -> i.stats().stream().mapToDouble(each).sum()).register(metrics);
    }

    private static void max(MeterRegistry metrics, String name, GroupIndexes index,
            ToDoubleFunction<GroupIndexStats> each) {
        Gauge.builder(name, index, i -> i.stats().stream().mapToDouble(each).max().orElse(0)).register(metrics);
    }
}
