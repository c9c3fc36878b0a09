package io.relata.server;

import io.relata.engine.EngineException;
import io.relata.store.Relationship;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bulk import on two threads: a decoder thread of its own reads the {@link ImportSource}
 * (JSON or protobuf to relationships) at most {@link #AHEAD} batches ahead, while the thread
 * that drains this iterator (the store's COPY) checks each relationship against the schema
 * and writes it. The check is done once per distinct shape ({@link ShapeCheck}), against the
 * schema the store's validator found ({@link #validateWith}), so on the draining thread: the
 * store guarantees that schema holds at the commit.
 *
 * <p>What the decoder throws reaches the drainer at the batch where it happened, so an error
 * names its line or message and the import writes nothing. Closing stops the decoder (the
 * import ended early, or failed). Memory stays bounded: {@code AHEAD} batches.
 */
final class ImportPipeline implements Iterator<Relationship>, AutoCloseable {

    /** Batches decoded ahead of the writer. */
    static final int AHEAD = 8;

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread decoder;
    private volatile boolean stopped;
    private ShapeCheck check;
    private List<Relationship> batch = List.of();
    private ImportSource.Batch current;
    private int index;
    private boolean ended;
    private long count;

    ImportPipeline(ImportSource source) {
        decoder = new Thread(() -> decode(source), "relata-import-decoder");
        decoder.setDaemon(true);
        decoder.start();
    }

    /** Checks every relationship against {@code check}'s schema from now on; before the first is pulled. */
    void validateWith(ShapeCheck check) {
        this.check = check;
    }

    /** How many relationships were handed out. */
    long count() {
        return count;
    }

    // ---- decoder thread ----------------------------------------------------------------------------

    private void decode(ImportSource source) {
        try {
            ImportSource.Batch b;
            while (!stopped && (b = source.next()) != null) {
                if (!b.relationships().isEmpty()) {
                    put(b);
                }
            }
            put(END);
        } catch (Throwable failure) {
            put(failure);
        }
    }

    private void put(Object item) {
        try {
            while (!stopped && !queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                // The writer is behind: wait for room, unless the import was closed.
            }
        } catch (InterruptedException e) {
            // Closed while waiting.
        }
    }

    // ---- draining thread ---------------------------------------------------------------------------

    @Override
    public boolean hasNext() {
        while (index >= batch.size()) {
            if (ended) {
                return false;
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(1, "the import was cancelled; nothing of it is written");
            }
            if (item == END) {
                ended = true;
                return false;
            }
            if (item instanceof RuntimeException e) {
                ended = true;
                throw e;
            }
            if (item instanceof Error e) {
                ended = true;
                throw e;
            }
            current = (ImportSource.Batch) item;
            batch = current.relationships();
            index = 0;
        }
        return true;
    }

    @Override
    public Relationship next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (check == null) {
            throw new IllegalStateException("the store pulled a relationship before validating the import");
        }
        int i = index++;
        Relationship r = batch.get(i);
        try {
            check.check(r);
        } catch (ApiException | IllegalArgumentException | EngineException e) {
            throw ImportSource.refused("relationship " + r + " (" + current.where().apply(i) + ")", e);
        }
        count++;
        return r;
    }

    /** Stops the decoder; what it still holds is dropped. */
    @Override
    public void close() {
        stopped = true;
        decoder.interrupt();
    }
}
