-- Read model: who serves a client for each PUP-OPS pair (region, paired workers, sharing), the benefits the client
-- receives and the client's unemployment status at each PUP. Columns other than the keys are nullable: rows are
-- upserted column by column as events arrive (see services/reporting/projections/upserts.py).
CREATE TABLE IF NOT EXISTS rm_pair (
    client_id          uuid NOT NULL,
    pup_institution_id text NOT NULL,
    ops_institution_id text NOT NULL,
    region_id          uuid,
    job_broker         text,
    career_counsellor  text,
    social_worker      text,
    shared             boolean,
    sharing_active     boolean,
    agreement_id       uuid,
    identified_on      date,
    stopped_on         date,
    stop_reason        text,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (client_id, pup_institution_id, ops_institution_id)
);
CREATE INDEX IF NOT EXISTS rm_pair_by_job_broker ON rm_pair (pup_institution_id, job_broker);
CREATE INDEX IF NOT EXISTS rm_pair_by_social_worker ON rm_pair (ops_institution_id, social_worker);
CREATE INDEX IF NOT EXISTS rm_pair_by_region ON rm_pair (region_id);

CREATE TABLE IF NOT EXISTS rm_region (
    region_id          uuid PRIMARY KEY,
    name               text,
    pup_institution_id text,
    ops_institution_id text,
    gminas             text[],
    postal_codes       text[],
    job_broker         text,
    career_counsellor  text,
    social_worker      text,
    removed            boolean,
    updated_at         timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_benefit (
    benefit_id        uuid PRIMARY KEY,
    client_id         uuid,
    institution_id    text,
    institution_kind  text,
    kind              text,
    basis             text,
    monthly_amount    numeric(10, 2),
    valid_from        date,
    valid_to          date,
    suspended_from    date,
    suspension_reason text,
    ended_on          date,
    end_reason        text,
    updated_at        timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_benefit_by_institution ON rm_benefit (institution_id, client_id);
CREATE INDEX IF NOT EXISTS rm_benefit_by_client ON rm_benefit (client_id);

CREATE TABLE IF NOT EXISTS rm_unemployment (
    client_id          uuid NOT NULL,
    institution_id     text NOT NULL,
    status             text,
    reason             text,
    effective_on       date,
    with_benefit_right boolean,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (client_id, institution_id)
);
