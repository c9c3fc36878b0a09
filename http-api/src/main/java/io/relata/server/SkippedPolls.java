package io.relata.server;

import io.relata.store.StoreTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * Since when a watch's polls have been skipped, for one reason: refused a request slot
 * ({@link RequestQueue#tryEnter}), or their change-log read timed out. A skipped poll is tried
 * again at the next tick; once polls have been skipped for longer than the stream stall timeout
 * ({@link Streams#stallMillis()}) the watch ends with {@link #refused} or {@link #timedOut}, rather
 * than lag without end while holding its stream slot. Used by one watch at a time.
 */
final class SkippedPolls {

    private volatile long since = -1;

    /** Records a skipped poll; true when polls have been skipped for longer than {@code stallMillis}. */
    boolean skipped(long stallMillis) {
        long now = System.nanoTime();
        if (since < 0) {
            since = now;
            return false;
        }
        return now - since > TimeUnit.MILLISECONDS.toNanos(stallMillis);
    }

    /** A poll ran: the count starts again. */
    void ran() {
        since = -1;
    }

    /** Whether {@code failure} (or a cause of it) is a read that hit the store's read timeout. */
    static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StoreTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** The error that ends a watch whose polls found no request slot for {@code stallMillis}. */
    static Errors.Status refused(long stallMillis) {
        return Errors.status(ApiException.RESOURCE_EXHAUSTED, "the watch's polls found no free request slot for "
                + stallMillis + " ms: its API key had its limit in flight (--max-requests-per-key) or the request"
                + " queue was full (--max-queued-requests); it was ended; watch again from the last changesThrough"
                + " token once the key has fewer requests in flight");
    }

    /** The error that ends a watch whose change-log reads timed out for {@code stallMillis}. */
    static Errors.Status timedOut(long stallMillis) {
        return Errors.status(4, "the watch's change-log reads ran past the read timeout (--request-timeout) for "
                + stallMillis + " ms; it was ended; watch again from the last changesThrough token");
    }
}
