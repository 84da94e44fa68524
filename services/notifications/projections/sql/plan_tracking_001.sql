-- Joint plans with their PUP and OPS parties (who to tell when the clients topic has not told yet).
CREATE TABLE IF NOT EXISTS notify_plans (
    plan_id            uuid PRIMARY KEY,
    client_id          uuid NOT NULL,
    pup_institution_id text NOT NULL,
    pup_worker         text NOT NULL,
    ops_institution_id text NOT NULL,
    ops_worker         text NOT NULL,
    closed             boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS notify_plans_of_client ON notify_plans (client_id);

-- Plan steps, their owners and dates (for the due and overdue reminders).
CREATE TABLE IF NOT EXISTS notify_steps (
    step_id            uuid PRIMARY KEY,
    plan_id            uuid NOT NULL,
    client_id          uuid NOT NULL,
    owner_institution  text NOT NULL,
    owner_worker       text NOT NULL,
    title              text NOT NULL,
    instrument         text NOT NULL,
    scheduled_from     date,
    scheduled_to       date,
    status             text NOT NULL DEFAULT 'added'
);

-- IPZS of CIS participants: the CIS worker and the current term (for the expiry reminder).
CREATE TABLE IF NOT EXISTS notify_ipzs (
    ipzs_id         uuid PRIMARY KEY,
    plan_id         uuid NOT NULL,
    client_id       uuid NOT NULL,
    cis_institution text NOT NULL,
    cis_worker      text NOT NULL,
    term_from       date NOT NULL,
    term_to         date,
    ended           boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS notify_ipzs_of_client ON notify_ipzs (client_id);
