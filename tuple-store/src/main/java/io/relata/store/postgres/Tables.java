package io.relata.store.postgres;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.table;

import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.SQLDataType;

/**
 * The tables of {@code db/relata/V1__relation_tuples.sql}, written by hand for jOOQ.
 *
 * <p>Why by hand and not generated: there are five small tables, the build then needs no
 * database and no code generation step whose DDL parser would have to be told to skip the
 * partitioning statements, and {@code PostgresTablesTest} checks these definitions against
 * the migrated database, so they cannot drift unnoticed.
 */
final class Tables {

    private Tables() {}

    /** deleted_rev of a live row. */
    static final long LIVE = Long.MAX_VALUE;

    static final Table<Record> TENANTS = table(name("tenants"));
    static final Field<Long> TENANT_ID_COL = field(name("id"), SQLDataType.BIGINT);
    static final Field<String> TENANT_NAME = field(name("name"), SQLDataType.CLOB);

    static final Table<Record> TENANT_REVISIONS = table(name("tenant_revisions"));
    static final Field<Long> REVISION = field(name("revision"), SQLDataType.BIGINT);
    static final Field<Long> GC_HORIZON = field(name("gc_horizon"), SQLDataType.BIGINT);

    static final Table<Record> REVISIONS = table(name("revisions"));
    static final Field<OffsetDateTime> COMMITTED_AT = field(name("committed_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<Boolean> SCHEMA_CHANGED = field(name("schema_changed"), SQLDataType.BOOLEAN);
    static final Field<JSONB> METADATA = field(name("metadata"), SQLDataType.JSONB);

    static final Table<Record> SCHEMAS = table(name("schemas"));
    static final Field<String> SCHEMA_TEXT = field(name("schema_text"), SQLDataType.CLOB);

    static final Table<Record> RELATION_TUPLES = table(name("relation_tuples"));
    static final Field<Long> TENANT_ID = field(name("tenant_id"), SQLDataType.BIGINT);
    static final Field<String> RESOURCE_TYPE = field(name("resource_type"), SQLDataType.CLOB);
    static final Field<String> RESOURCE_ID = field(name("resource_id"), SQLDataType.CLOB);
    static final Field<String> RELATION = field(name("relation"), SQLDataType.CLOB);
    static final Field<String> SUBJECT_TYPE = field(name("subject_type"), SQLDataType.CLOB);
    static final Field<String> SUBJECT_ID = field(name("subject_id"), SQLDataType.CLOB);
    static final Field<String> SUBJECT_RELATION = field(name("subject_relation"), SQLDataType.CLOB);
    static final Field<String> CAVEAT_NAME = field(name("caveat_name"), SQLDataType.CLOB);
    static final Field<JSONB> CAVEAT_CONTEXT = field(name("caveat_context"), SQLDataType.JSONB);
    static final Field<OffsetDateTime> EXPIRES_AT = field(name("expires_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    static final Field<Long> CREATED_REV = field(name("created_rev"), SQLDataType.BIGINT);
    static final Field<Long> DELETED_REV = field(name("deleted_rev"), SQLDataType.BIGINT);

    /** The columns a relationship is read from, in {@code Rows.relationship} order. */
    static final Field<?>[] RELATIONSHIP_COLUMNS = {
        RESOURCE_TYPE, RESOURCE_ID, RELATION, SUBJECT_TYPE, SUBJECT_ID, SUBJECT_RELATION, CAVEAT_NAME, CAVEAT_CONTEXT,
        EXPIRES_AT
    };

    /** The identity of a relationship version, which is also the read order. */
    static final Field<?>[] KEY_COLUMNS = {RESOURCE_TYPE, RESOURCE_ID, RELATION, SUBJECT_TYPE, SUBJECT_ID, SUBJECT_RELATION};

    /** Every column of every table, as declared here (checked against the database by a test). */
    static final java.util.Map<String, java.util.List<Field<?>>> COLUMNS = java.util.Map.of(
            "tenants", java.util.List.of(TENANT_ID_COL, TENANT_NAME, field(name("created_at"), SQLDataType.TIMESTAMPWITHTIMEZONE)),
            "tenant_revisions", java.util.List.of(TENANT_ID, REVISION, GC_HORIZON),
            "revisions", java.util.List.of(TENANT_ID, REVISION, COMMITTED_AT, SCHEMA_CHANGED, METADATA),
            "schemas", java.util.List.of(TENANT_ID, REVISION, SCHEMA_TEXT),
            "api_keys", java.util.List.of(TENANT_ID, PostgresApiKeys.KEY_ID, PostgresApiKeys.KEY_HASH, PostgresApiKeys.LABEL,
                    field(name("created_at"), SQLDataType.TIMESTAMPWITHTIMEZONE), PostgresApiKeys.REVOKED_AT,
                    PostgresApiKeys.SCOPES, PostgresApiKeys.RESOURCE_TYPES),
            "relation_tuples", java.util.List.of(TENANT_ID, RESOURCE_TYPE, RESOURCE_ID, RELATION, SUBJECT_TYPE, SUBJECT_ID,
                    SUBJECT_RELATION, CAVEAT_NAME, CAVEAT_CONTEXT, EXPIRES_AT, CREATED_REV, DELETED_REV));
}
