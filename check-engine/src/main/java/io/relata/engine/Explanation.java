package io.relata.engine;

import java.util.List;
import java.util.Objects;

/**
 * Why a check answers as it does ({@link CheckEngine#explain}), for people: the shortest chain of
 * relationships that grants the permission, or, when nothing does, the closest miss.
 *
 * <ul>
 *   <li>HAS: {@code chain} is a grant with the fewest relationships (an intersection needs every
 *       branch, so its branches' chains are all listed; an exclusion lists its base's chain and
 *       the subtracted side held nowhere on it).</li>
 *   <li>CONDITIONAL: the shortest chain whose caveats are undecided, with {@code caveats} naming
 *       them and {@code missingContext} the parameters that would decide them.</li>
 *   <li>NO: the closest miss: {@code missing} holds the fewest relationships that, written, would
 *       make the answer HAS (each one names the subject directly on a relation whose type allows
 *       it), and {@code chain} the existing relationships that lead from the resource to where
 *       they would be written; among misses needing as few relationships, the one whose existing
 *       chain reaches furthest (most relationships) toward the subject wins. When an exclusion
 *       takes the permission away, {@code excludedBy} holds the chain that grants the excluded
 *       side; when no relationship of the subject's type could grant it at all, {@code missing}
 *       is empty.</li>
 * </ul>
 *
 * <p>The search is bounded ({@link #SEARCH_LIMIT} sub-problems); when it stops early,
 * {@code complete} is false and the chain is the best found so far (or empty).
 *
 * @param result         the check's answer, as {@link CheckEngine#check} gives it
 * @param chain          existing relationships, from the resource toward the subject
 * @param missing        for NO, the relationships that would make it HAS
 * @param excludedBy     for NO through an exclusion, the chain granting the excluded side
 * @param caveats        the caveats on the chain that the request's context leaves undecided
 * @param complete       whether the search finished within its bound
 */
public record Explanation(CheckResult result, List<Hop> chain, List<Hop> missing, List<Hop> excludedBy,
        List<String> caveats, boolean complete) {

    /** The most sub-problems an explanation visits. */
    public static final int SEARCH_LIMIT = 20_000;

    public Explanation {
        Objects.requireNonNull(result, "result");
        chain = List.copyOf(chain);
        missing = List.copyOf(missing);
        excludedBy = List.copyOf(excludedBy);
        caveats = List.copyOf(caveats);
    }

    /**
     * One relationship of a chain, and the schema rule it was followed by.
     *
     * @param relationship the relationship as {@code type:id#relation@type:id[#relation]}, with its caveat
     * @param rule         the rule that made it count: {@code document#view = viewer + parent->view} names the
     *                     permission and its rewrite, {@code group#member: user | group#member} a relation and the
     *                     subject types it allows; {@code via} says which part of the rewrite was followed
     * @param via          the part of the rule this relationship stands for ({@code parent->view}, {@code viewer})
     */
    public record Hop(String relationship, String rule, String via) {

        public Hop {
            Objects.requireNonNull(relationship, "relationship");
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(via, "via");
        }

        @Override
        public String toString() {
            return relationship + "  (" + rule + (via.isEmpty() ? "" : "; via " + via) + ")";
        }
    }
}
