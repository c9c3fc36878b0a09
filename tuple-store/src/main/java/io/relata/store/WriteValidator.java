package io.relata.store;

import java.util.Optional;

/**
 * A check a write must pass against the tenant's state as the write finds it. The store
 * calls it as part of the write, before the write changes anything; whatever it
 * throws aborts the write, which then has written nothing, and reaches the caller
 * unchanged. What it sees holds at the revision the write commits at: {@link Context#head()}
 * and {@link Context#findAny} answer under the tenant's write lock, after no other write can
 * commit before this one; {@link Context#schema()} may answer before the lock is granted
 * (the PostgreSQL store gives the schema it last saw in effect and has the database confirm
 * it under the lock, running the write again when it changed), so a check may be called more
 * than once for one write, and need not run in the order writes commit. So a check and the
 * commit it allows see the same revision: a relationship write
 * validated against the schema in effect cannot commit under a schema that changed in
 * between, and a schema change that found no relationship it would orphan cannot race one
 * being written.
 *
 * <p>The store knows nothing of what a schema means; the validator does, and asks the store
 * only for the schema text in effect and for relationships of a given shape.
 */
@FunctionalInterface
public interface WriteValidator {

    /** Accepts every write. */
    WriteValidator NONE = context -> {};

    /**
     * Checks the write; throws to refuse it.
     *
     * @throws RuntimeException whatever refuses the write; the store rethrows it as it is
     */
    void validate(Context context);

    /**
     * The tenant as the write finds it, valid only during {@link #validate}: its head
     * revision, which no other write can move until this one ends, the schema in effect, and
     * its live relationships.
     */
    interface Context {

        /** The newest committed revision; the write commits at the one after it. */
        Revision head();

        /** The schema in effect at {@link #head()} (for a schema write, the one it replaces), if any. */
        Optional<SchemaVersion> schema();

        /**
         * One live (not deleted, not expired) relationship of {@code shape} at {@link #head()},
         * if there is one: a single bounded lookup, never a scan into memory.
         */
        Optional<Relationship> findAny(RelationshipShape shape);
    }
}
