-- Bookkeeping of projections, written in the same transaction as the read-model change it accounts for.
-- projection_offsets: the next Kafka offset to read per partition (the consumer seeks here on assignment).
-- projection_streams: the last applied version per source stream (drops duplicates, detects reordering).
CREATE TABLE IF NOT EXISTS projection_offsets (
    projection  text NOT NULL,
    topic       text NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, topic, partition)
);

CREATE TABLE IF NOT EXISTS projection_streams (
    projection text NOT NULL,
    stream_id  text NOT NULL,
    version    integer NOT NULL,
    PRIMARY KEY (projection, stream_id)
);
