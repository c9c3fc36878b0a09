package io.relata.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.StringWriter;
import java.io.Writer;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The audit writer never blocks its caller and never loses a line silently: with its output
 * stuck and its queue full, each further line is dropped and counted in
 * {@code relata.audit.dropped}; once the output moves again, every queued line is written; after
 * {@link AuditWriter#close} what was queued is in the output and later lines are counted too.
 */
class AuditWriterTest {

    private static AuditEvent event(int i) {
        return new AuditEvent(Instant.parse("2026-01-01T00:00:00Z"), "t", "key_abcdEFGH", "check",
                new JsonObject().put("i", i), new JsonObject(), 7L);
    }

    /** An output that blocks every write until released. */
    private static final class StuckWriter extends Writer {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final StringWriter out = new StringWriter();

        @Override
        public void write(char[] chars, int off, int len) {
            entered.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(chars, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    @Test
    void fullQueueWithAStuckOutput_dropsAndCountsEveryFurtherLine_withoutBlocking() throws Exception {
        SimpleMeterRegistry metrics = new SimpleMeterRegistry();
        StuckWriter output = new StuckWriter();
        AuditWriter writer = new AuditWriter(output, false, 2, metrics);
        writer.accept(event(0));
        assertThat(output.entered.await(30, TimeUnit.SECONDS)).isTrue(); // the writer holds line 0, stuck
        writer.accept(event(1));
        writer.accept(event(2)); // the queue (2) is full now
        long started = System.nanoTime();
        for (int i = 3; i < 8; i++) {
            writer.accept(event(i));
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(5);
        assertThat(writer.dropped()).isEqualTo(5);
        assertThat(metrics.get("relata.audit.dropped").counter().count()).isEqualTo(5.0);

        output.release.countDown();
        writer.close();
        assertThat(output.out.toString().lines().map(l -> new JsonObject(l).getJsonObject("request").getInteger("i")))
                .containsExactly(0, 1, 2);
        assertThat(output.out.toString()).contains("\"keyId\":\"key_abcdEFGH\"");
        assertThat(metrics.get("relata.audit.written").counter().count()).isEqualTo(3.0);

        writer.accept(event(9));
        assertThat(writer.dropped()).isEqualTo(6);
    }

    @Test
    void closedWriter_hasWrittenAndFlushedEveryLine() {
        StringWriter out = new StringWriter();
        AuditWriter writer = new AuditWriter(out, false, 1000, new SimpleMeterRegistry());
        for (int i = 0; i < 500; i++) {
            writer.accept(event(i));
        }
        writer.close();
        assertThat(out.toString().lines()).hasSize(500);
        assertThat(writer.dropped()).isZero();
    }
}
