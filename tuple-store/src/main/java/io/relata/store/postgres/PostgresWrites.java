package io.relata.store.postgres;

import io.relata.store.Json;
import io.relata.store.ObjectRef;
import io.relata.store.Precondition;
import io.relata.store.Relationship;
import io.relata.store.RelationshipShape;
import io.relata.store.RelationshipUpdate;
import io.relata.store.Revision;
import io.relata.store.SchemaVersion;
import io.relata.store.StoreOptions;
import io.relata.store.StoreSupport;
import io.relata.store.SubjectRef;
import io.relata.store.WriteValidator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
 * <p><b>Statements.</b> A write of one resource type is two statements ({@code UPDATE} over
 * {@code unnest} and {@code INSERT ... RETURNING}); each names its resource type, so
 * PostgreSQL plans them on one partition of {@code relation_tuples} instead of all. A group
 * adds three: the revision, the schema in effect (read once, when a validator asks), the
 * revision record; then one commit. Plain JDBC, prepared once per connection by the driver.
 */
final class PostgresWrites implements GroupCommit.Committer {

    private final DataSource dataSource;
    private final StoreOptions options;

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

    @Override
    public void commit(long tenantId, List<GroupCommit.Pending> group) {
        try {
            try {
                attempt(tenantId, group, false);
            } catch (Aborted a) {
                attempt(tenantId, group, true);
            }
        } catch (DataAccessException e) {
            throw PostgresTupleStore.translate(e);
        }
    }

    private void attempt(long tenantId, List<GroupCommit.Pending> group, boolean savepointEach) {
        Map<GroupCommit.Pending, RuntimeException> failed = new LinkedHashMap<>();
        long revision;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Instant now = options.clock().instant();
                revision = nextRevision(c, tenantId);
                GroupContext context = new GroupContext(c, tenantId, Revision.of(revision - 1), now);
                Set<Relationship> createdHere = new HashSet<>();
                boolean several = group.size() > 1;
                for (GroupCommit.Pending write : group) {
                    Savepoint savepoint = several && (savepointEach || hasCreate(write)) ? c.setSavepoint() : null;
                    try {
                        apply(c, tenantId, revision, now, write, context, createdHere);
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
                    } catch (RuntimeException e) {
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
                    try {
                        recordRevision(c, tenantId, revision, now, group.get(0).metadata);
                    } catch (SQLException e) {
                        if (group.size() > 1 && !savepointEach) {
                            throw new Aborted(e);
                        }
                        throw e;
                    }
                    c.commit();
                }
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
     * One write inside the group's transaction. {@code createdHere} holds the relationships
     * whose live version was created at this revision by an earlier write of the group; it
     * changes only when the write succeeds.
     */
    private static void apply(Connection c, long tenantId, long revision, Instant now, GroupCommit.Pending write,
            GroupContext context, Set<Relationship> createdHere) throws SQLException {
        write.validator.validate(context);
        checkPreconditions(c, tenantId, write.preconditions, now);
        Map<String, List<RelationshipUpdate>> byType = new LinkedHashMap<>();
        List<Relationship> inserting = new ArrayList<>();
        for (RelationshipUpdate u : write.updates) {
            byType.computeIfAbsent(u.relationship().resource().type(), t -> new ArrayList<>()).add(u);
            if (u.operation() != RelationshipUpdate.Operation.DELETE) {
                inserting.add(u.relationship());
            }
        }
        for (Map.Entry<String, List<RelationshipUpdate>> e : byType.entrySet()) {
            List<RelationshipUpdate> older = new ArrayList<>();
            List<RelationshipUpdate> newer = new ArrayList<>();
            for (RelationshipUpdate u : e.getValue()) {
                (createdHere.contains(u.relationship().key()) ? newer : older).add(u);
            }
            endVersions(c, END_VERSIONS, tenantId, e.getKey(), revision, older, now);
            endVersions(c, REMOVE_NEW_VERSIONS, tenantId, e.getKey(), revision, newer, now);
        }
        Set<Relationship> inserted = insertVersions(c, tenantId, revision, inserting);
        for (RelationshipUpdate u : write.updates) {
            if (u.operation() == RelationshipUpdate.Operation.CREATE && !inserted.contains(u.relationship().key())) {
                throw StoreSupport.alreadyExists(u.relationship().key());
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

    /** Takes the tenant's next revision; the row stays locked until the transaction ends. */
    private static long nextRevision(Connection c, long tenantId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "UPDATE tenant_revisions SET revision = revision + 1 WHERE tenant_id = ? RETURNING revision")) {
            s.setLong(1, tenantId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    throw new io.relata.store.TenantNotFoundException("tenant " + tenantId + " has no revision row");
                }
                return r.getLong(1);
            }
        }
    }

    private static void recordRevision(Connection c, long tenantId, long revision, Instant now,
            Map<String, Object> metadata) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO revisions (tenant_id, revision, committed_at,"
                + " schema_changed, metadata) VALUES (?, ?, ?, false, ?::jsonb)")) {
            s.setLong(1, tenantId);
            s.setLong(2, revision);
            s.setObject(3, timestamp(now));
            s.setString(4, metadata == null || metadata.isEmpty() ? null : Json.write(metadata));
            s.executeUpdate();
        }
    }

    private static final String LIVE_MATCH = """
            WHERE t.tenant_id = ? AND t.resource_type = ?
              AND t.resource_id = k.resource_id AND t.relation = k.relation
              AND t.subject_type = k.subject_type AND t.subject_id = k.subject_id
              AND t.subject_relation = k.subject_relation
              AND t.deleted_rev = 9223372036854775807
              AND (NOT k.only_expired OR t.expires_at <= ?)
            """;

