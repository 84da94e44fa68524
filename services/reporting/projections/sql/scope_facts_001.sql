-- Where the client lives and when they registered, copied onto the rows the indicators count (plans, pairs, IPZS,
-- conflicts), so that a regional indicator filters one table instead of joining the client directory.
ALTER TABLE rm_plan ADD COLUMN IF NOT EXISTS teryt text;
ALTER TABLE rm_plan ADD COLUMN IF NOT EXISTS gmina text;
ALTER TABLE rm_plan ADD COLUMN IF NOT EXISTS pup_registered_on date;
ALTER TABLE rm_pair ADD COLUMN IF NOT EXISTS teryt text;
ALTER TABLE rm_pair ADD COLUMN IF NOT EXISTS gmina text;
ALTER TABLE rm_pair ADD COLUMN IF NOT EXISTS plan_opened_on date;
ALTER TABLE rm_ipzs ADD COLUMN IF NOT EXISTS teryt text;
ALTER TABLE rm_ipzs ADD COLUMN IF NOT EXISTS gmina text;
ALTER TABLE rm_conflict ADD COLUMN IF NOT EXISTS teryt text;
ALTER TABLE rm_conflict ADD COLUMN IF NOT EXISTS gmina text;

CREATE INDEX IF NOT EXISTS rm_plan_by_place ON rm_plan (teryt text_pattern_ops, opened_on);
CREATE INDEX IF NOT EXISTS rm_pair_by_place ON rm_pair (teryt text_pattern_ops);
CREATE INDEX IF NOT EXISTS rm_ipzs_by_client ON rm_ipzs (client_id);
CREATE INDEX IF NOT EXISTS rm_conflict_by_place ON rm_conflict (teryt text_pattern_ops, detected_on);
