package io.relata.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine work a request leaves running when its thread is interrupted (its gRPC call was
 * cancelled, or its deadline passed): the thread stops waiting at once and gives its worker back,
 * but the engine's reads go on until they end (at the latest at the engine's deadline). A transport
 * opens a scope around a request's work ({@link #open}) and, when the work has returned, keeps the
 * request's queue and per-key slots until what it left running has ended ({@link #close}), so a
 * client that cancels in a loop cannot run more engine work at once than the limits allow.
 */
final class WorkInFlight {

    private static final ThreadLocal<List<CompletableFuture<?>>> LEFT = new ThreadLocal<>();

    private WorkInFlight() {}

    /** Starts recording on this thread what the request's work leaves running. */
    static void open() {
        LEFT.set(new ArrayList<>());
    }

    /**
     * Records {@code work} as still running for the request this thread serves (nothing when no
     * scope is open): it counts until it completes, or for {@code maxMillis} at most.
     */
    static void leftRunning(CompletableFuture<?> work, long maxMillis) {
        List<CompletableFuture<?>> left = LEFT.get();
        if (left != null) {
            // A copy, so that the bound does not complete (or cancel) the work itself.
            left.add(work.copy().orTimeout(maxMillis, TimeUnit.MILLISECONDS));
        }
    }

    /**
     * Ends this thread's scope: runs {@code release} now when the work left nothing running, else
     * once all of it has ended.
     */
    static void close(Runnable release) {
        List<CompletableFuture<?>> left = LEFT.get();
        LEFT.remove();
        if (left == null || left.isEmpty()) {
            release.run();
            return;
        }
        CompletableFuture.allOf(left.toArray(CompletableFuture[]::new)).whenComplete((ok, failed) -> release.run());
    }
}
