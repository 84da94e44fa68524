-- The offer catalogue and referrals, kept with their events (capacity = places not refused or missed).
CREATE TABLE IF NOT EXISTS offers (
    offer_id   uuid PRIMARY KEY,
    published  jsonb NOT NULL,
    withdrawn  boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS referrals (
    referral_id uuid PRIMARY KEY,
    offer_id    uuid NOT NULL,
    client_id   uuid NOT NULL,
    outcome     text
);
CREATE INDEX IF NOT EXISTS referrals_by_offer ON referrals (offer_id);
