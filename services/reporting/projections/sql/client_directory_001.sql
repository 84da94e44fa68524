-- Read model: every client with the institutions they are registered at.
CREATE TABLE IF NOT EXISTS rm_client (
    client_id   uuid PRIMARY KEY,
    first_name  text NOT NULL,
    last_name   text NOT NULL,
    birth_year  integer NOT NULL,
    gmina       text NOT NULL,
    teryt       text,
    postal_code text NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_client_registration (
    client_id        uuid NOT NULL REFERENCES rm_client (client_id) ON DELETE CASCADE,
    institution_id   text NOT NULL,
    institution_kind text NOT NULL,
    registered_on    date NOT NULL,
    PRIMARY KEY (client_id, institution_id)
);
CREATE INDEX IF NOT EXISTS rm_client_registration_by_institution
    ON rm_client_registration (institution_id, client_id);
