package io.relata.engine;

import dev.cel.common.ast.CelExpr;
import dev.cel.common.values.CelByteString;
import dev.cel.runtime.CelEvaluationListener;
import java.util.Collection;
import java.util.Map;

/**
 * The work one caveat evaluation may do, metered as {@code dev.cel} reports each evaluated
 * expression: one unit per expression plus the size of what it produced (elements of a list
 * or map, a unit per 64 characters or bytes), so a comprehension over a long list or one
 * that builds long lists costs what it does. Past the budget, past the request's deadline or
 * once its thread is interrupted, the evaluation is stopped: every later report throws
 * {@link Stopped}, so CEL's error-absorbing operators ({@code ||}, {@code &&}) cannot carry
 * on past it.
 */
final class CaveatBudget implements CelEvaluationListener {

    /** Units one evaluation of a caveat may use: far above real caveats, and well under a second of work. */
    static final long MAX_COST = 1_000_000;

    /** How often (in reports) the clock and the interrupt flag are read. */
    private static final int CHECK_EVERY = 1_024;

    /** Why an evaluation was stopped. */
    enum Reason {
        COST,
        DEADLINE,
        INTERRUPTED
    }

    /** Thrown from the listener to stop CEL; {@link CaveatEvaluator} turns it into an engine error. */
    static final class Stopped extends RuntimeException {

        private static final long serialVersionUID = 1L;

        final Reason reason;

        Stopped(Reason reason) {
            super("caveat evaluation stopped: " + reason, null, false, false);
            this.reason = reason;
        }
    }

    private final long limit;
    private final long deadlineNanos;
    private long used;
    private int reports;
    private Reason stopped;

    /**
     * @param limit          units this evaluation may use
     * @param deadlineNanos  {@link System#nanoTime()} past which it stops ({@code Long.MAX_VALUE}: none)
     */
    CaveatBudget(long limit, long deadlineNanos) {
        this.limit = limit;
        this.deadlineNanos = deadlineNanos;
    }

    /** Units used so far. */
    long used() {
        return used;
    }

    @Override
    public void callback(CelExpr expr, Object result) {
        if (stopped != null) {
            throw new Stopped(stopped);
        }
        used += 1 + size(result);
        if (used > limit) {
            stop(Reason.COST);
        }
        if (++reports % CHECK_EVERY == 0) {
            if (System.nanoTime() > deadlineNanos) {
                stop(Reason.DEADLINE);
            }
            if (Thread.currentThread().isInterrupted()) {
                stop(Reason.INTERRUPTED);
            }
        }
    }

    private void stop(Reason reason) {
        stopped = reason;
        throw new Stopped(reason);
    }

    private static long size(Object value) {
        if (value instanceof Collection<?> c) {
            return c.size();
        }
        if (value instanceof Map<?, ?> m) {
            return m.size();
        }
        if (value instanceof String s) {
            return s.length() / 64;
        }
        if (value instanceof CelByteString b) {
            return b.size() / 64;
        }
        return 0;
    }
}
