-- Conflicts as the inbox lists them, kept in the same transaction as the conflict's events.
CREATE TABLE IF NOT EXISTS conflicts (
    conflict_id  uuid PRIMARY KEY,
    client_id    uuid NOT NULL,
    rule_id      text NOT NULL,
    rule_version integer NOT NULL,
    severity     text NOT NULL,
    status       text NOT NULL,           -- open | confirmed | dismissed
    institutions text[] NOT NULL,
    detected_at  timestamptz NOT NULL,
    resolved_at  timestamptz,
    detected     jsonb NOT NULL,
    resolution   jsonb
);
CREATE INDEX IF NOT EXISTS conflicts_by_client ON conflicts (client_id);
CREATE INDEX IF NOT EXISTS conflicts_by_institution ON conflicts USING gin (institutions);
