-- Event store, stream versions and the transactional outbox.
--
-- Gap-free reading of "all": positions come from an identity sequence, which is taken at INSERT time but becomes
-- visible at COMMIT time, so a reader ordering by position alone could pass a position whose transaction commits
-- later and never see it. Every row therefore also records the id of the transaction that wrote it (xid8), and
-- readers (the outbox relay, subscriptions over read_all) only take rows whose transaction id is below the oldest
-- transaction still running (pg_snapshot_xmin): every transaction below that horizon has finished, so no row can
-- appear behind the reader's checkpoint, which is the pair (transaction_id, global_position). Writers never wait
-- for each other (no table lock); readers lag behind the slowest open writer only for as long as it stays open.

CREATE TABLE IF NOT EXISTS event_streams (
    stream_id   text PRIMARY KEY,
    stream_type text NOT NULL,
    version     integer NOT NULL CHECK (version >= 0)
);

CREATE TABLE IF NOT EXISTS events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid NOT NULL UNIQUE,
    stream_id       text NOT NULL,
    stream_type     text NOT NULL,
    stream_version  integer NOT NULL,
    event_type      text NOT NULL,
    schema_version  smallint NOT NULL,
    payload         jsonb NOT NULL,
    metadata        jsonb NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_commit_order ON events (transaction_id, global_position);

-- One row per event still to be published; the relay deletes rows once Kafka acknowledged them.
CREATE TABLE IF NOT EXISTS outbox (
    global_position bigint PRIMARY KEY,
    transaction_id  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    topic           text NOT NULL,
    message_key     text NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_commit_order ON outbox (transaction_id, global_position);

-- Appends events to one stream in one statement (one round trip): checks the expected version, stores the events
-- and queues them in the outbox. p_expected: -1 any version, 0 stream must not exist, n stream must be at n.
CREATE OR REPLACE FUNCTION pzw_append_events(
    p_stream_id text, p_stream_type text, p_expected integer,
    p_event_ids uuid[], p_event_types text[], p_schema_versions smallint[],
    p_payloads jsonb[], p_metadata jsonb[], p_occurred_at timestamptz[],
    p_topic text, p_message_key text
) RETURNS TABLE (global_position bigint, stream_version integer, recorded_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer := cardinality(p_event_ids);
    v_base  integer;
BEGIN
    IF p_expected = -1 THEN
        INSERT INTO event_streams AS s (stream_id, stream_type, version)
        VALUES (p_stream_id, p_stream_type, v_count)
        ON CONFLICT (stream_id) DO UPDATE SET version = s.version + v_count
        RETURNING s.version - v_count INTO v_base;
    ELSIF p_expected = 0 THEN
        INSERT INTO event_streams (stream_id, stream_type, version)
        VALUES (p_stream_id, p_stream_type, v_count)
        ON CONFLICT (stream_id) DO NOTHING;
        v_base := 0;
    ELSE
        UPDATE event_streams SET version = version + v_count
        WHERE event_streams.stream_id = p_stream_id AND version = p_expected;
        v_base := p_expected;
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'stream % is not at version %', p_stream_id, p_expected
            USING ERRCODE = 'PZ409',
                  DETAIL = coalesce((SELECT version FROM event_streams s WHERE s.stream_id = p_stream_id), 0)::text;
    END IF;

    RETURN QUERY
    WITH inserted AS (
        INSERT INTO events (event_id, stream_id, stream_type, stream_version, event_type, schema_version,
                            payload, metadata, occurred_at)
        SELECT u.event_id, p_stream_id, p_stream_type, v_base + u.n::integer, u.event_type, u.schema_version,
               u.payload, u.metadata, u.occurred_at
        FROM unnest(p_event_ids, p_event_types, p_schema_versions, p_payloads, p_metadata, p_occurred_at)
             WITH ORDINALITY AS u(event_id, event_type, schema_version, payload, metadata, occurred_at, n)
        ORDER BY u.n
        RETURNING events.global_position, events.stream_version, events.recorded_at
    ), queued AS (
        INSERT INTO outbox (global_position, topic, message_key)
        SELECT i.global_position, p_topic, p_message_key FROM inserted i WHERE p_topic IS NOT NULL
    )
    SELECT i.global_position, i.stream_version, i.recorded_at FROM inserted i ORDER BY i.stream_version;
END
$$;
