-- Every notification sent (one row per NotificationSent, written in the same transaction as the event):
-- the in-app inbox, and the items waiting for a user's daily digest.
CREATE TABLE IF NOT EXISTS notifications (
    notification_id uuid PRIMARY KEY,
    recipient       text NOT NULL,
    institution_id  text NOT NULL,
    kind            text NOT NULL,
    channel         text NOT NULL CHECK (channel IN ('in_app', 'email', 'digest')),
    client_id       uuid,
    title           text NOT NULL,
    body            text NOT NULL,
    cause_id        uuid NOT NULL,
    cause_event_id  uuid,
    sent_at         timestamptz NOT NULL,
    read_at         timestamptz,
    digest_due_at   timestamptz,
    digested_at     timestamptz
);
CREATE INDEX IF NOT EXISTS notifications_inbox
    ON notifications (recipient, institution_id, sent_at DESC, notification_id DESC) WHERE channel = 'in_app';
CREATE INDEX IF NOT EXISTS notifications_unread
    ON notifications (recipient, institution_id) WHERE channel = 'in_app' AND read_at IS NULL;
CREATE INDEX IF NOT EXISTS notifications_digest_due
    ON notifications (digest_due_at) WHERE channel = 'digest' AND digested_at IS NULL;

-- What each user chose: channels per kind (absent kinds: the routing file's defaults), address, digest.
CREATE TABLE IF NOT EXISTS preferences (
    user_id        text PRIMARY KEY,
    institution_id text NOT NULL,
    email          text,
    digest         boolean NOT NULL DEFAULT false,
    channels       jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at     timestamptz NOT NULL
);

-- Durable timers: one row per reminder, created with the plan event that schedules it (same transaction),
-- claimed when due with FOR UPDATE SKIP LOCKED and marked done in the transaction that stores its notifications.
CREATE TABLE IF NOT EXISTS reminders (
    reminder_id    uuid PRIMARY KEY,
    kind           text NOT NULL,
    subject_id     uuid NOT NULL,
    plan_id        uuid,
    client_id      uuid,
    worker         text NOT NULL,
    institution_id text NOT NULL,
    due_at         timestamptz NOT NULL,
    facts          jsonb NOT NULL DEFAULT '{}'::jsonb,
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    fired_at       timestamptz
);
CREATE INDEX IF NOT EXISTS reminders_due ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS reminders_of_subject ON reminders (subject_id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS reminders_of_plan ON reminders (plan_id) WHERE status = 'pending';

-- E-mails to send (single notifications and digests), queued with the notification; sent at least once.
CREATE TABLE IF NOT EXISTS mails (
    mail_id         uuid PRIMARY KEY,
    recipient       text NOT NULL,
    address         text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    delivered_at    timestamptz,
    failed_at       timestamptz
);
CREATE INDEX IF NOT EXISTS mails_pending ON mails (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
