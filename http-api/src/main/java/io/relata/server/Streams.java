package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service layer's limits on server streams, shared by both transports ({@link OverloadLimits}):
 * streams run on threads of their own, at most {@link OverloadLimits#streams()} at once and with no
 * queue, so a stream that waits for its client to read holds one of these and never a worker that
 * answers checks; a tenant holds at most {@link OverloadLimits#streamsPerTenant()} slots at once;
 * and a stream whose client has not read for {@link OverloadLimits#streamStall()} is ended with
 * {@link #stalled()}. Refusals answer RESOURCE_EXHAUSTED and are counted in
 * {@code relata.requests.refused}.
 */
final class Streams implements AutoCloseable {

    /** A tenant's hold on one of its stream slots; closing it (once or more) gives it back. */
    interface Slot extends AutoCloseable {
        @Override
        void close();
    }

    private final OverloadLimits limits;
    private final ThreadPoolExecutor threads;
    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Counter refusedTenant;
    private final Counter refusedServer;

    Streams(OverloadLimits limits, MeterRegistry metrics) {
        this.limits = limits;
        this.refusedTenant = RequestQueue.refused(metrics, "streams_per_tenant");
        this.refusedServer = RequestQueue.refused(metrics, "streams");
        AtomicInteger count = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(0, limits.streams(), 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "relata-stream-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, (r, pool) -> {
            refusedServer.increment();
            throw new RejectedExecutionException(pool.isShutdown() ? "the server is stopping"
                    : "at most " + limits.streams() + " streams run at once");
        });
    }

    /**
     * Runs {@code stream} on a stream thread of its own.
     *
     * @throws ApiException RESOURCE_EXHAUSTED when {@link OverloadLimits#streams()} run already,
     *                      UNAVAILABLE when the server is stopping
     */
    Future<?> submit(Runnable stream) {
        try {
            return threads.submit(stream);
        } catch (RejectedExecutionException e) {
            if (threads.isShutdown()) {
                throw new ApiException(14, "the server is stopping");
            }
            throw new ApiException(ApiException.RESOURCE_EXHAUSTED, "the server runs " + limits.streams() + " streams at once, the most it"
                    + " allows; retry when one has ended");
        }
    }

    /** The stream threads, for a transport that runs its calls through an executor of its choosing. */
    ExecutorService executor() {
        return threads;
    }

    /**
     * Takes one of {@code tenant}'s stream slots, to be closed when the stream ends.
     *
     * @throws ApiException RESOURCE_EXHAUSTED when the tenant holds every slot it may
     */
    Slot open(String tenant) {
        AtomicInteger held = open.computeIfAbsent(tenant, t -> new AtomicInteger());
        if (held.incrementAndGet() > limits.streamsPerTenant()) {
            held.decrementAndGet();
            refusedTenant.increment();
            throw new ApiException(ApiException.RESOURCE_EXHAUSTED, "this tenant has " + limits.streamsPerTenant() + " streams open (lookups,"
                    + " reads, exports and watches), the most it may; retry when one has ended");
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                held.decrementAndGet();
            }
        };
    }

    /** The stall timeout, in milliseconds. */
    long stallMillis() {
        return limits.streamStall().toMillis();
    }

    /** The error that ends a stream whose client stopped reading; never a clean end, which would pass for complete. */
    Errors.Status stalled() {
        return Errors.status(10, "the client did not read the stream for " + stallMillis() + " ms; it was ended"
                + " before its last result; read faster, or resume from the last result's cursor");
    }

    /** Stops the stream threads; streams still running are interrupted. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
