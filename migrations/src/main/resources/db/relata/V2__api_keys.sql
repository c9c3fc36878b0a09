-- API keys of tenants. Only a SHA-256 hash of each key is stored; the key itself is shown
-- once, when it is created.
CREATE TABLE api_keys (
    tenant_id  bigint      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key_id     text        NOT NULL,
    key_hash   bytea       NOT NULL,
    label      text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (tenant_id, key_id)
);

-- Serves authentication, "which tenant does this key belong to": WHERE key_hash = ?
CREATE UNIQUE INDEX api_keys_hash ON api_keys (key_hash);
