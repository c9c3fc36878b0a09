package io.relata.store.postgres;

import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipShape;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.StoreOptions;
import io.relata.store.StoreSupport;
import io.relata.store.WriteValidator;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * Relationship writes in PostgreSQL, committed in groups ({@link GroupCommit}): one
 * transaction takes the tenant's next revision (and so its row lock in
 * {@code tenant_revisions}), applies the group's writes one after another in queue order,
 * records the revision once and commits once. Every write of the group gets that revision.
 *
 * <p><b>Each write on its own.</b> A write runs its validator and checks its preconditions
 * against what the writes before it in the group left, then ends the replaced versions and
 * inserts the new ones. A write that fails is rolled back alone (to a savepoint taken before
 * it) and answered with its own error; the others commit. A savepoint costs a round trip, so
 * one is taken only where a failure can come after the write changed something: before a
 * write with a CREATE (which fails when the relationship exists) in a group of several.
 * Should any other statement fail (the transaction is then aborted), the group is run again
 * from the start with a savepoint before every write. A group of one needs none: its
 * failure rolls back the transaction.
 *
 * <p><b>Versions within one revision.</b> When a later write of the group ends a version an
 * earlier one created at this same revision, that version is removed instead of ended: it
 * was never visible at any revision, and two ended versions of one relationship at one
 * revision would collide in the unique index. So the change log shows each relationship's
 * net change at the revision (a TOUCH then a DELETE of the same relationship reads as its
 * DELETE).
 *
 * <p><b>Round trips.</b> The writes of a group become, per resource type, one {@code UPDATE}
 * over {@code unnest} ending the versions they replace and, for all types, one {@code INSERT
 * ... RETURNING} (merged across writes, see {@link WriteBatch#add}); each {@code UPDATE} names
 * its resource type, so PostgreSQL plans it on one partition of {@code relation_tuples}
 * instead of all. The statements are not sent one by one but gathered in a
 * {@link WriteBatch} behind the start of the transaction ({@code relata_begin_write}: take the
 * revision, record it, read the schema revision in effect) and sent together, with the
 * {@code COMMIT}, in one multi-statement query (earlier when a precondition, a validator's
 * lookup or its {@code head()} must see them). So
 * a group of writes without a CREATE or precondition costs one round trip, whatever its size,
 * and holds the tenant's row lock only while PostgreSQL runs it and makes the commit durable,
 * not across a round trip to this JVM. A write with a CREATE reads back what it inserted, so
 * it is sent at once (behind a savepoint in a group of several). Plain JDBC, prepared once per
 * connection by the driver.
 *
 * <p><b>The schema a write is validated against.</b> To go in one round trip, the validators
 * run before the lock is granted, against the schema this server last found in effect for the
 * tenant ({@link SchemaCache}); the start of the transaction names that schema's revision, and
 * PostgreSQL, once it holds the lock (which schema writes take too), checks it is still the
 * one in effect, or refuses with SQL state {@code RL001} before anything else of the query
 * runs, {@code COMMIT} included. The group then runs again the way it does when no schema is
 * cached: the start is sent on its own first, and the validators see the schema it read under
 * the lock. A write refused by a validator before PostgreSQL confirmed the cached schema runs
 * again that way too, so no write is refused by a schema no longer in effect. Either way a
 * write commits only at a revision whose schema its validator accepted. A validator may
 * therefore be called more than once for one write.
 */
final class PostgresWrites implements GroupCommit.Committer {

    private final DataSource dataSource;
    private final StoreOptions options;
    private final SchemaCache schemas = new SchemaCache();

    PostgresWrites(DataSource dataSource, StoreOptions options) {
        this.dataSource = dataSource;
        this.options = options;
    }

    /** Thrown inside a group when the transaction is aborted and the group must run again with savepoints. */
    private static final class Aborted extends RuntimeException {
        Aborted(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Thrown inside a group validated against the cached schema when a write failed before
     * PostgreSQL confirmed that schema is in effect: the group runs again against the schema
     * read under the lock, so that no write is refused by a schema no longer in effect.
     */
    private static final class Unconfirmed extends RuntimeException {
        Unconfirmed(Throwable cause) {
            super(cause);
        }
    }

    /**
     * Commits the group, trying first against the schema this server last saw for the tenant
     * (one round trip when nothing needs to be read back); should another schema be in effect
     * under the lock, or a write fail before that was confirmed, it runs again against the
     * schema read under the lock. Should a statement fail in a group of several, it runs again
     * with a savepoint before every write. So at most three runs, each flag turning once.
     */
    @Override
    public void commit(long tenantId, List<GroupCommit.Pending> group, Runnable committing) {
        boolean cached = true;
        boolean savepointEach = false;
        try {
            while (true) {
                try {
                    attempt(tenantId, group, savepointEach, cached, committing);
                    return;
                } catch (WriteBatch.SchemaChanged | Unconfirmed e) {
                    if (!cached) {
                        throw new IllegalStateException("the schema in effect changed under the tenant's lock", e);
                    }
                    cached = false;
                } catch (Aborted a) {
                    if (savepointEach) {
                        throw a.getCause() instanceof RuntimeException r ? r
                                : PostgresTupleStore.translate(new DataAccessException(a.getMessage(), a.getCause()));
                    }
                    savepointEach = true;
                }
            }
        } catch (DataAccessException e) {
            throw PostgresTupleStore.translate(e);
        }
    }

    /**
     * One run of the group. With {@code cached} (and a schema this server has seen for the
     * tenant), the validators see that schema and the start of the transaction, sent with the
     * first statements, makes PostgreSQL check it is still in effect once the lock is granted;
     * without, the start is sent first, on its own, and the validators see the schema it reads.
     */
    private void attempt(long tenantId, List<GroupCommit.Pending> group, boolean savepointEach, boolean cached,
            Runnable committing) {
        Map<GroupCommit.Pending, RuntimeException> failed = new LinkedHashMap<>();
        long revision;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Instant now = options.clock().instant();
                WriteBatch batch = new WriteBatch(tenantId, now);
                SchemaVersion expected = cached ? schemas.newest(tenantId) : null;
                batch.begin(group.get(0).metadata, expected == null ? null : expected.revision().value());
                boolean several = group.size() > 1;
                if (expected == null) {
                    flush(batch, c, several);
                }
                GroupContext context = new GroupContext(c, tenantId, now, expected, schemas, batch, several);
                Set<Relationship> createdHere = new HashSet<>();
                for (GroupCommit.Pending write : group) {
                    // A write with a CREATE reads back what it inserted, so it runs at once; in a group
                    // of several, behind a savepoint, since it can fail after changing something.
                    boolean atOnce = savepointEach || hasCreate(write);
                    Savepoint savepoint = null;
                    if (several && atOnce) {
                        flush(batch, c, several);
                        savepoint = c.setSavepoint();
                    }
                    try {
                        apply(c, tenantId, now, write, context, batch, createdHere, atOnce);
                    } catch (SQLException | DataAccessException e) {
                        if (savepoint == null && several) {
                            throw new Aborted(e);
                        }
                        if (savepoint == null) {
                            throw e;
                        }
                        c.rollback(savepoint);
                        failed.put(write, e instanceof DataAccessException d ? PostgresTupleStore.translate(d)
                                : PostgresTupleStore.translate(new DataAccessException(e.getMessage(), e)));
                    } catch (Aborted | WriteBatch.SchemaChanged e) {
                        throw e;
                    } catch (RuntimeException e) {
                        if (!batch.begun()) {
                            // Refused by the cached schema, not yet known to be the one in effect.
                            throw new Unconfirmed(e);
                        }
                        // Thrown before the write added anything (validator, precondition) or, for a
                        // write that ran at once, after: then its savepoint undoes it.
                        if (savepoint != null) {
                            c.rollback(savepoint);
                        } else if (!several) {
                            throw e;
                        }
                        failed.put(write, e);
                    }
                }
                if (failed.size() == group.size()) {
                    c.rollback();
                } else {
                    committing.run();
                    commit(batch, c, several && !savepointEach);
                }
                revision = batch.begun() ? batch.revision() : -1;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw PostgresTupleStore.translate(new DataAccessException(e.getMessage(), e));
        }
        for (GroupCommit.Pending write : group) {
            RuntimeException error = failed.get(write);
            if (error == null) {
                write.result.complete(Revision.of(revision));
            } else {
                write.result.completeExceptionally(error);
            }
        }
    }

    /**
     * Sends the statements the writes added so far; in a group of several, a failure aborts
     * the transaction without telling whose write it was, so the group runs again with a
     * savepoint before every write.
     */
    private static void flush(WriteBatch batch, Connection c, boolean several) throws SQLException {
        try {
            batch.flush(c, false);
        } catch (SQLException e) {
            if (several) {
                throw new Aborted(e);
            }
            throw e;
        }
    }

    /**
     * Sends what is left and the {@code COMMIT} in one round trip. When a statement fails
     * (not the connection), PostgreSQL skips the {@code COMMIT}: nothing is committed, and
     * with {@code retry} the group runs again with a savepoint before every write.
     */
    private static void commit(WriteBatch batch, Connection c, boolean retry) throws SQLException {
        boolean commitOnly = batch.isEmpty();
        try {
            batch.flush(c, true);
        } catch (SQLException e) {
            String state = e.getSQLState();
            boolean connectionLost = state == null || state.startsWith("08") || c.isClosed();
            if (retry && !commitOnly && !connectionLost) {
                throw new Aborted(e);
            }
            throw e;
        }
    }

    private static boolean hasCreate(GroupCommit.Pending write) {
        for (RelationshipUpdate u : write.updates) {
            if (u.operation() == RelationshipUpdate.Operation.CREATE) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is broken; the pool discards it.
        }
    }

    /**
     * One write inside the group's transaction: its validator and preconditions, then its
     * statements, added to {@code batch} and sent with the next flush or, with {@code atOnce},
     * now. {@code createdHere} holds the relationships whose live version was created at this
     * revision by an earlier write of the group; it changes only when the write succeeds (a
     * batched write succeeds with its batch, or the group runs again).
     */
    private static void apply(Connection c, long tenantId, Instant now, GroupCommit.Pending write,
            GroupContext context, WriteBatch batch, Set<Relationship> createdHere, boolean atOnce) throws SQLException {
        write.validator.validate(context);
        if (!write.preconditions.isEmpty()) {
            flush(batch, c, context.several);
            checkPreconditions(c, tenantId, write.preconditions, now);
        }
        batch.add(write.updates, createdHere);
        Set<Relationship> inserted = new HashSet<>();
        if (atOnce) {
            inserted = batch.flush(c, false);
            for (RelationshipUpdate u : write.updates) {
                if (u.operation() == RelationshipUpdate.Operation.CREATE && !inserted.contains(u.relationship().key())) {
                    throw StoreSupport.alreadyExists(u.relationship().key());
                }
            }
        } else {
            // Without a CREATE every insert goes in: the live version it replaces was ended first.
            for (RelationshipUpdate u : write.updates) {
                if (u.operation() != RelationshipUpdate.Operation.DELETE) {
                    inserted.add(u.relationship().key());
                }
            }
        }
        for (RelationshipUpdate u : write.updates) {
            if (u.operation() == RelationshipUpdate.Operation.DELETE) {
                createdHere.remove(u.relationship().key());
            }
        }
        createdHere.addAll(inserted);
    }

    // ---- statements ----------------------------------------------------------------------------------

    /** Checks each precondition with one {@code EXISTS} query (jOOQ renders the filter). */
    static void checkPreconditions(DSLContext tx, long tenantId, List<Precondition> preconditions, Instant now) {
        for (Precondition p : preconditions) {
            boolean matched = tx.fetchExists(tx.selectOne().from(Tables.RELATION_TUPLES)
                    .where(Tables.TENANT_ID.eq(tenantId)).and(PostgresTupleStore.filter(p.filter()))
                    .and(Tables.DELETED_REV.eq(Tables.LIVE))
                    .and(Tables.EXPIRES_AT.isNull().or(Tables.EXPIRES_AT.gt(timestamp(now)))));
            if (matched != (p.kind() == Precondition.Kind.MUST_MATCH)) {
                throw StoreSupport.failed(p);
            }
        }
    }

    private static void checkPreconditions(Connection c, long tenantId, List<Precondition> preconditions, Instant now) {
        if (!preconditions.isEmpty()) {
            checkPreconditions(DSL.using(c, SQLDialect.POSTGRES, SETTINGS), tenantId, preconditions, now);
        }
    }

    private static final Settings SETTINGS = new Settings().withExecuteLogging(false);

    static OffsetDateTime timestamp(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * What the validators of a group see: the transaction that holds (or, until its start is
     * sent, will hold) the tenant's revision row, so what they find is what the group commits
     * on; each validator also sees the writes before it in the group (their statements are sent
     * before a lookup). The schema in effect is either the one this server last saw for the
     * tenant ({@code expected}), which the start of the transaction makes PostgreSQL confirm
     * under the lock, or the one whose revision the start read; its text comes from
     * {@code schemas} (a schema version never changes) or is read once. {@link #head} and
     * {@link #findAny} need the lock: they send what is pending first.
     */
    private static final class GroupContext implements WriteValidator.Context {

        private final Connection connection;
        private final long tenantId;
        private final Instant now;
        private final SchemaVersion expected;
        private final SchemaCache schemas;
        private final WriteBatch batch;
        final boolean several;

        GroupContext(Connection connection, long tenantId, Instant now, SchemaVersion expected, SchemaCache schemas,
                WriteBatch batch, boolean several) {
            this.connection = connection;
            this.tenantId = tenantId;
            this.now = now;
            this.expected = expected;
            this.schemas = schemas;
            this.batch = batch;
            this.several = several;
        }

        private void sendPending() {
            try {
                flush(batch, connection, several);
            } catch (SQLException e) {
                throw new DataAccessException(e.getMessage(), e);
            }
        }

        @Override
        public Revision head() {
            if (!batch.begun()) {
                sendPending();
            }
            return Revision.of(batch.revision() - 1);
        }

        @Override
        public Optional<SchemaVersion> schema() {
            if (expected != null) {
                return Optional.of(expected);
            }
            long schemaRevision = batch.schemaRevision();
            if (schemaRevision < 0) {
                return Optional.empty();
            }
            Revision head = Revision.of(batch.revision() - 1);
            return Optional.of(schemas.get(tenantId, schemaRevision, () -> PostgresTupleStore.schemaAt(
                    DSL.using(connection, SQLDialect.POSTGRES, SETTINGS), tenantId, head).orElseThrow()));
        }

        @Override
        public Optional<Relationship> findAny(RelationshipShape shape) {
            sendPending();
            return PostgresTupleStore.findAnyQuery(DSL.using(connection, SQLDialect.POSTGRES, SETTINGS), tenantId, shape,
                    now).fetchOptional(PostgresTupleStore::relationship);
        }
    }

}
