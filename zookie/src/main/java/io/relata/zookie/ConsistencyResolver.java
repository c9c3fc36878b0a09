package io.relata.zookie;

import io.relata.store.Revision;
import io.relata.store.RevisionUnavailableException;
import io.relata.store.TupleStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns a request's {@link Consistency} into the revision to read at:
 * <ul>
 *   <li>{@code minimizeLatency}: the newest revision committed at or before the start of
 *       the current quantization window (default 5 s), so concurrent requests share a
 *       revision and its cache entries; asked of the store once per tenant and window (a
 *       write committed just before the window's start but visible only after that read is
 *       seen from the next window on), so at most two windows stale;</li>
 *   <li>{@code atLeastAsFresh(t)}: the newer of the token's revision and the quantized one,
 *       so a read after a write always sees it (the new-enemy guarantee) and still shares
 *       cache entries when it can;</li>
 *   <li>{@code atExactSnapshot(t)}: the token's revision;</li>
 *   <li>{@code fullyConsistent}: the newest committed revision.</li>
 * </ul>
 * An exact snapshot older than the store's oldest readable revision (garbage collection
 * passed it) is refused, and so is any token newer than the newest revision, each with a
 * message saying so; {@code atLeastAsFresh} accepts old tokens, since any newer revision will do.
 */
public final class ConsistencyResolver {

    private final TupleStore store;
    private final ZookieCodec codec;
    private final Duration window;
    private final Clock clock;
    /** Per tenant, the window start last resolved and its revision. */
    private final java.util.concurrent.ConcurrentHashMap<String, Window> windows =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Tenants whose window is remembered at most; beyond, the memo starts over. */
    private static final int MAX_TENANTS = 100_000;

    private record Window(long start, Revision revision) {}

    /** Per tenant, the token last encoded, so that responses at one revision encode it once. */
    private final java.util.concurrent.ConcurrentHashMap<String, Token> tokens =
            new java.util.concurrent.ConcurrentHashMap<>();

    private record Token(Revision revision, String text) {}

    public ConsistencyResolver(TupleStore store, ZookieCodec codec, Duration window, Clock clock) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("the quantization window must not be negative");
        }
        this.store = store;
        this.codec = codec;
        this.window = window;
        this.clock = clock;
    }

    /** The revision to read at. @throws ZookieException for an unusable token */
    public Revision resolve(String tenant, Consistency consistency) {
        Consistency c = consistency == null ? Consistency.MINIMIZE_LATENCY : consistency;
        if (c instanceof Consistency.FullyConsistent) {
            return store.headRevision(tenant);
        }
        if (c instanceof Consistency.MinimizeLatency) {
            return quantized(tenant);
        }
        if (c instanceof Consistency.AtLeastAsFresh a) {
            // Any newer revision will do, so a token older than the GC window still works here.
            Revision wanted = decode(tenant, a.token());
            Revision quantized = quantized(tenant);
            // A quantized revision was committed, so one at least as new as the token's cannot
            // leave the token from the future: only a newer token needs the head to compare with.
            return quantized.compareTo(wanted) >= 0 ? quantized : notFromTheFuture(tenant, wanted);
        }
        return usable(tenant, ((Consistency.AtExactSnapshot) c).token());
    }

    /**
     * The revision a Watch resumes after, from its start cursor: the token's own revision.
     *
     * @throws ZookieException for a token that cannot be used (garbage, another tenant's, from the future)
     * @throws RevisionUnavailableException when garbage collection has removed changes after it: the
     *         watcher must start again from a newer revision (as when a running watch falls behind)
     */
    public Revision resumeAfter(String tenant, String token) {
        Revision revision = decode(tenant, token);
        Revision oldest = store.oldestReadableRevision(tenant);
        if (revision.compareTo(oldest) < 0) {
            throw new RevisionUnavailableException("cannot watch from revision " + revision + ": garbage collection"
                    + " removed history before revision " + oldest + "; start again from a newer revision (read the"
                    + " current state, then watch from its token)");
        }
        return notFromTheFuture(tenant, revision);
    }

    /**
     * The revision {@link #resolve} gives, when it is known without asking the store, else null:
     * {@code minimizeLatency} once the current window's revision is known, and
     * {@code atLeastAsFresh} with a token no newer than it. Never blocks; a token that cannot be
     * used throws as in {@link #resolve}.
     */
    public Revision resolveKnown(String tenant, Consistency consistency) {
        Consistency c = consistency == null ? Consistency.MINIMIZE_LATENCY : consistency;
        if (c instanceof Consistency.MinimizeLatency) {
            return knownQuantized(tenant);
        }
        if (c instanceof Consistency.AtLeastAsFresh a) {
            Revision wanted = decode(tenant, a.token());
            Revision quantized = knownQuantized(tenant);
            return quantized != null && quantized.compareTo(wanted) >= 0 ? quantized : null;
        }
        return null;
    }

    /** The token for a revision of a tenant, as responses carry it (encoded once per tenant and revision in a row). */
    public String token(String tenant, Revision revision) {
        Token last = tokens.get(tenant);
        if (last != null && last.revision().equals(revision)) {
            return last.text();
        }
        String text = codec.encode(tenant, revision);
        if (tokens.size() >= MAX_TENANTS) {
            tokens.clear();
        }
        tokens.put(tenant, new Token(revision, text));
        return text;
    }

    /** The revision of a token: the one last encoded for the tenant when it is that very text, else decoded. */
    private Revision decode(String tenant, String token) {
        Token last = tokens.get(tenant);
        if (last != null && last.text().equals(token)) {
            return last.revision();
        }
        return codec.decode(tenant, token);
    }

    private long windowStart() {
        long millis = window.toMillis();
        return Math.floorDiv(clock.millis(), millis) * millis;
    }

    private Revision knownQuantized(String tenant) {
        if (window.isZero()) {
            return null;
        }
        Window known = windows.get(tenant);
        return known != null && known.start() == windowStart() ? known.revision() : null;
    }

    private Revision quantized(String tenant) {
        if (window.isZero()) {
            return store.headRevision(tenant);
        }
        long start = windowStart();
        Window known = windows.get(tenant);
        if (known != null && known.start() == start) {
            return known.revision();
        }
        Revision revision = store.revisionAt(tenant, Instant.ofEpochMilli(start));
        if (windows.size() >= MAX_TENANTS) {
            windows.clear();
        }
        windows.merge(tenant, new Window(start, revision), (old, next) -> old.start() >= next.start() ? old : next);
        return revision;
    }

    private Revision usable(String tenant, String token) {
        Revision revision = decode(tenant, token);
        Revision oldest = store.oldestReadableRevision(tenant);
        if (revision.compareTo(oldest) < 0) {
            throw new ZookieException("the token's revision " + revision + " is older than the garbage collection"
                    + " window allows; read with a fresher token or with fullyConsistent");
        }
        return notFromTheFuture(tenant, revision);
    }

    private Revision notFromTheFuture(String tenant, Revision revision) {
        Revision known = knownQuantized(tenant);
        if (known != null && revision.compareTo(known) <= 0) {
            return revision; // no newer than a revision known to be committed: no need to ask for the head
        }
        Revision head = store.headRevision(tenant);
        if (revision.compareTo(head) > 0) {
            throw new ZookieException("the token names revision " + revision + ", newer than any this tenant has"
                    + " committed; was the data restored from a backup?");
        }
        return revision;
    }
}
