-- Imports from Syriusz (PUP) and POMOST (OPS).
-- import_batches: one uploaded file; its counts are its reconciliation report (and its progress while it runs).
CREATE TABLE IF NOT EXISTS import_batches (
    batch_id       uuid PRIMARY KEY,
    institution_id text NOT NULL,
    source         text NOT NULL,                  -- SYRIUSZ | POMOST
    format         text NOT NULL,                  -- csv | json | ndjson
    status         text NOT NULL,                  -- running | completed | failed | interrupted
    actor          jsonb NOT NULL,
    exported_at    timestamptz,
    started_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    rows_processed integer NOT NULL DEFAULT 0,
    created        integer NOT NULL DEFAULT 0,
    shared         integer NOT NULL DEFAULT 0,     -- of created: joined the record of another institution
    updated        integer NOT NULL DEFAULT 0,
    unchanged      integer NOT NULL DEFAULT 0,
    rejected       integer NOT NULL DEFAULT 0,
    events         integer NOT NULL DEFAULT 0,
    bytes_received bigint NOT NULL DEFAULT 0,
    peak_rows_in_memory integer NOT NULL DEFAULT 0, -- rows read but not yet applied, at most (bounded by design)
    peak_buffer_chars   integer NOT NULL DEFAULT 0, -- body text held by the reader, at most
    error          text
);
CREATE INDEX IF NOT EXISTS import_batches_by_institution ON import_batches (institution_id, started_at DESC);

-- import_rejections: each rejected row of a batch, with the fields at fault (no copy of the row's data).
CREATE TABLE IF NOT EXISTS import_rejections (
    batch_id    uuid NOT NULL REFERENCES import_batches (batch_id) ON DELETE CASCADE,
    row_number  integer NOT NULL,
    external_id text,
    errors      jsonb NOT NULL,                    -- [{"field", "message"}]
    PRIMARY KEY (batch_id, row_number)
);

-- import_rows: the last applied row of each person per institution and source, written in the same transaction
-- as the row's events. An identical row (same row_hash) is skipped without touching the record; a changed one
-- is compared section by section (sections: short hashes), so only what changed in the source is applied.
CREATE TABLE IF NOT EXISTS import_rows (
    institution_id text NOT NULL,
    source         text NOT NULL,
    identity_key   text NOT NULL,
    row_hash       text NOT NULL,
    client_id      uuid NOT NULL,
    sections       jsonb NOT NULL,
    benefit_ids    uuid[] NOT NULL DEFAULT '{}',   -- benefits this source listed last time (ended when dropped)
    batch_id       uuid NOT NULL,
    row_number     integer NOT NULL,
    external_id    text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (institution_id, source, identity_key)
);
CREATE INDEX IF NOT EXISTS import_rows_by_client ON import_rows (client_id);
