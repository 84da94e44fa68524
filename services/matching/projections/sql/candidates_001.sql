-- Read model of candidates, built from the clients and plans topics.
CREATE TABLE IF NOT EXISTS match_candidates (
    client_id                uuid PRIMARY KEY,
    gmina                    text,
    teryt                    text,
    postal_code              text,
    education                text,
    qualifications           text[] NOT NULL DEFAULT '{}',
    driving_licence          text[] NOT NULL DEFAULT '{}',
    work_restrictions        text[] NOT NULL DEFAULT '{}',
    occupations              text[] NOT NULL DEFAULT '{}',
    plan_id                  uuid,
    social_preparation_first boolean NOT NULL DEFAULT false,
    preparation_waived       boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS match_candidate_steps (
    step_id            uuid PRIMARY KEY,
    client_id          uuid NOT NULL,
    instrument         text,
    social_preparation boolean NOT NULL DEFAULT false,
    status             text NOT NULL DEFAULT 'added',
    period_from        date,
    period_to          date
);
CREATE INDEX IF NOT EXISTS match_candidate_steps_by_client ON match_candidate_steps (client_id);
