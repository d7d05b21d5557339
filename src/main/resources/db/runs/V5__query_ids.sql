-- the engine's ids of the queries a step's manifest came from (Athena's query execution ids),
-- comma-separated; NULL for the embedded engine and for manifests Quarry wrote itself
ALTER TABLE run_step ADD COLUMN query_ids VARCHAR(4000);
