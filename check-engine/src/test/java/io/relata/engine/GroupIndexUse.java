package io.relata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.relata.engine.index.GroupIndexOptions;
import io.relata.store.TupleStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Engines of a suite run with the nested-group index on, kept so that the suite can show the
 * index answered questions (a suite that never used it would prove nothing about it). Checks
 * wait for the index to be built or to catch up (up to 10 s), so that it is used wherever it
 * can be.
 */
final class GroupIndexUse {

    static final EngineOptions OPTIONS = EngineOptions.DEFAULTS.withGroupIndex(
            GroupIndexOptions.ON.withCatchUpWait(Duration.ofSeconds(10)));

    private final List<GraphCheckEngine> engines = Collections.synchronizedList(new ArrayList<>());

    GraphCheckEngine track(TupleStore store, EngineOptions options) {
        GraphCheckEngine engine = new GraphCheckEngine(store, options);
        engines.add(engine);
        return engine;
    }

    long answered() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().answered()).sum();
        }
    }

    long unknown() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().unknown()).sum();
        }
    }

    long reachAnswered() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().reachAnswered()).sum();
        }
    }

    long reachUnknown() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().reachUnknown()).sum();
        }
    }

    /** Pages of lookup resources' reverse steps the index gave from memory. */
    long lookupSteps() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().lookupStepsAnswered()).sum();
        }
    }

    long lookupStepsLeft() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().lookupStepsLeft()).sum();
        }
    }

    /** Of {@link #lookupSteps}, the pages of reverse steps over an arrow's relation ({@code group#parent}). */
    long arrowLookupSteps() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().arrowLookupStepsAnswered()).sum();
        }
    }

    long arrowLookupStepsLeft() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().arrowLookupStepsLeft()).sum();
        }
    }

    /** Lookup subjects' reads of groups the index gave from memory. */
    long subjectReads() {
        synchronized (engines) {
            return engines.stream().mapToLong(e -> e.groupIndex().orElseThrow().subjectReadsAnswered()).sum();
        }
    }

    /** Asserts that the index answered membership questions and lookups (and reports the arrow questions). */
    void assertUsed() {
        System.out.println("nested-group index: " + answered() + " questions answered, " + unknown()
                + " left to the walk; arrows: " + reachAnswered() + " answered, " + reachUnknown() + " left to the walk"
                + "; lookups: " + lookupSteps() + " reverse steps from the index, " + lookupStepsLeft()
                + " left to the store, " + subjectReads() + " lookup subjects reads from the index");
        assertThat(answered()).as("questions the nested-group index answered").isPositive();
        assertThat(lookupSteps()).as("lookup reverse steps the nested-group index gave").isPositive();
        assertThat(subjectReads()).as("lookup subjects reads the nested-group index gave").isPositive();
    }

    /** Asserts that the index answered questions about arrows' relations, for checks and lookups. */
    void assertArrowsUsed() {
        System.out.println("nested-group index, arrows' relations: " + arrowLookupSteps()
                + " lookup reverse steps from the index, " + arrowLookupStepsLeft() + " left to the store");
        assertThat(reachAnswered()).as("arrow questions the nested-group index answered").isPositive();
        assertThat(arrowLookupSteps()).as("lookup reverse steps over arrows' relations the nested-group index gave")
                .isPositive();
    }
}
