-- Data keys of clients (envelope encryption: each wrapped by the master key). Owned by the clients service.
-- A destroyed key keeps its row as a tombstone (wrapped_key NULL, erased_at set): no key is ever made again.
CREATE TABLE client_keys (
    client_id     text PRIMARY KEY,
    wrapped_key   bytea,
    master_key_id text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    erased_at     timestamptz,
    CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
CREATE INDEX client_keys_master ON client_keys (master_key_id) WHERE wrapped_key IS NOT NULL;
