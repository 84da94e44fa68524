-- Read model of CIS participation: every IPZS with its current term and ending, and per month the participant's
-- attendance and the integration-bonus decision.
CREATE TABLE IF NOT EXISTS rm_ipzs (
    ipzs_id            uuid PRIMARY KEY,
    plan_id            uuid,
    client_id          uuid,
    cis_institution_id text,
    worker             text,
    main_goal          text,
    started_on         date,
    term_from          date,
    term_to            date,
    ended_on           date,
    end_reason         text,
    updated_at         timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_ipzs_running ON rm_ipzs (cis_institution_id, term_to) WHERE ended_on IS NULL;
CREATE INDEX IF NOT EXISTS rm_ipzs_ended ON rm_ipzs (cis_institution_id, ended_on) WHERE ended_on IS NOT NULL;
CREATE INDEX IF NOT EXISTS rm_ipzs_by_start ON rm_ipzs (cis_institution_id, started_on);
CREATE INDEX IF NOT EXISTS rm_ipzs_by_start_all ON rm_ipzs (started_on);

CREATE TABLE IF NOT EXISTS rm_cis_month (
    ipzs_id            uuid NOT NULL,
    month              date NOT NULL,
    plan_id            uuid,
    client_id          uuid,
    cis_institution_id text,
    days_scheduled     integer,
    days_present       integer,
    days_excused       integer,
    recorded_by        text,
    bonus_granted      boolean,
    bonus_amount       numeric(10, 2),
    bonus_reason       text,
    bonus_decided_by   text,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (ipzs_id, month)
);
CREATE INDEX IF NOT EXISTS rm_cis_month_by_institution ON rm_cis_month (cis_institution_id, month);
