package io.relata.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * The access log (logger {@code relata.access}) written off the event loop and gRPC's threads, as
 * {@link AuditWriter} writes the audit log: {@link #offer} puts the line's values in a bounded queue
 * and returns at once; one background thread ({@code relata-access-log}, started on the first line)
 * formats and logs them. When the queue is full the line is dropped and counted, and the writer
 * says how many it lost (at most every {@link #WARN_EVERY_MILLIS}), so a slow log output never
 * holds up a request.
 */
final class AccessLogWriter {

    /** One request's line: what was asked, its outcome, its time, its tenant and its trace. */
    record Line(String what, String outcome, double millis, String tenant, String traceId, String spanId) {}

    static final int CAPACITY = 16_384;
    static final long WARN_EVERY_MILLIS = 10_000;

    private final Logger log;
    private final BlockingQueue<Line> queue;
    private final AtomicLong dropped = new AtomicLong();

    AccessLogWriter(Logger log, int capacity) {
        this.log = log;
        this.queue = new ArrayBlockingQueue<>(capacity);
        Thread thread = new Thread(this::run, "relata-access-log");
        thread.setDaemon(true);
        thread.start();
    }

    /** The writer of {@code relata.access}, started on first use. */
    static AccessLogWriter shared() {
        return Shared.WRITER;
    }

    private static final class Shared {
        static final AccessLogWriter WRITER = new AccessLogWriter(HttpTracing.AccessLog.LOG, CAPACITY);
    }

    /** Queues {@code line} for the writer; never blocks (a full queue drops it). */
    void offer(Line line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped so far. */
    long dropped() {
        return dropped.get();
    }

    private void run() {
        List<Line> batch = new ArrayList<>();
        long reported = 0;
        long lastWarning = Long.MIN_VALUE / 2;
        while (true) {
            Line first;
            try {
                first = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (first != null) {
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, 1023);
                for (Line l : batch) {
                    try {
                        log.info("{} {} {}ms tenant={} trace_id={} span_id={}", l.what(), l.outcome(), l.millis(),
                                l.tenant(), l.traceId(), l.spanId());
                    } catch (RuntimeException failed) {
                        dropped.incrementAndGet();
                    }
                }
            }
            long lost = dropped.get();
            long now = System.nanoTime() / 1_000_000;
            if (lost > reported && now - lastWarning >= WARN_EVERY_MILLIS) {
                log.warn("access log: {} lines dropped so far (the queue of {} was full)", lost, CAPACITY);
                reported = lost;
                lastWarning = now;
            }
        }
    }
}
