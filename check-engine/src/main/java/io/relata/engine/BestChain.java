package io.relata.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The best explanation found under one sub-problem of a {@link TracingWalk}: its truth, the chain
 * of existing relationships, and for FALSE the relationships missing ({@code missing} is null
 * when no written relationship naming the subject could make it hold there). Better means: HAS
 * over CONDITIONAL over NO; among grants, the shorter chain; among misses, fewer missing
 * relationships, then the longer existing chain (it reaches further toward the subject).
 */
record BestChain(Truth truth, List<Explanation.Hop> chain, List<Explanation.Hop> missing,
        List<Explanation.Hop> excludedBy, TreeSet<String> caveats) {

    static final BestChain NONE = new BestChain(Truth.FALSE, List.of(), null, List.of(), new TreeSet<>());

    /** A sub-problem's answer known without walking it (cached, or past the search limit): no chain. */
    static BestChain unexplained(Truth truth) {
        return new BestChain(truth, List.of(), null, List.of(), new TreeSet<>());
    }

    int rank() {
        return truth.isTrue() ? 2 : truth.isUnknown() ? 1 : 0;
    }

    /** Whether this is a better explanation than {@code other} (ties keep the first found). */
    boolean betterThan(BestChain other) {
        if (rank() != other.rank()) {
            return rank() > other.rank();
        }
        if (rank() > 0) {
            return chain.size() < other.chain.size();
        }
        if ((missing == null) != (other.missing == null)) {
            return missing != null;
        }
        if (missing == null) {
            return false;
        }
        if (missing.size() != other.missing.size()) {
            return missing.size() < other.missing.size();
        }
        return chain.size() > other.chain.size();
    }

    /** Every part must hold: chains and misses add up. */
    static BestChain all(List<BestChain> parts) {
        Truth truth = Truth.TRUE;
        List<Explanation.Hop> chain = new ArrayList<>();
        List<Explanation.Hop> missing = new ArrayList<>();
        List<Explanation.Hop> excludedBy = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>();
        for (BestChain part : parts) {
            truth = truth.and(part.truth());
            chain.addAll(part.chain());
            excludedBy.addAll(part.excludedBy());
            names.addAll(part.caveats());
            if (part.truth().isFalse()) {
                if (part.missing() == null) {
                    missing = null;
                } else if (missing != null) {
                    missing.addAll(part.missing());
                }
            }
        }
        return new BestChain(truth, chain, truth.isFalse() ? missing : List.of(), excludedBy, names);
    }
}
