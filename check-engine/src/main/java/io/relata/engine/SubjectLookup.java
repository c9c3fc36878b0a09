package io.relata.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The sending side of lookup subjects: the subjects {@link SubjectSets} found, in id order
 * (the wildcard {@code *} sorts first), after a cursor, up to a limit of concrete subjects.
 * A cursor is the last subject id sent, so a page resumed from it never repeats a subject.
 */
final class SubjectLookup {

    private SubjectLookup() {}

    static void stream(List<SubjectResult> found, Position after, int concreteLimit,
            CheckEngine.LookupSink<SubjectResult> sink) {
        List<SubjectResult> ordered = new ArrayList<>(found);
        ordered.sort(Comparator.comparing(SubjectResult::id));
        int concrete = 0;
        for (SubjectResult s : ordered) {
            if (after != null && s.id().compareTo(after.id()) <= 0) {
                continue;
            }
            boolean wildcard = s.id().equals(io.relata.store.SubjectRef.WILDCARD);
            if (!sink.accept(s, new Position(s.id()).token())) {
                return;
            }
            if (!wildcard && concreteLimit > 0 && ++concrete == concreteLimit) {
                return;
            }
        }
    }

    /** The place after the subject {@code id}. */
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
