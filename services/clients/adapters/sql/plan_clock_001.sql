-- Per client: open joint plans and the day the last one closed (retention counts from it).
CREATE TABLE IF NOT EXISTS client_plan_clock (
    client_id      uuid PRIMARY KEY,
    open_plans     integer NOT NULL DEFAULT 0,
    last_closed_on date
);
