-- a retry (quarry retry) is a run of its own, linked to the run whose failed tasks it submits again;
-- no foreign key, so that a run store pruned of old runs keeps its retries readable
ALTER TABLE run ADD COLUMN retry_of VARCHAR(64);
CREATE INDEX run_retry_of ON run (retry_of);
