package io.relata.store;

import java.util.Objects;

/** One change of a write. */
public record RelationshipUpdate(Operation operation, Relationship relationship) {

    /** What the change does. */
    public enum Operation {
        /** Add the relationship; fails with {@link AlreadyExistsException} if it exists. */
        CREATE,
        /** Add the relationship, or replace its caveat and expiration if it exists. */
        TOUCH,
        /** Remove the relationship; nothing happens if it does not exist. */
        DELETE
    }

    public RelationshipUpdate {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(relationship, "relationship");
    }

    public static RelationshipUpdate create(Relationship r) {
        return new RelationshipUpdate(Operation.CREATE, r);
    }

    public static RelationshipUpdate touch(Relationship r) {
        return new RelationshipUpdate(Operation.TOUCH, r);
    }

    public static RelationshipUpdate delete(Relationship r) {
        return new RelationshipUpdate(Operation.DELETE, r);
    }

    @Override
    public String toString() {
        return operation + " " + relationship;
    }
}
