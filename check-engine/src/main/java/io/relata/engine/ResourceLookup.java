package io.relata.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One lookup resources, streamed: takes candidates from a {@link ResourceWalk} a batch at a
 * time, checks those the walk did not prove, and hands each result to the sink before the
 * next batch is computed. The sink's pace is the lookup's: while it blocks (a client that
 * reads slowly), nothing more is read or checked, so at most one batch of results is held.
 *
 * <p>Positions count candidates in the walk's deterministic order. A cursor names the
 * position after a result and that result's id, and the walk that gave it. A page that ends
 * at its limit leaves its walk paused ({@link PausedLookups}); the page resumed from its last
 * result's cursor continues that walk, reading and checking only what comes after. Any other
 * cursor (no paused walk on this server, or an earlier result's) replays the walk's reads up
 * to the position without checking any candidate before it (so that page re-reads the walk's
 * store pages up to the cursor, outside its deadline, and checks only what comes after), and
 * refuses a cursor whose id is not the candidate at that place. Within one lookup each resource comes once (the walk hands out
 * each candidate once), and pages resumed from cursors continue the same order, so no
 * resource comes twice across pages either.
 *
 * <p>SpiceDB's check hints (see {@link Evaluation#withHints}) are complete only once the walk
 * is over, so a lookup whose walk starts from relationships that may carry a caveat (see
 * {@link ResourceWalk#mayHint}) walks to the end before its first check: correct, but not
 * streamed until then, and bounded only by the deadline. A caveat elsewhere in the schema
 * changes nothing: such lookups stream.
 */
final class ResourceLookup {

    /** Candidates checked together: the first batch small, for a quick first result. */
    static final int FIRST_BATCH = 16;
    static final int MAX_BATCH = 512;

    private final ResourceWalk walk;
    /** Where the walk was paused, when this page continues it; null for a fresh walk. */
    private final Position resumedAt;
    private final PausedLookups paused;
    private final PausedLookups.Lookup lookup;
    private final int walkCallsBefore;
    private final Supplier<Evaluation> evaluation;
    private final Supplier<Evaluation> hinted;
    private final boolean caveated;
    private final String resourceType;
    private final String permission;
    private final long budgetNanos;
    private int storeCalls;
    private long checked;
    private long started;
    /** Time spent in the sink so far: the client's, not the computation's. */
    private long inSink;

    /**
     * @param evaluation a fresh exact evaluation for each batch
     * @param hinted     a fresh evaluation taking the walk's hints as given (see the class comment)
     * @param caveated   whether the walk may gather hints ({@link ResourceWalk#mayHint}; then hints decide, and
     *                   the walk runs to its end first)
     * @param resumedAt  the cursor at which {@code walk} was paused, or null for a fresh walk
     * @param paused     where to pause the walk when a page ends at its limit (null: never)
     * @param lookup     what the paused walk may resume
     */
    ResourceLookup(ResourceWalk walk, Position resumedAt, PausedLookups paused, PausedLookups.Lookup lookup,
            Supplier<Evaluation> evaluation, Supplier<Evaluation> hinted, boolean caveated,
            String resourceType, String permission, long budgetNanos) {
        this.walk = walk;
        this.resumedAt = resumedAt;
        this.paused = paused;
        this.lookup = lookup;
        this.walkCallsBefore = walk.storeCalls();
        this.evaluation = evaluation;
        this.hinted = hinted;
        this.caveated = caveated;
        this.resourceType = resourceType;
        this.permission = permission;
        this.budgetNanos = budgetNanos;
    }

    /**
     * Streams the results after {@code cursor} (null for the start) to {@code sink}, at most
     * {@code limit} (0 for all), until the sink says stop.
     *
     * @throws EngineException INVALID_ARGUMENT for a cursor this lookup did not give;
     *                         DEADLINE_EXCEEDED when the computation (time in the sink aside) passes the budget
     */
    void run(String cursor, int limit, CheckEngine.LookupSink<LookupResult> sink) {
        started = System.nanoTime();
        inSink = 0;
        Position from = Position.parse(cursor);
        long position = resumedAt != null ? resumedAt.position() : skip(from);
        // Only a walk that streams can be paused: a caveated one has handed out all it found.
        String walkId = paused == null || caveated || limit == 0 ? null
                : resumedAt != null ? resumedAt.walk() : PausedLookups.newWalkId();
        // The replay is the walk's own reads up to the cursor, which earlier pages already made
        // within their deadlines; it is not charged to this page's, which starts after it.
        started = System.nanoTime();
        int sent = 0;
        int batch = FIRST_BATCH;
        List<ResourceWalk.Candidate> all = caveated ? walk.next(Integer.MAX_VALUE, this::checkBudget) : null;
        int taken = 0;
        while (limit == 0 || sent < limit) {
            checkBudget();
            int want = limit == 0 ? batch : Math.min(batch, Math.max(1, limit - sent));
            List<ResourceWalk.Candidate> candidates;
            if (all != null) {
                candidates = all.subList(taken, Math.min(all.size(), taken + want));
                taken += candidates.size();
            } else {
                candidates = walk.next(want, this::checkBudget);
            }
            if (candidates.isEmpty()) {
                return;
            }
            batch = Math.min(MAX_BATCH, batch * 2);
            List<LookupResult> results = check(candidates);
            for (int i = 0; i < candidates.size(); i++) {
                position++;
                LookupResult result = results.get(i);
                if (result == null) {
                    continue;
                }
                long before = System.nanoTime();
                boolean more = sink.accept(result, new Position(walkId, position, result.id()).token());
                inSink += System.nanoTime() - before;
                sent++;
                if (more && limit > 0 && sent == limit && walkId != null) {
                    walk.putBack(candidates.subList(i + 1, candidates.size()));
                    paused.pause(walkId, lookup, walk, position, result.id());
                }
                if (!more || (limit > 0 && sent == limit)) {
                    return;
                }
            }
        }
    }

    /**
     * The computation so far, time in the sink aside, must stay within the budget; an
     * interrupted thread (a cancelled call) ends it too.
     */
    private void checkBudget() {
        checkCancelled();
        if (System.nanoTime() - started - inSink > budgetNanos) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "lookup resources ran past its"
                    + " deadline; ask for fewer results at a time (`optionalLimit`) and resume with the cursor");
        }
    }

    /** An interrupted thread (a cancelled call) ends the lookup, replay included. */
    private static void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "lookup resources was cancelled");
        }
    }

    /**
     * Takes the candidates before {@code from} off the walk, unchecked; the position reached.
     * The replay re-reads the walk's store pages up to the cursor and checks no candidate; it
     * is bounded by the walk itself (it stops at the cursor's position, or at the walk's end
     * for a position the walk never reaches) and by cancellation, not by the page's deadline,
     * so that a cursor an earlier page gave stays usable however far into the lookup it is.
     */
    private long skip(Position from) {
        if (from == null) {
            return 0;
        }
        long position = 0;
        String last = null;
        while (position < from.position()) {
            List<ResourceWalk.Candidate> skipped = walk.next((int) Math.min(MAX_BATCH, from.position() - position),
                    ResourceLookup::checkCancelled);
            if (skipped.isEmpty()) {
                break;
            }
            position += skipped.size();
            last = skipped.get(skipped.size() - 1).id();
        }
        if (position != from.position() || !from.id().equals(last)) {
            throw Position.refused();
        }
        return position;
    }

    /** The result for each candidate, or null where the subject lacks the permission. */
    private List<LookupResult> check(List<ResourceWalk.Candidate> candidates) {
        List<String> open = new ArrayList<>();
        for (ResourceWalk.Candidate c : candidates) {
            if (!c.exact() || caveated) {
                open.add(c.id());
            }
        }
        Map<String, Truth> truths = Map.of();
        Map<String, Truth> withHints = Map.of();
        if (!open.isEmpty()) {
            Evaluation exact = evaluation.get();
            truths = exact.evaluate(resourceType, open, permission, 0);
            storeCalls += exact.storeCalls();
            Map<String, Set<String>> hints = walk.hints();
            if (hints.isEmpty()) {
                withHints = truths;
            } else {
                Evaluation given = hinted.get().withHints(hints).sharingReadsWith(exact);
                withHints = given.evaluate(resourceType, open, permission, 0);
            }
            checked += open.size();
        }
        List<LookupResult> out = new ArrayList<>(candidates.size());
        for (ResourceWalk.Candidate c : candidates) {
            if (c.exact() && !caveated) {
                out.add(new LookupResult(c.id(), Permissionship.HAS, List.of()));
                continue;
            }
            Truth t = truths.getOrDefault(c.id(), Truth.FALSE);
            // SpiceDB verifies candidates with checks that take the relationships the walk
            // started from as given, caveats aside ("check hints"); where that check says NO,
            // SpiceDB leaves the resource out even if an exact check would say CONDITIONAL.
            boolean kept = !t.isFalse() && !withHints.getOrDefault(c.id(), Truth.FALSE).isFalse();
            out.add(kept ? new LookupResult(c.id(), t.permissionship(), t.missingSorted()) : null);
        }
        return out;
    }

    /** Store queries made so far, by the walk and the checks. */
    int storeCalls() {
        return storeCalls + walk.storeCalls() - walkCallsBefore;
    }

    /** Candidates checked so far (the walk proved the others). */
    long checked() {
        return checked;
    }

    /**
     * A place in the enumeration: how many candidates came before it, the last one's id, and
     * the walk that gave it ({@link PausedLookups}; null when it cannot be paused).
     */
    record Position(String walk, long position, String id) {

        String token() {
            return (walk == null ? "" : walk + "/") + position + ":" + id;
        }

        static Position parse(String token) {
            if (token == null) {
                return null;
            }
            int colon = token.indexOf(':');
            String head = token.substring(0, Math.max(0, colon));
            int slash = head.indexOf('/');
            try {
                long position = Long.parseLong(head.substring(slash + 1));
                String id = token.substring(colon + 1);
                if (position < 1 || id.isEmpty() || slash == 0) {
                    throw refused();
                }
                return new Position(slash < 0 ? null : head.substring(0, slash), position, id);
            } catch (NumberFormatException e) {
                throw refused();
            }
        }

        static EngineException refused() {
            return new EngineException(EngineException.Reason.INVALID_ARGUMENT, "the cursor does not name a place in"
                    + " this lookup's results at this revision; pass back an `afterResultCursor` exactly as a result of"
                    + " the same lookup gave it", io.relata.store.ErrorInfo.of(io.relata.store.ErrorReason.INVALID_CURSOR));
        }
    }
}
