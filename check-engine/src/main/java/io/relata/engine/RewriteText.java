package io.relata.engine;

import io.relata.schema.Rewrite;
import java.util.List;

/** A permission's rewrite as the schema language writes it, for the rules explanations cite. */
final class RewriteText {

    private RewriteText() {}

    /** A rewrite as the schema language writes it. */
    static String of(Rewrite rewrite) {
        if (rewrite instanceof Rewrite.Union u) {
            return join(u.children(), " + ");
        }
        if (rewrite instanceof Rewrite.Intersection i) {
            return join(i.children(), " & ");
        }
        if (rewrite instanceof Rewrite.Exclusion x) {
            return nested(x.base()) + " - " + nested(x.subtracted());
        }
        if (rewrite instanceof Rewrite.ComputedUserset c) {
            return c.relation();
        }
        if (rewrite instanceof Rewrite.TupleToUserset t) {
            return switch (t.kind()) {
                case ALL -> t.tupleset() + ".all(" + t.computed() + ")";
                default -> t.tupleset() + "->" + t.computed();
            };
        }
        if (rewrite instanceof Rewrite.Self) {
            return "self";
        }
        return "nil";
    }

    private static String join(List<Rewrite> children, String operator) {
        return children.stream().map(RewriteText::nested).collect(java.util.stream.Collectors.joining(operator));
    }

    private static String nested(Rewrite r) {
        boolean compound = r instanceof Rewrite.Union || r instanceof Rewrite.Intersection || r instanceof Rewrite.Exclusion;
        return compound ? "(" + of(r) + ")" : of(r);
    }
}
