-- What each API key may do. NULL in either column means "everything", which is what keys
-- made before this migration keep: existing keys stay fully privileged.
--   scopes:         the operation families the key may use (check, read, write, schema, watch)
--   resource_types: the resource types it may name
-- Both are read with the key on authentication, by api_keys_hash; no index of their own.
ALTER TABLE api_keys ADD COLUMN scopes text[];
ALTER TABLE api_keys ADD COLUMN resource_types text[];
