package io.relata.zookie;

import java.util.Objects;

/** How fresh a read must be, as a request states it. */
public sealed interface Consistency {

    /** A recent revision shared by many requests (the newest at the start of the current window). */
    record MinimizeLatency() implements Consistency {}

    /** At least as fresh as the revision of {@code token}. */
    record AtLeastAsFresh(String token) implements Consistency {
        public AtLeastAsFresh {
            Objects.requireNonNull(token, "token");
        }
    }

    /** Exactly the revision of {@code token}. */
    record AtExactSnapshot(String token) implements Consistency {
        public AtExactSnapshot {
            Objects.requireNonNull(token, "token");
        }
    }

    /** The newest committed revision. */
    record FullyConsistent() implements Consistency {}

    Consistency MINIMIZE_LATENCY = new MinimizeLatency();
    Consistency FULLY_CONSISTENT = new FullyConsistent();
}
