-- Write-side indexes the clients service keeps in the same transaction as the events they follow.
-- client_locations: where each client lives and where registered (finds the clients a region change affects).
CREATE TABLE IF NOT EXISTS client_locations (
    client_id    uuid PRIMARY KEY,
    address      jsonb NOT NULL,
    institutions text[] NOT NULL
);
CREATE INDEX IF NOT EXISTS client_locations_institutions ON client_locations USING gin (institutions);

-- regions and agreements in force, as the assignment and sharing rules read them.
CREATE TABLE IF NOT EXISTS regions (
    region_id          uuid PRIMARY KEY,
    name               text NOT NULL,
    pup_institution_id text NOT NULL,
    ops_institution_id text NOT NULL,
    terms              jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS regions_by_pup ON regions (pup_institution_id);
CREATE INDEX IF NOT EXISTS regions_by_ops ON regions (ops_institution_id);

CREATE TABLE IF NOT EXISTS agreements (
    agreement_id       uuid PRIMARY KEY,
    pup_institution_id text NOT NULL,
    ops_institution_id text NOT NULL,
    terms              jsonb NOT NULL
);

