-- Erasure: an erased client keeps its de-identified facts (birth year, gmina) for the indicators; names and the
-- postal code are gone, and the person no longer appears in any listing.
ALTER TABLE rm_client ALTER COLUMN first_name DROP NOT NULL,
                      ALTER COLUMN last_name DROP NOT NULL,
                      ALTER COLUMN birth_year DROP NOT NULL,
                      ALTER COLUMN gmina DROP NOT NULL,
                      ALTER COLUMN postal_code DROP NOT NULL,
                      ADD COLUMN IF NOT EXISTS erased boolean NOT NULL DEFAULT false;
