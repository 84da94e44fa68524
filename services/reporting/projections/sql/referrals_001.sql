-- Read model of the offer catalogue and of referrals (skierowania) with their outcomes.
CREATE TABLE IF NOT EXISTS rm_offer (
    offer_id     uuid PRIMARY KEY,
    kind         text,
    instrument   text,
    title        text,
    funded_by    text,
    gmina        text,
    teryt        text,
    capacity     integer,
    valid_from   date,
    valid_to     date,
    withdrawn_on date,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_referral (
    referral_id    uuid PRIMARY KEY,
    client_id      uuid,
    offer_id       uuid,
    plan_id        uuid,
    step_id        uuid,
    institution_id text,
    issued_by      text,
    issued_on      date,
    outcome        text,
    outcome_on     date,
    note           text,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_referral_by_institution ON rm_referral (institution_id, issued_on);
CREATE INDEX IF NOT EXISTS rm_referral_by_client ON rm_referral (client_id);
