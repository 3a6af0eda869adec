-- How many events each program's view had to skip (they did not decode, or folding them failed).
-- Kept beside the view so health can count the programs needing repair without reading views.
ALTER TABLE program_views ADD COLUMN unfolded_count bigint NOT NULL DEFAULT 0;
CREATE INDEX program_views_unfolded ON program_views (program_id) WHERE unfolded_count > 0;
