-- Read model of benefit conflicts: what a rule found, for which institutions, and how it was resolved.
CREATE TABLE IF NOT EXISTS rm_conflict (
    conflict_id        uuid PRIMARY KEY,
    client_id          uuid,
    rule_id            text,
    rule_version       integer,
    severity           text,
    period_from        date,
    period_to          date,
    explanation_pl     text,
    explanation_en     text,
    legal_basis        text,
    institutions       text[],
    evidence_event_ids uuid[],
    detected_at        timestamptz,
    detected_on        date,
    resolution         text,
    resolution_reason  text,
    resolved_by        text,
    resolved_by_institution text,
    resolved_at        timestamptz,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_conflict_by_institution ON rm_conflict USING gin (institutions);
CREATE INDEX IF NOT EXISTS rm_conflict_by_detection ON rm_conflict (detected_on);
CREATE INDEX IF NOT EXISTS rm_conflict_by_client ON rm_conflict (client_id);
