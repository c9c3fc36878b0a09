-- The start of a relationship write's transaction, as one statement, so that a write can send
-- it in the same round trip as its changes and its COMMIT (tuple-store's PostgresWrites):
-- takes the tenant's next revision (the UPDATE locks its tenant_revisions row until the
-- transaction ends, so revision order is commit order), records the revision, and returns it
-- with the revision of the schema in effect. The schema is read after the lock is granted, so
-- it sees every schema write committed before (a schema write takes the same lock).
--
-- With expected_schema given (a write validated against the schema it last saw, -1 meaning
-- none), a different schema in effect raises SQL state RL001: PostgreSQL then skips the rest
-- of the round trip, COMMIT included, and the writer runs the write again against the schema
-- in effect. A tenant without a revision row raises RL002.
CREATE FUNCTION relata_begin_write(tenant bigint, committed timestamptz, meta jsonb, expected_schema bigint,
        OUT revision bigint, OUT schema_revision bigint)
LANGUAGE plpgsql AS $$
DECLARE
    before timestamptz;
BEGIN
    UPDATE tenant_revisions r SET revision = r.revision + 1 WHERE r.tenant_id = tenant RETURNING r.revision INTO revision;
    IF revision IS NULL THEN
        RAISE EXCEPTION 'tenant % has no revision row', tenant USING ERRCODE = 'RL002';
    END IF;
    -- The time was read before the lock: a write that waited behind a later one must not be
    -- recorded as committed before the revision below it (revisionAt(time) relies on the order).
    SELECT p.committed_at INTO before FROM revisions p
        WHERE p.tenant_id = tenant AND p.revision = relata_begin_write.revision - 1;
    INSERT INTO revisions (tenant_id, revision, committed_at, schema_changed, metadata)
        VALUES (tenant, revision, greatest(committed, before), false, meta);
    SELECT coalesce(max(s.revision), -1) INTO schema_revision FROM schemas s WHERE s.tenant_id = tenant;
    IF expected_schema IS NOT NULL AND schema_revision <> expected_schema THEN
        RAISE EXCEPTION 'the schema of tenant % changed (now at revision %, the write was validated against %)',
            tenant, schema_revision, expected_schema USING ERRCODE = 'RL001';
    END IF;
END
$$;
