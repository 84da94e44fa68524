-- The regional feed for ROPS: de-identified items per voivodeship, their outbox, and what the projection must
-- remember to de-identify later events (never a name, PESEL, address, free text or exact date: see
-- docs/regional-feed.md). No table has a "created at" column on purpose: the time a fact was processed would
-- reveal the day and hour it happened, and items say no more than the month.

-- Per client: the voivodeship of the current address and the birth month as 'YYYY-MM' (the birth date is not
-- kept; not even as the first day of its month, which is the birth date of everyone born on the 1st).
CREATE TABLE IF NOT EXISTS regional_client (
    client_id   uuid PRIMARY KEY,
    region      text,
    birth_month text
);

-- What later events refer to without repeating it: a plan's client and opening, a step's instrument, an offer's
-- kind, a conflict's rule.
CREATE TABLE IF NOT EXISTS regional_plan (
    plan_id   uuid PRIMARY KEY,
    client_id uuid NOT NULL,
    opened_on date NOT NULL
);
CREATE TABLE IF NOT EXISTS regional_step (
    step_id    uuid PRIMARY KEY,
    instrument text NOT NULL,
    category   text NOT NULL,
    owner_kind text NOT NULL
);
CREATE TABLE IF NOT EXISTS regional_offer (
    offer_id   uuid PRIMARY KEY,
    offer_kind text NOT NULL,
    instrument text NOT NULL
);
CREATE TABLE IF NOT EXISTS regional_conflict (
    conflict_id uuid PRIMARY KEY,
    rule_id     text NOT NULL
);

-- Facts about clients whose registration has not been consumed yet (topics are read independently): already
-- de-identified drafts, placed in their region when the client becomes known.
CREATE TABLE IF NOT EXISTS regional_pending (
    client_id uuid NOT NULL,
    n         bigint GENERATED ALWAYS AS IDENTITY,
    draft     jsonb NOT NULL,
    PRIMARY KEY (client_id, n)
);

-- Versions of the feed's streams (one per subject and region, one per offer), as CloudEvents consumers expect.
CREATE TABLE IF NOT EXISTS regional_streams (
    stream_id text PRIMARY KEY,
    version   integer NOT NULL
);

-- The feed itself. Readers page in commit-safe order (transaction_id, seq), like the event store's read-all
-- (docs/decisions/0001-gap-free-read-all.md): a page never skips an item whose transaction commits late.
CREATE TABLE IF NOT EXISTS regional_feed (
    seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
    item_id        uuid NOT NULL UNIQUE,
    region         text NOT NULL,
    month          text NOT NULL,
    item_type      text NOT NULL,
    schema_version smallint NOT NULL,
    stream_id      text NOT NULL,
    stream_version integer NOT NULL,
    partition_key  text NOT NULL,
    payload        jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS regional_feed_commit_order ON regional_feed (region, transaction_id, seq);
CREATE INDEX IF NOT EXISTS regional_feed_by_month ON regional_feed (region, month, item_type);

-- Items still to be published on pzw.regional.<region>.v1; the publisher deletes a row once Kafka acknowledged it.
CREATE TABLE IF NOT EXISTS regional_outbox (
    seq            bigint PRIMARY KEY,
    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX IF NOT EXISTS regional_outbox_commit_order ON regional_outbox (transaction_id, seq);
