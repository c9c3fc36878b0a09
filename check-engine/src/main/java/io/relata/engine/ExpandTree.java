package io.relata.engine;

import io.relata.store.Caveat;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.SubjectRef;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The userset tree of resource#relation, as Zanzibar's Expand gives it: operation nodes
 * over children, and leaves listing the subjects written directly on a relation (usersets
 * among them are not expanded further). A caveat or an expiration stays with what it
 * bounds: a leaf keeps each subject's relationship caveat and expiration, and a node an
 * arrow reached keeps those of the relationship the arrow followed (as SpiceDB's expand
 * keeps a caveat expression on each subject and on each node).
 */
public sealed interface ExpandTree {

    /** What was expanded. */
    ObjectRef resource();

    String relation();

    /**
     * The caveat of the relationship an arrow followed to reach this node, or null (not
     * reached through an arrow, or through an uncaveated relationship): the node's subjects
     * count only where it holds.
     */
    Caveat caveat();

    /** When the relationship an arrow followed to reach this node expires, or null. */
    Instant expiresAt();

    /** This node as reached through {@code relationship} (its caveat and expiration). */
    ExpandTree reachedThrough(Relationship relationship);

    /** Union, intersection or exclusion of the children. */
    record Operation(ObjectRef resource, String relation, Kind kind, List<ExpandTree> children, Caveat caveat,
            Instant expiresAt) implements ExpandTree {
        public Operation {
            children = List.copyOf(children);
        }

        /** A node not reached through an arrow. */
        public Operation(ObjectRef resource, String relation, Kind kind, List<ExpandTree> children) {
            this(resource, relation, kind, children, null, null);
        }

        @Override
        public Operation reachedThrough(Relationship r) {
            return new Operation(resource, relation, kind, children, r.caveat(), r.expiresAt());
        }
    }

    /** The subjects of a relation, each with its relationship's caveat and expiration. */
    record Leaf(ObjectRef resource, String relation, List<DirectSubject> directSubjects, Caveat caveat,
            Instant expiresAt) implements ExpandTree {
        public Leaf {
            directSubjects = List.copyOf(directSubjects);
        }

        /** A leaf of subjects without caveats or expiration, not reached through an arrow. */
        public Leaf(ObjectRef resource, String relation, List<SubjectRef> subjects) {
            this(resource, relation, subjects.stream().map(DirectSubject::of).toList(), null, null);
        }

        /** The subjects alone, in the leaf's order. */
        public List<SubjectRef> subjects() {
            return directSubjects.stream().map(DirectSubject::subject).toList();
        }

        @Override
        public Leaf reachedThrough(Relationship r) {
            return new Leaf(resource, relation, directSubjects, r.caveat(), r.expiresAt());
        }
    }

    /**
     * A subject written on a relation (SpiceDB's {@code DirectSubject}): the subject, and
     * the caveat (name and stored context) and expiration of its relationship, each null
     * when the relationship has none. A caveated subject is in the set only where the
     * caveat holds.
     */
    record DirectSubject(SubjectRef subject, Caveat caveat, Instant expiresAt) {
        public DirectSubject {
            Objects.requireNonNull(subject, "subject");
        }

        public static DirectSubject of(SubjectRef subject) {
            return new DirectSubject(subject, null, null);
        }

        /** The subject of {@code relationship}, with its caveat and expiration. */
        public static DirectSubject of(Relationship relationship) {
            return new DirectSubject(relationship.subject(), relationship.caveat(), relationship.expiresAt());
        }
    }

    /** The operation of an operation node. */
    enum Kind {
        UNION,
        INTERSECTION,
        EXCLUSION
    }
}
