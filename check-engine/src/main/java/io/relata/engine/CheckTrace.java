package io.relata.engine;

import io.relata.store.ObjectRef;
import io.relata.store.SubjectRef;
import java.util.List;
import java.util.Objects;

/**
 * One sub-problem of a traced check, in the shape of SpiceDB's {@code CheckDebugTrace}: "does
 * {@code subject} hold {@code relation} on {@code resource}?", its answer, and the sub-problems
 * it was answered from (the relations and permissions it dispatched to, on this object or on the
 * objects its relationships name). A sub-problem answered from the shared sub-result cache is a
 * leaf with {@code cached} set, as SpiceDB reports {@code was_cached_result}.
 *
 * @param resource      the object asked about
 * @param relation      the relation or permission asked about
 * @param permission    true for a permission, false for a relation
 * @param subject       the subject of the check
 * @param result        the sub-problem's answer (CONDITIONAL with the missing caveat parameters)
 * @param caveat        the caveat a CONDITIONAL or caveated answer of this relation rests on, else null
 * @param cached        answered from the sub-result cache, without sub-problems
 * @param cycle         met again while it was being answered (a cycle in the data): taken as NO there
 * @param durationNanos how long the sub-problem took, sub-problems included
 * @param subProblems   the sub-problems, in the order they were asked
 */
public record CheckTrace(ObjectRef resource, String relation, boolean permission, SubjectRef subject,
        CheckResult result, String caveat, boolean cached, boolean cycle, long durationNanos,
        List<CheckTrace> subProblems) {

    public CheckTrace {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(result, "result");
        subProblems = List.copyOf(subProblems);
    }

    /** This trace and every sub-problem below it, depth first (for tests and tools). */
    public java.util.stream.Stream<CheckTrace> flatten() {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(this),
                subProblems.stream().flatMap(CheckTrace::flatten));
    }
}
