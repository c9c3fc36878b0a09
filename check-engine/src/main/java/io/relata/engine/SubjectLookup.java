package io.relata.engine;

import io.relata.store.SubjectRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One lookup subjects, sent as it is found. A question {@link SubjectPlan#streamable} can
 * stream takes candidates from a {@link SubjectWalk} a batch at a time, checks those the walk
 * did not prove (together, by the subject set algebra restricted to their ids: one traversal
 * of the question's relationships per batch, read through the relationship cache), and hands
 * each result to the sink before the next batch is computed: while
 * the sink blocks (a slow client), nothing more is read or checked. Such results come in the
 * walk's order; a cursor names the position after a result (how many candidates came before
 * it), its id and the walk that gave it. A page that ends at its concrete limit leaves its
 * walk paused ({@link PausedLookups}), the candidates it took but did not send put back; the
 * page resumed from its last result's cursor continues that walk, reading and checking only
 * what comes after. Any other cursor (no paused walk on this server, or an earlier result's)
 * replays the walk's reads up to the position without checking any candidate before it, then
 * checks only what comes after. The replay is not charged to the page's deadline.
 *
 * <p>Other questions (a wildcard of the subject type that meets a set operation or a caveat,
 * or {@code self}; see {@link SubjectPlan}) are computed whole by {@link SubjectSets} and sent
 * in subject id order ({@code *} first); their cursor is the last subject id sent, so a page
 * resumed from it repeats no subject but computes the whole set again.
 *
 * <p>Either way, a page stops after {@code concreteLimit} subjects other than the wildcard
 * (0 for all), each subject comes once, and pages resumed from cursors continue the same order.
 */
final class SubjectLookup {

    /** Candidates checked together: the first batch small, for a quick first result. */
    static final int FIRST_BATCH = 16;
    /** Each batch's check reads the question's relationships again: batches grow so that few are needed. */
    static final int MAX_BATCH = 1 << 16;

    /**
     * The results for some candidate ids the walk did not prove, by id (absent: does not hold),
     * computed before {@code deadlineNanos} (a {@link System#nanoTime} value).
     */
    interface Checker {
        Map<String, SubjectResult> check(Set<String> ids, long deadlineNanos);
    }

    private final SubjectWalk walk;
    /** Where the walk was paused, when this page continues it; null for a fresh walk. */
    private final ResourceLookup.Position resumedAt;
    private final PausedLookups paused;
    private final PausedLookups.SubjectsLookup lookup;
    private final Checker checker;
    private final long budgetNanos;
    private long started;
    private long inSink;
    private long checked;

    /**
     * @param resumedAt the cursor at which {@code walk} was paused, or null for a fresh walk
     * @param paused    where to pause the walk when a page ends at its concrete limit (null: never)
     * @param lookup    what the paused walk may resume
     */
    SubjectLookup(SubjectWalk walk, ResourceLookup.Position resumedAt, PausedLookups paused,
            PausedLookups.SubjectsLookup lookup, Checker checker, long budgetNanos) {
        this.walk = walk;
        this.resumedAt = resumedAt;
        this.paused = paused;
        this.lookup = lookup;
        this.checker = checker;
        this.budgetNanos = budgetNanos;
    }

    /**
     * Streams the walk's results after {@code cursor} (null for the start) to {@code sink},
     * stopping after {@code concreteLimit} concrete subjects (0 for all) or when the sink says stop.
     *
     * @throws EngineException INVALID_ARGUMENT for a cursor this lookup did not give;
     *                         DEADLINE_EXCEEDED when the computation (time in the sink aside) passes the budget
     */
    void run(String cursor, int concreteLimit, CheckEngine.LookupSink<SubjectResult> sink) {
        ResourceLookup.Position from = ResourceLookup.Position.parse(cursor);
        long position = resumedAt != null ? resumedAt.position() : skip(from);
        String walkId = paused == null || concreteLimit == 0 ? null
                : resumedAt != null ? resumedAt.walk() : PausedLookups.newWalkId();
        started = System.nanoTime();
        inSink = 0;
        int concrete = 0;
        int batch = FIRST_BATCH;
        int refused = 0;
        while (true) {
            checkBudget();
            // A page with a limit takes what it still needs, or as many as the checks refused so far when
            // more (so that a page whose candidates are mostly refused needs few checks, not one a candidate).
            int needed = concreteLimit == 0 ? batch : Math.max(1, concreteLimit - concrete);
            int want = Math.min(batch, Math.max(needed, refused));
            List<SubjectWalk.Candidate> candidates = walk.next(want, this::checkBudget);
            if (candidates.isEmpty()) {
                return;
            }
            batch = Math.min(MAX_BATCH, batch * 2);
            Map<String, SubjectResult> checked = check(candidates);
            for (int i = 0; i < candidates.size(); i++) {
                SubjectWalk.Candidate c = candidates.get(i);
                position++;
                SubjectResult result = c.exact() ? new SubjectResult(c.id(), Permissionship.HAS, List.of(), List.of())
                        : checked.get(c.id());
                if (result == null) {
                    refused++;
                    continue;
                }
                long before = System.nanoTime();
                boolean more = sink.accept(result, new ResourceLookup.Position(walkId, position, c.id()).token());
                inSink += System.nanoTime() - before;
                boolean wildcard = c.id().equals(SubjectRef.WILDCARD);
                boolean full = !wildcard && concreteLimit > 0 && ++concrete == concreteLimit;
                if (more && full && walkId != null) {
                    walk.putBack(candidates.subList(i + 1, candidates.size()));
                    paused.pause(walkId, lookup, walk, position, c.id());
                }
                if (!more || full) {
                    return;
                }
            }
        }
    }

    /** The results of the candidates the walk did not prove, computed together. */
    private Map<String, SubjectResult> check(List<SubjectWalk.Candidate> candidates) {
        Set<String> open = new LinkedHashSet<>();
        for (SubjectWalk.Candidate c : candidates) {
            if (!c.exact()) {
                open.add(c.id());
            }
        }
        if (open.isEmpty()) {
            return Map.of();
        }
        checked += open.size();
        return checker.check(open, started + inSink + budgetNanos);
    }

    /** Candidates checked so far (the walk proved the others). */
    long checked() {
        return checked;
    }

    private void checkBudget() {
        checkCancelled();
        if (System.nanoTime() - started - inSink > budgetNanos) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "lookup subjects ran past its"
                    + " deadline; ask for fewer results at a time (`optionalConcreteLimit`) and resume with the cursor");
        }
    }

    private static void checkCancelled() {
        if (Thread.currentThread().isInterrupted()) {
            throw new EngineException(EngineException.Reason.DEADLINE_EXCEEDED, "lookup subjects was cancelled");
        }
    }

    /**
     * Takes the candidates before {@code from} off the walk, unchecked; the position reached.
     * Bounded by the walk and by cancellation, not by the page's deadline.
     */
    private long skip(ResourceLookup.Position from) {
        if (from == null) {
            return 0;
        }
        long position = 0;
        String last = null;
        while (position < from.position()) {
            List<SubjectWalk.Candidate> skipped = walk.next((int) Math.min(MAX_BATCH, from.position() - position),
                    SubjectLookup::checkCancelled);
            if (skipped.isEmpty()) {
                break;
            }
            position += skipped.size();
            last = skipped.get(skipped.size() - 1).id();
        }
        if (position != from.position() || !from.id().equals(last)) {
            throw ResourceLookup.Position.refused();
        }
        return position;
    }

    // ---- computed whole ------------------------------------------------------------------------------

    /**
     * Sends a whole computed subject set: in id order ({@code *} first), after the cursor, up to
     * {@code concreteLimit} concrete subjects.
     */
    static void sendComputed(List<SubjectResult> found, String cursor, int concreteLimit,
            CheckEngine.LookupSink<SubjectResult> sink) {
        Position after = Position.parse(cursor);
        List<SubjectResult> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.comparing(SubjectResult::id));
        int concrete = 0;
        for (SubjectResult s : ordered) {
            if (after != null && s.id().compareTo(after.id()) <= 0) {
                continue;
            }
            boolean wildcard = s.id().equals(SubjectRef.WILDCARD);
            if (!sink.accept(s, new Position(s.id()).token())) {
                return;
            }
            if (!wildcard && concreteLimit > 0 && ++concrete == concreteLimit) {
                return;
            }
        }
    }

    /** The place after the subject {@code id}, in a set computed whole. */
    record Position(String id) {

        private static final String PREFIX = "after:";

        String token() {
            return PREFIX + id;
        }

        static Position parse(String token) {
            if (token == null) {
                return null;
            }
            if (!token.startsWith(PREFIX) || token.length() == PREFIX.length()) {
                throw ResourceLookup.Position.refused();
            }
            return new Position(token.substring(PREFIX.length()));
        }
    }
}
