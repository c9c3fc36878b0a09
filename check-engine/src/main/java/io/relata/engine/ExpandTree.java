package io.relata.engine;

import io.relata.store.ObjectRef;
import io.relata.store.SubjectRef;
import java.util.List;

/**
 * The userset tree of resource#relation, as Zanzibar's Expand gives it: operation nodes
 * over children, and leaves listing the subjects written directly on a relation (usersets
 * among them are not expanded further).
 */
public sealed interface ExpandTree {

    /** What was expanded. */
    ObjectRef resource();

    String relation();

    /** Union, intersection or exclusion of the children. */
    record Operation(ObjectRef resource, String relation, Kind kind, List<ExpandTree> children) implements ExpandTree {
        public Operation {
            children = List.copyOf(children);
        }
    }

    /** The subjects of a relation. */
    record Leaf(ObjectRef resource, String relation, List<SubjectRef> subjects) implements ExpandTree {
        public Leaf {
            subjects = List.copyOf(subjects);
        }
    }

    /** The operation of an operation node. */
    enum Kind {
        UNION,
        INTERSECTION,
        EXCLUSION
    }
}
