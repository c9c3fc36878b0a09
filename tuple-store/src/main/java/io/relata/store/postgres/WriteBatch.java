package io.relata.store.postgres;

import io.relata.store.Json;
import io.relata.store.ObjectRef;
import io.relata.store.Relationship;
import io.relata.store.RelationshipUpdate;
import io.relata.store.SubjectRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statements of a group's relationship writes, sent to PostgreSQL together: first the
 * start of the transaction ({@link #begin}: the function {@code relata_begin_write} takes the
 * tenant's next revision, records it and returns it with the schema revision in effect), then
 * each write's statements (end the replaced versions, remove the versions created at this
 * revision, insert the new ones, per resource type), and {@link #flush} sends everything
 * added since the last flush as one multi-statement query, one network round trip, run in
 * order (each statement sees the ones before it, as if sent one by one). Should one fail,
 * PostgreSQL skips the rest and the transaction is aborted. The last flush of a group may
 * carry the {@code COMMIT} too, so a group can be one round trip: begin, writes, commit.
 *
 * <p>The statements do not need the revision from the JVM: they read it from the tenant's
 * {@code tenant_revisions} row, which this transaction has incremented and holds locked
 * ({@link #REVISION}), so they can be sent before the revision is known.
 */
final class WriteBatch {

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

    /**
     * The transaction's revision, as the statements read it (parameter: tenant): the tenant's
     * row, which {@code relata_begin_write} incremented in this transaction and which stays
     * locked until it ends. An uncorrelated subquery, so PostgreSQL evaluates it once per
     * statement.
     */
    static final String REVISION = "(SELECT revision FROM tenant_revisions WHERE tenant_id = ?)";

    /** Ends live versions of earlier revisions: parameters tenant, keys, tenant, type, now, tenant. */
    private static final String END_VERSIONS = "UPDATE relation_tuples AS t SET deleted_rev = " + REVISION + " FROM "
            + KEYS + LIVE_MATCH + " AND t.created_rev < " + REVISION;

    /** Removes live versions created at this revision (never visible): keys, tenant, type, now, tenant. */
    private static final String REMOVE_NEW_VERSIONS = "DELETE FROM relation_tuples AS t USING " + KEYS
            + LIVE_MATCH + " AND t.created_rev = " + REVISION;

    /**
     * The start of the transaction (V5 migration): parameters tenant, commit time, metadata,
     * the schema revision the writes were validated against or null.
     */
    private static final String BEGIN = "SELECT revision, schema_revision FROM relata_begin_write(?, ?, ?::jsonb, ?)";

    /** SQL state raised by {@code relata_begin_write} when the schema in effect is not the one expected. */
    static final String SCHEMA_CHANGED = "RL001";

    /** SQL state raised by {@code relata_begin_write} when the tenant has no revision row. */
    static final String NO_TENANT = "RL002";

    private static final String INSERT_VERSIONS = """
            INSERT INTO relation_tuples (tenant_id, resource_type, resource_id, relation, subject_type, subject_id,
                subject_relation, caveat_name, caveat_context, expires_at, created_rev)
            SELECT ?, k.resource_type, k.resource_id, k.relation, k.subject_type, k.subject_id, k.subject_relation,
                k.caveat_name, k.caveat_context::jsonb, k.expires_at::timestamptz,
                (SELECT revision FROM tenant_revisions WHERE tenant_id = ?)
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                ?::text[])
                AS k(resource_type, resource_id, relation, subject_type, subject_id, subject_relation, caveat_name,
                     caveat_context, expires_at)
            ON CONFLICT (tenant_id, resource_type, resource_id, relation, subject_type, subject_id, subject_relation,
                deleted_rev) DO NOTHING
            RETURNING resource_type, resource_id, relation, subject_type, subject_id, subject_relation
            """;

    private final long tenantId;
    private final OffsetDateTime now;
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> parameters = new ArrayList<>();
    /** What the merged writes wait with (see {@link #add}): versions to end per type, rows to insert. */
    private final Map<String, List<RelationshipUpdate>> endingByType = new LinkedHashMap<>();
    private final List<String[]> inserting = new ArrayList<>();
    private boolean beginPending;
    private long revision = -1;
    private long schemaRevision = -1;

    WriteBatch(long tenantId, Instant now) {
        this.tenantId = tenantId;
        this.now = PostgresWrites.timestamp(now);
    }

    /**
     * Adds the start of the transaction, to go first in the next flush. With {@code expectedSchema}
     * (a schema revision, -1 for none), PostgreSQL refuses to go on when another schema is in
     * effect: the flush throws {@link SchemaChanged} and nothing is written.
     */
    void begin(Map<String, Object> metadata, Long expectedSchema) {
        if (!isEmpty() || revision >= 0) {
            throw new IllegalStateException("the transaction has begun");
        }
        statement(BEGIN);
        parameters.add(tenantId);
        parameters.add(now);
        parameters.add(metadata == null || metadata.isEmpty() ? null : Json.write(metadata));
        parameters.add(expectedSchema);
        beginPending = true;
    }

    /** Whether the start of the transaction has been sent and its revision is known. */
    boolean begun() {
        return revision >= 0;
    }

    /** The transaction's revision, known once the start has been flushed. */
    long revision() {
        if (revision < 0) {
            throw new IllegalStateException("the transaction's revision is not known before its start is sent");
        }
        return revision;
    }

    /** The revision of the schema in effect (-1 for none), known once the start has been flushed. */
    long schemaRevision() {
        revision();
        return schemaRevision;
    }

    boolean isEmpty() {
        return sql.length() == 0 && endingByType.isEmpty() && inserting.isEmpty();
    }

    /** Thrown by a flush whose start found another schema in effect than the one expected. */
    static final class SchemaChanged extends RuntimeException {
        SchemaChanged(SQLException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /**
     * Adds the statements of {@code write}. {@code createdHere} holds the relationships whose
     * live version was created at this revision by an earlier write of the group: their
     * versions are removed rather than ended.
     *
     * <p>Writes are merged: the versions they end and the rows they insert wait, per resource
     * type, and go as one {@code UPDATE} per type and one {@code INSERT} for all the writes
     * added since the last such statements, instead of two statements a write (PostgreSQL plans
     * every statement, and planning is most of a small statement's cost). The result is the
     * same as one write after another: merged writes share no relationship (a write that names
     * one an earlier write of the group created here first sends what waits, so that its
     * removal follows that insert), and ending a version only touches versions of earlier
     * revisions, never one inserted at this revision.
     */
    void add(List<RelationshipUpdate> updates, Set<Relationship> createdHere) {
        List<String[]> rows = new ArrayList<>();
        boolean namesNew = false;
        for (RelationshipUpdate u : updates) {
            if (u.operation() != RelationshipUpdate.Operation.DELETE) {
                // Encoded first: a value that cannot be encoded leaves nothing of the write behind.
                rows.add(row(u.relationship()));
            }
            namesNew |= createdHere.contains(u.relationship().key());
        }
        if (namesNew) {
            sendMerged();
        }
        Map<String, List<RelationshipUpdate>> newer = new LinkedHashMap<>();
        for (RelationshipUpdate u : updates) {
            String type = u.relationship().resource().type();
            (createdHere.contains(u.relationship().key()) ? newer : endingByType)
                    .computeIfAbsent(type, t -> new ArrayList<>()).add(u);
        }
        for (Map.Entry<String, List<RelationshipUpdate>> e : newer.entrySet()) {
            endVersions(false, e.getKey(), e.getValue());
        }
        inserting.addAll(rows);
    }

    /** Turns what the merged writes wait with into statements: their ends per type, then their inserts. */
    private void sendMerged() {
        for (Map.Entry<String, List<RelationshipUpdate>> e : endingByType.entrySet()) {
            endVersions(true, e.getKey(), e.getValue());
        }
        endingByType.clear();
        insertVersions(inserting);
        inserting.clear();
    }

    private void endVersions(boolean end, String type, List<RelationshipUpdate> updates) {
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
        statement(end ? END_VERSIONS : REMOVE_NEW_VERSIONS);
        if (end) {
            parameters.add(tenantId);
        }
        for (String[] column : k) {
            parameters.add(column);
        }
        parameters.add(onlyExpired);
        parameters.add(tenantId);
        parameters.add(type);
        parameters.add(now);
        parameters.add(tenantId);
    }

    private static String[] row(Relationship r) {
        return new String[] {r.resource().type(), r.resource().id(), r.relation(), r.subject().type(), r.subject().id(),
            r.subject().relationOrEmpty(), r.caveat() == null ? null : r.caveat().name(),
            r.caveat() == null || r.caveat().context().isEmpty() ? null : Json.write(r.caveat().context()),
            r.expiresAt() == null ? null : r.expiresAt().toString()};
    }

    private void insertVersions(List<String[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int n = rows.size();
        String[][] columns = new String[9][n];
        for (int i = 0; i < n; i++) {
            String[] row = rows.get(i);
            for (int c = 0; c < 9; c++) {
                columns[c][i] = row[c];
            }
        }
        statement(INSERT_VERSIONS);
        parameters.add(tenantId);
        parameters.add(tenantId);
        for (String[] column : columns) {
            parameters.add(column);
        }
    }

    private void statement(String text) {
        if (sql.length() > 0) {
            sql.append(";\n");
        }
        sql.append(text);
    }

    /**
     * Sends the statements added since the last flush (and then {@code COMMIT} when
     * {@code commit}), in one round trip, and returns the relationships their inserts inserted
     * (a live version already there blocks one). When the start of the transaction was among
     * them, the revision and the schema revision are known afterwards.
     *
     * @throws SchemaChanged when the start found another schema in effect than expected
     * @throws io.relata.store.TenantNotFoundException when the tenant has no revision row
     */
    Set<Relationship> flush(Connection c, boolean commit) throws SQLException {
        Set<Relationship> inserted = new HashSet<>();
        if (isEmpty()) {
            if (commit) {
                c.commit();
            }
            return inserted;
        }
        sendMerged();
        String text = commit ? sql + ";\nCOMMIT" : sql.toString();
        List<Object> values = new ArrayList<>(parameters);
        boolean beginning = beginPending;
        sql.setLength(0);
        parameters.clear();
        beginPending = false;
        try {
            execute(c, text, values, beginning, inserted);
        } catch (SQLException e) {
            if (SCHEMA_CHANGED.equals(e.getSQLState())) {
                throw new SchemaChanged(e);
            }
            if (NO_TENANT.equals(e.getSQLState())) {
                throw new io.relata.store.TenantNotFoundException("tenant " + tenantId + " has no revision row");
            }
            throw e;
        }
        return inserted;
    }

    private void execute(Connection c, String text, List<Object> values, boolean beginning, Set<Relationship> inserted)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(text)) {
            int p = 1;
            for (Object v : values) {
                if (v instanceof Long l) {
                    s.setLong(p++, l);
                } else if (v instanceof String str) {
                    s.setString(p++, str);
                } else if (v instanceof String[] column) {
                    s.setArray(p++, c.createArrayOf("text", column));
                } else if (v instanceof Boolean[] flags) {
                    s.setArray(p++, c.createArrayOf("boolean", flags));
                } else {
                    s.setObject(p++, v);
                }
            }
            boolean results = s.execute();
            while (true) {
                if (results && beginning) {
                    try (ResultSet r = s.getResultSet()) {
                        r.next();
                        revision = r.getLong(1);
                        schemaRevision = r.getLong(2);
                    }
                    beginning = false;
                } else if (results) {
                    try (ResultSet r = s.getResultSet()) {
                        while (r.next()) {
                            inserted.add(new Relationship(new ObjectRef(r.getString(1), r.getString(2)), r.getString(3),
                                    new SubjectRef(r.getString(4), r.getString(5), r.getString(6)), null, null));
                        }
                    }
                } else if (s.getUpdateCount() == -1) {
                    break;
                }
                results = s.getMoreResults();
            }
        }
    }
}
