-- Region filters of the read models and indicators: by TERYT prefix (voivodeship 2, county 4, gmina 7 digits)
-- and by gmina name.
CREATE INDEX IF NOT EXISTS rm_client_by_teryt ON rm_client (teryt text_pattern_ops);
CREATE INDEX IF NOT EXISTS rm_client_by_gmina ON rm_client (gmina);
