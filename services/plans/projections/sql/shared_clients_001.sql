-- Which clients a PUP and an OPS share, under which agreement, and who their paired workers are.
-- Rows appear with the first SharedClientIdentified or CaseWorkersAssigned of a (client, PUP, OPS) pair.
CREATE TABLE IF NOT EXISTS shared_clients (
    client_id                uuid NOT NULL,
    pup_institution_id       text NOT NULL,
    ops_institution_id       text NOT NULL,
    agreement_id             uuid,
    social_preparation_first boolean NOT NULL DEFAULT true,
    sharing_active           boolean NOT NULL DEFAULT false,
    identified_on            date,
    stopped_on               date,
    stop_reason              text,
    job_broker               text,
    career_counsellor        text,
    social_worker            text,
    updated_at               timestamptz NOT NULL,
    PRIMARY KEY (client_id, pup_institution_id, ops_institution_id)
);
CREATE INDEX IF NOT EXISTS shared_clients_by_agreement ON shared_clients (agreement_id);

-- Cooperation agreements (porozumienia) between a PUP and an OPS: sharing rests on one that has not ended.
CREATE TABLE IF NOT EXISTS cooperation_agreements (
    agreement_id       uuid PRIMARY KEY,
    pup_institution_id text,
    ops_institution_id text,
    valid_from         date,
    valid_to           date,
    ended_on           date,
    end_reason         text,
    updated_at         timestamptz NOT NULL
);
