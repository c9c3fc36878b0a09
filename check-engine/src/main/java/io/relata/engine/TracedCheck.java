package io.relata.engine;

import java.util.Objects;

/**
 * A check answered with its trace ({@link CheckEngine#checkTraced}).
 *
 * @param result the answer, the same {@link CheckEngine#check} gives
 * @param trace  the sub-problems it was answered from, rooted at the question asked
 */
public record TracedCheck(CheckResult result, CheckTrace trace) {

    public TracedCheck {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(trace, "trace");
    }
}
