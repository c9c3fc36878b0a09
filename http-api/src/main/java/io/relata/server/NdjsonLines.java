package io.relata.server;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A request body of newline-delimited JSON objects (how grpc-gateway carries a client
 * stream), read as a worker pulls it: the event loop only splits the bytes into lines and
 * queues them; the worker parses each line when it asks for it. At most {@link #HIGH_WATER}
 * lines wait in memory: past that the request is paused (TCP pushes back on the client)
 * and resumed once the worker has caught up. A line longer than its limit, a line that is
 * not a JSON object, a body that stops arriving and a client that goes away each end the
 * iteration with an error a person can act on.
 *
 * <p>Create it on the request's event loop with the request paused; iterate on one worker thread.
 */
final class NdjsonLines implements Iterator<JsonObject> {

    static final int HIGH_WATER = 16;
    static final int LOW_WATER = 4;

    private static final Object END = new Object();

    private final HttpServerRequest request;
    private final Context context;
    private final long maxLineBytes;
    private final long idleMillis;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    /** Written on the event loop before the line that filled the queue is queued; read by the worker. */
    private volatile boolean paused = true;
    /** Event loop only. */
    private Buffer pending = Buffer.buffer();
    private boolean done;
    /** Worker only. */
    private JsonObject next;
    private boolean ended;
    private long line;

    private NdjsonLines(HttpServerRequest request, Context context, long maxLineBytes, long idleMillis) {
        this.request = request;
        this.context = context;
        this.maxLineBytes = maxLineBytes;
        this.idleMillis = idleMillis;
    }

    /** Starts reading {@code request} (which must be paused) on {@code context}, its event loop. */
    static NdjsonLines open(HttpServerRequest request, Context context, long maxLineBytes, long idleMillis) {
        NdjsonLines lines = new NdjsonLines(request, context, maxLineBytes, idleMillis);
        request.handler(lines::chunk);
        request.endHandler(v -> lines.finish());
        request.exceptionHandler(e -> lines.fail(ApiException.invalid("the request body could not be read: "
                + e.getMessage())));
        request.response().closeHandler(v -> lines.fail(new ApiException(1, "the client went away")));
        return lines;
    }

    // ---- event loop ----------------------------------------------------------------------------------

    private void chunk(Buffer data) {
        if (done) {
            return;
        }
        int scanned = pending.length();
        pending.appendBuffer(data);
        int start = 0;
        for (int i = scanned; i < pending.length(); i++) {
            if (pending.getByte(i) == '\n') {
                offer(pending.getBuffer(start, i));
                start = i + 1;
            }
        }
        pending = pending.getBuffer(start, pending.length());
        if (pending.length() > maxLineBytes) {
            fail(ApiException.invalid("a line of the request body is longer than " + maxLineBytes
                    + " bytes; split the relationships over more request messages, one per line"));
        }
    }

    private void offer(Buffer text) {
        if (text.length() > maxLineBytes) {
            fail(ApiException.invalid("a line of the request body is longer than " + maxLineBytes
                    + " bytes; split the relationships over more request messages, one per line"));
            return;
        }
        if (queue.size() + 1 >= HIGH_WATER && !paused) {
            paused = true;
            request.pause();
        }
        queue.add(text);
    }

    private void finish() {
        if (!done) {
            if (pending.length() > 0) {
                offer(pending);
            }
            done = true;
            queue.add(END);
        }
    }

    private void fail(RuntimeException error) {
        if (!done) {
            done = true;
            queue.add(error);
            discardRest();
        }
    }

    /** Reads and drops what is left of the body (call on the event loop once the work is over). */
    void discardRest() {
        done = true;
        if (!request.isEnded()) {
            request.handler(b -> {});
            request.resume();
        }
    }

    // ---- worker --------------------------------------------------------------------------------------

    @Override
    public boolean hasNext() {
        while (next == null && !ended) {
            Object item = take();
            if (item == END) {
                ended = true;
            } else if (item instanceof RuntimeException e) {
                ended = true;
                throw e;
            } else {
                line++;
                String text = ((Buffer) item).toString(java.nio.charset.StandardCharsets.UTF_8);
                if (!text.isBlank()) {
                    next = parse(text);
                }
            }
        }
        return next != null;
    }

    @Override
    public JsonObject next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        JsonObject out = next;
        next = null;
        return out;
    }

    private JsonObject parse(String text) {
        try {
            return new JsonObject(text);
        } catch (RuntimeException e) {
            throw ApiException.invalid("line " + line + " of the request body is not a JSON object; send one"
                    + " request message per line");
        }
    }

    private Object take() {
        Object item = queue.poll();
        if (item == null) {
            askForMore();
            try {
                item = queue.poll(idleMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (item == null) {
                throw new ApiException(4, "no more of the request body arrived for " + idleMillis / 1000
                        + " seconds; the import was abandoned");
            }
        } else if (queue.size() <= LOW_WATER) {
            askForMore();
        }
        return item;
    }

    private void askForMore() {
        if (paused) {
            context.runOnContext(v -> {
                if (paused && queue.size() <= LOW_WATER) {
                    paused = false;
                    request.resume();
                }
            });
        }
    }
}
