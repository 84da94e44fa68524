-- One client record per person: the identity (PESEL or document) points at the client's stream.
CREATE TABLE IF NOT EXISTS client_identities (
    identity_key text PRIMARY KEY,
    client_id    uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
