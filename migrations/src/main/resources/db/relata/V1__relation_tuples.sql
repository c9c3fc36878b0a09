-- Relata's storage in PostgreSQL.
--
-- ${partitions} is the number of hash partitions of relation_tuples. It is a Flyway
-- placeholder (default 16), fixed when this migration first runs.
--
-- Every primary key and unique index includes tenant_id, so that a distributed PostgreSQL
-- (Citus) can distribute the tables by tenant.

-- Tenants. Everything else refers to a tenant by its numeric id.
CREATE TABLE tenants (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The newest committed revision of each tenant, and the oldest one that can still be read.
-- Every write transaction begins with
--     UPDATE tenant_revisions SET revision = revision + 1 WHERE tenant_id = ? RETURNING revision
-- which locks this row until the transaction ends: writers of one tenant are serialized on
-- it, so revision order is commit order, and a reader that sees revision R committed also
-- sees every row written at R or before. (A plain sequence would not do: two writers can
-- draw 5 and 6 and commit 6 first, and a reader at 6 would then miss 5.)
CREATE TABLE tenant_revisions (
    tenant_id  bigint PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    revision   bigint NOT NULL DEFAULT 0,
    gc_horizon bigint NOT NULL DEFAULT 0
);

-- One row per committed revision: when it committed (quantized reads, the GC window, token
-- age) and the writer's transaction metadata (Watch).
CREATE TABLE revisions (
    tenant_id      bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    revision       bigint      NOT NULL,
    committed_at   timestamptz NOT NULL,
    schema_changed boolean     NOT NULL DEFAULT false,
    metadata       jsonb,
    PRIMARY KEY (tenant_id, revision)
);

-- Serves "the newest revision committed at or before time T" (minimizeLatency, GC cutoff).
CREATE INDEX revisions_committed_at_idx ON revisions (tenant_id, committed_at);

-- The schema text of each tenant, with the revision it took effect at. The primary key
-- serves "the schema in effect at revision R" (the newest row with revision <= R).
CREATE TABLE schemas (
    tenant_id   bigint NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    revision    bigint NOT NULL,
    schema_text text   NOT NULL,
    PRIMARY KEY (tenant_id, revision)
);

-- Relationships, every version of each: a row is visible at revision R when
-- created_rev <= R < deleted_rev (deleted_rev is the largest bigint while the row is live)
-- and it has not expired. An empty subject_relation means the subject is the object itself.
CREATE TABLE relation_tuples (
    tenant_id        bigint      NOT NULL,
    resource_type    text        NOT NULL,
    resource_id      text        NOT NULL,
    relation         text        NOT NULL,
    subject_type     text        NOT NULL,
    subject_id       text        NOT NULL,
    subject_relation text        NOT NULL DEFAULT '',
    caveat_name      text,
    caveat_context   jsonb,
    expires_at       timestamptz,
    created_rev      bigint      NOT NULL,
    deleted_rev      bigint      NOT NULL DEFAULT 9223372036854775807,
    -- Forward index. Serves checks, "the subjects of these resources of one type and relation":
    --   WHERE tenant_id = ? AND resource_type = ? AND resource_id = ANY(?) AND relation = ?
    -- and reads by resource. Unique per version: one live row per relationship.
    CONSTRAINT relation_tuples_forward UNIQUE (tenant_id, resource_type, resource_id, relation,
        subject_type, subject_id, subject_relation, deleted_rev)
) PARTITION BY HASH (tenant_id, resource_type);

-- Reverse index. Serves lookups, "the resources of one type and relation that name any of
-- these subjects":
--   WHERE tenant_id = ? AND resource_type = ? AND relation = ? AND subject_type = ?
--     AND subject_relation = ? AND subject_id = ANY(?)
CREATE INDEX relation_tuples_reverse ON relation_tuples (tenant_id, resource_type, relation,
    subject_type, subject_relation, subject_id);

-- Serves Watch, "rows created after revision R".
CREATE INDEX relation_tuples_created ON relation_tuples (tenant_id, created_rev);

-- Serves Watch, "rows deleted after revision R", and garbage collection of old versions.
CREATE INDEX relation_tuples_deleted ON relation_tuples (tenant_id, deleted_rev)
    WHERE deleted_rev < 9223372036854775807;

-- Serves garbage collection of expired relationships.
CREATE INDEX relation_tuples_expires ON relation_tuples (tenant_id, expires_at)
    WHERE expires_at IS NOT NULL;

DO $$
BEGIN
    FOR i IN 0 .. ${partitions} - 1 LOOP
        EXECUTE format(
            'CREATE TABLE relation_tuples_p%s PARTITION OF relation_tuples FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
            i, ${partitions}, i);
    END LOOP;
END
$$;
