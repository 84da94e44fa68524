-- Positions of store subscriptions (a service's process managers reading its own events through read_all).
CREATE TABLE IF NOT EXISTS subscription_checkpoints (
    name            text PRIMARY KEY,
    transaction_id  bigint NOT NULL,
    global_position bigint NOT NULL
);
