package io.relata.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log written off the request path: {@link #accept} puts the event in a bounded queue
 * and returns at once; one background thread renders each as a JSON line and writes it, flushing
 * whenever the queue runs empty. When the queue is full (the writer cannot keep up, or its output
 * is stuck), the event is dropped and counted in {@code relata.audit.dropped}
 * ({@code relata_audit_dropped_total} in Prometheus), with a warning at most every
 * {@link #WARN_EVERY_MILLIS}; so is a line the output refused. {@link #close} writes what is
 * queued, flushes and stops.
 */
final class AuditWriter implements AuditLog {

    private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
    /** Events waiting to be written, by default. */
    static final int DEFAULT_CAPACITY = 65_536;
    static final long WARN_EVERY_MILLIS = 10_000;

    private final BlockingQueue<AuditEvent> queue;
    private final Writer out;
    private final boolean closeOut;
    private final Counter dropped;
    private final Counter written;
    private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE / 2);
    private final Thread thread;
    private volatile boolean closing;

    AuditWriter(Writer out, boolean closeOut, int capacity, MeterRegistry metrics) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the audit queue must hold at least 1 event, got " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.out = out;
        this.closeOut = closeOut;
        this.dropped = Counter.builder("relata.audit.dropped")
                .description("audit lines dropped: queue full or output failed").register(metrics);
        this.written = Counter.builder("relata.audit.written").description("audit lines written").register(metrics);
        this.thread = new Thread(this::run, "relata-audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The audit log of {@code --audit-log}: {@code stdout}, or a file appended to (created if missing).
     *
     * @throws IOException if the file cannot be opened for appending
     */
    static AuditWriter open(String target, MeterRegistry metrics) throws IOException {
        if (target.equals("stdout")) {
            return new AuditWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), false, DEFAULT_CAPACITY,
                    metrics);
        }
        Writer file = Files.newBufferedWriter(Path.of(target), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new AuditWriter(file, true, DEFAULT_CAPACITY, metrics);
    }

    @Override
    public void accept(AuditEvent event) {
        if (closing || !queue.offer(event)) {
            drop(closing ? "the audit log is closed" : "the audit queue is full (" + (queue.size()) + " lines waiting)");
        }
    }

    /** Lines dropped so far. */
    long dropped() {
        return (long) dropped.count();
    }

    private void drop(String why) {
        dropped.increment();
        long now = System.nanoTime() / 1_000_000;
        long last = lastWarning.get();
        if (now - last >= WARN_EVERY_MILLIS && lastWarning.compareAndSet(last, now)) {
            LOG.warn("audit log: dropped a line: {}; {} dropped so far (metric relata_audit_dropped_total)", why,
                    (long) dropped.count());
        }
    }

    private void run() {
        List<AuditEvent> batch = new ArrayList<>();
        while (true) {
            AuditEvent first;
            try {
                first = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null;
                closing = true;
            }
            if (first == null) {
                if (closing && queue.isEmpty()) {
                    break;
                }
                continue;
            }
            batch.clear();
            batch.add(first);
            queue.drainTo(batch, 1023);
            for (AuditEvent e : batch) {
                try {
                    out.write(e.json().encode());
                    out.write('\n');
                    written.increment();
                } catch (IOException | RuntimeException failed) {
                    drop("the output refused it: " + failed);
                }
            }
            if (queue.isEmpty()) {
                flush();
            }
        }
        flush();
        if (closeOut) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("audit log: closing the output: {}", e.toString());
            }
        }
    }

    private void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.warn("audit log: flushing: {}", e.toString());
        }
    }

    /** Writes what is queued, flushes, and stops (waits up to 10 s for the output). */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            int left = queue.size();
            dropped.increment(left);
            LOG.warn("audit log: the output did not take the last {} lines within 10 s; counted as dropped", left);
        }
    }
}
