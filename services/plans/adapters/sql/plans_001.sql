-- One open joint plan per shared client. A row is claimed in the same transaction as the plan's PlanOpened and
-- marked closed in the same transaction as its PlanClosed, so two racing openings cannot both win.
CREATE TABLE IF NOT EXISTS plan_by_client (
    plan_id    uuid PRIMARY KEY,
    client_id  uuid NOT NULL,
    opened_at  timestamptz NOT NULL DEFAULT now(),
    closed_at  timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS plan_by_client_one_open ON plan_by_client (client_id) WHERE closed_at IS NULL;
CREATE INDEX IF NOT EXISTS plan_by_client_history ON plan_by_client (client_id, opened_at DESC);
