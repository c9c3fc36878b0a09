package io.relata.schema;

import java.util.List;
import java.util.Objects;

/**
 * How a permission is computed, as a tree (Zanzibar's userset rewrite). Unions and
 * intersections are n-ary: {@code a + b + c} is one {@link Union} of three children.
 */
public sealed interface Rewrite {

    /** Subjects in any child. */
    record Union(List<Rewrite> children) implements Rewrite {
        public Union {
            children = List.copyOf(children);
        }
    }

    /** Subjects in every child. */
    record Intersection(List<Rewrite> children) implements Rewrite {
        public Intersection {
            children = List.copyOf(children);
        }
    }

    /** Subjects in {@code base} and not in {@code subtracted}. */
    record Exclusion(Rewrite base, Rewrite subtracted) implements Rewrite {
        public Exclusion {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(subtracted, "subtracted");
        }
    }

    /** The subjects of another relation or permission of the same resource. */
    record ComputedUserset(String relation) implements Rewrite {
        public ComputedUserset {
            Objects.requireNonNull(relation, "relation");
        }
    }

    /**
     * An arrow: for each subject of the relation {@code tupleset} on the resource, the
     * subjects of {@code computed} on that subject. {@link ArrowKind#ANY} (and {@code ->})
     * needs one of them to grant, {@link ArrowKind#ALL} needs all of them to.
     */
    record TupleToUserset(String tupleset, String computed, ArrowKind kind) implements Rewrite {
        public TupleToUserset {
            Objects.requireNonNull(tupleset, "tupleset");
            Objects.requireNonNull(computed, "computed");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** The empty set. */
    record Nil() implements Rewrite {}

    /** The resource itself, as a subject. */
    record Self() implements Rewrite {}

    /** How an arrow combines the answers of the subjects it walks to. */
    enum ArrowKind {
        ANY,
        ALL
    }
}
