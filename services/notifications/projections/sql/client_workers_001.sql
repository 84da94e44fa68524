-- The paired workers of each client per PUP-OPS pair (CaseWorkersAssigned), and whether the pair still shares
-- the client: partners of a client no longer shared are not told about it.
CREATE TABLE IF NOT EXISTS notify_client_workers (
    client_id          uuid NOT NULL,
    pup_institution_id text NOT NULL,
    ops_institution_id text NOT NULL,
    job_broker         text,
    career_counsellor  text,
    social_worker      text,
    sharing_active     boolean NOT NULL DEFAULT true,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (client_id, pup_institution_id, ops_institution_id)
);
