-- Read model: joint plans (the client's PZW) with their documents and steps, and per plan the first day the client
-- took up each form of vocational activation (recomputed from the steps and milestones of the plans a batch
-- touched; the indicators read these columns instead of joining steps at query time).
CREATE TABLE IF NOT EXISTS rm_plan (
    plan_id                  uuid PRIMARY KEY,
    client_id                uuid,
    agreement_id             uuid,
    pup_institution_id       text,
    job_broker               text,
    ops_institution_id       text,
    social_worker            text,
    social_preparation_first boolean,
    opened_on                date,
    contract_number          text,
    contract_from            date,
    contract_to              date,
    ipd_number               text,
    ipd_from                 date,
    ipd_to                   date,
    preparation_waived_on    date,
    last_reviewed_on         date,
    closed_on                date,
    outcome                  text,
    first_step_on            date,
    act_employment             date,
    act_subsidised_employment  date,
    act_training               date,
    act_intervention_works     date,
    act_public_works           date,
    act_socially_useful_works  date,
    act_internship             date,
    act_own_business           date,
    act_social_cooperative     date,
    updated_at               timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_plan_by_pup ON rm_plan (pup_institution_id, opened_on);
CREATE INDEX IF NOT EXISTS rm_plan_by_ops ON rm_plan (ops_institution_id, opened_on);
CREATE INDEX IF NOT EXISTS rm_plan_by_opening ON rm_plan (opened_on);
CREATE INDEX IF NOT EXISTS rm_plan_by_client ON rm_plan (client_id);

CREATE TABLE IF NOT EXISTS rm_plan_step (
    step_id              uuid PRIMARY KEY,
    plan_id              uuid,
    client_id            uuid,
    owner_institution_id text,
    owner_kind           text,
    worker               text,
    instrument           text,
    category             text,
    social_preparation   boolean,
    title                text,
    funded_by            text,
    activation_form      text,
    planned_from         date,
    planned_to           date,
    scheduled_from       date,
    scheduled_to         date,
    status               text,
    completed_on         date,
    outcome              text,
    failed_on            date,
    failure              text,
    cancel_reason        text,
    cancelled_at         timestamptz,
    added_event_id       uuid,
    added_at             timestamptz,
    updated_at           timestamptz NOT NULL,
    -- when the step starts and when it is due (its end, else its start when open-ended)
    start_on date GENERATED ALWAYS AS (coalesce(scheduled_from, planned_from)) STORED,
    due_on   date GENERATED ALWAYS AS (coalesce(scheduled_to, planned_to, scheduled_from, planned_from)) STORED
);
CREATE INDEX IF NOT EXISTS rm_plan_step_by_plan ON rm_plan_step (plan_id);
CREATE INDEX IF NOT EXISTS rm_plan_step_open_by_owner ON rm_plan_step (owner_institution_id, due_on)
    WHERE status IN ('added', 'scheduled');
CREATE INDEX IF NOT EXISTS rm_plan_step_by_owner_instrument ON rm_plan_step (owner_institution_id, instrument, start_on);
CREATE INDEX IF NOT EXISTS rm_plan_step_by_added_event ON rm_plan_step (added_event_id);

-- Facts of a plan other than steps that count as taking up a form: its closing outcome, an IPZS ending.
CREATE TABLE IF NOT EXISTS rm_plan_milestone (
    plan_id   uuid NOT NULL,
    source_id uuid NOT NULL,
    form      text NOT NULL,
    happened_on date NOT NULL,
    PRIMARY KEY (plan_id, source_id)
);