    private static final String KEYS = """
            unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[])
                AS k(resource_id, relation, subject_type, subject_id, subject_relation, only_expired)
            """;

    /** Ends live versions of earlier revisions: parameters revision, keys, tenant, type, now. */
    private static final String END_VERSIONS = "UPDATE relation_tuples AS t SET deleted_rev = ? FROM " + KEYS
            + LIVE_MATCH + " AND t.created_rev < ?";

    /** Removes live versions created at this revision (never visible): same parameters. */
    private static final String REMOVE_NEW_VERSIONS = "DELETE FROM relation_tuples AS t USING " + KEYS
            + LIVE_MATCH + " AND t.created_rev = ?";

    /**
     * Ends (or removes) the live versions of the relationships of {@code updates}, all of
     * resource type {@code type}; for a CREATE, only an expired one.
     */
    private static void endVersions(Connection c, String sql, long tenantId, String type, long revision,
            List<RelationshipUpdate> updates, Instant now) throws SQLException {
        if (updates.isEmpty()) {
            return;
        }
        int n = updates.size();
        String[][] k = new String[5][n];
        Boolean[] onlyExpired = new Boolean[n];
        for (int i = 0; i < n; i++) {
            Relationship r = updates.get(i).relationship();
            k[0][i] = r.resource().id();
            k[1][i] = r.relation();
            k[2][i] = r.subject().type();
            k[3][i] = r.subject().id();
            k[4][i] = r.subject().relationOrEmpty();
            onlyExpired[i] = updates.get(i).operation() == RelationshipUpdate.Operation.CREATE;
        }
        boolean ends = sql == END_VERSIONS;
        try (PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            if (ends) {
                s.setLong(p++, revision);
            }
            for (String[] column : k) {
                s.setArray(p++, c.createArrayOf("text", column));
            }
            s.setArray(p++, c.createArrayOf("boolean", onlyExpired));
            s.setLong(p++, tenantId);
            s.setString(p++, type);
            s.setObject(p++, timestamp(now));
            s.setLong(p, revision);
            s.executeUpdate();
        }
    }

    private static final String INSERT_VERSIONS = """
            INSERT INTO relation_tuples (tenant_id, resource_type, resource_id, relation, subject_type, subject_id,
                subject_relation, caveat_name, caveat_context, expires_at, created_rev)
            SELECT ?, k.resource_type, k.resource_id, k.relation, k.subject_type, k.subject_id, k.subject_relation,
                k.caveat_name, k.caveat_context::jsonb, k.expires_at::timestamptz, ?
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[])
                AS k(resource_type, resource_id, relation, subject_type, subject_id, subject_relation, caveat_name,
                     caveat_context, expires_at)
            ON CONFLICT (tenant_id, resource_type, resource_id, relation, subject_type, subject_id, subject_relation,
                deleted_rev) DO NOTHING
            RETURNING resource_type, resource_id, relation, subject_type, subject_id, subject_relation
            """;

    /** Inserts live versions; returns the keys inserted (a live version already there blocks one). */
    private static Set<Relationship> insertVersions(Connection c, long tenantId, long revision, List<Relationship> rows)
            throws SQLException {
        if (rows.isEmpty()) {
            return Set.of();
        }
        int n = rows.size();
        String[][] columns = new String[9][n];
        for (int i = 0; i < n; i++) {
            Relationship r = rows.get(i);
            columns[0][i] = r.resource().type();
            columns[1][i] = r.resource().id();
            columns[2][i] = r.relation();
            columns[3][i] = r.subject().type();
            columns[4][i] = r.subject().id();
            columns[5][i] = r.subject().relationOrEmpty();
            columns[6][i] = r.caveat() == null ? null : r.caveat().name();
            columns[7][i] = r.caveat() == null || r.caveat().context().isEmpty() ? null : Json.write(r.caveat().context());
            columns[8][i] = r.expiresAt() == null ? null : r.expiresAt().toString();
        }
        Set<Relationship> inserted = new HashSet<>();
        try (PreparedStatement s = c.prepareStatement(INSERT_VERSIONS)) {
            s.setLong(1, tenantId);
            s.setLong(2, revision);
            for (int i = 0; i < columns.length; i++) {
                s.setArray(3 + i, c.createArrayOf("text", columns[i]));
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    inserted.add(new Relationship(new ObjectRef(r.getString(1), r.getString(2)), r.getString(3),
                            new SubjectRef(r.getString(4), r.getString(5), r.getString(6)), null, null));
                }
            }
        }
        return inserted;
    }

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
     * What the validators of a group see: the transaction that holds the tenant's revision
     * row, so what they find is what the group commits on; each validator also sees the
     * writes before it in the group. The schema is read once per group: no schema write can
     * commit while the group holds the row.
     */
    private static final class GroupContext implements WriteValidator.Context {

        private final Connection connection;
        private final long tenantId;
        private final Revision head;
        private final Instant now;
        private Optional<SchemaVersion> schema;

        GroupContext(Connection connection, long tenantId, Revision head, Instant now) {
            this.connection = connection;
            this.tenantId = tenantId;
            this.head = head;
            this.now = now;
        }

        @Override
        public Revision head() {
            return head;
        }

        @Override
        public Optional<SchemaVersion> schema() {
            if (schema == null) {
                // Read once for the group: every write of it commits at the same head.
                schema = PostgresTupleStore.schemaAt(DSL.using(connection, SQLDialect.POSTGRES, SETTINGS), tenantId,
                        head);
            }
            return schema;
        }

        @Override
        public Optional<Relationship> findAny(RelationshipShape shape) {
            return PostgresTupleStore.findAnyQuery(DSL.using(connection, SQLDialect.POSTGRES, SETTINGS), tenantId, shape,
                    now).fetchOptional(PostgresTupleStore::relationship);
        }
    }

}
