-- incremental playbooks: each run's window over the journal, and the objects its manifest holds;
-- both count only once the run's job was submitted (run_step.job_id), so a run that failed before
-- leaves the watermark and the objects to the next run
CREATE TABLE incremental_window (
  run_id VARCHAR(64) PRIMARY KEY,
  playbook VARCHAR(200) NOT NULL,
  window_since TIMESTAMP NOT NULL,
  scan_from TIMESTAMP NOT NULL,
  window_until TIMESTAMP NOT NULL,
  late_rows BIGINT NOT NULL
);

CREATE INDEX incremental_window_playbook ON incremental_window (playbook, window_until);

CREATE TABLE incremental_object (
  run_id VARCHAR(64) NOT NULL REFERENCES incremental_window (run_id) ON DELETE CASCADE,
  bucket VARCHAR(63) NOT NULL,
  object_key VARCHAR(1024) NOT NULL,
  -- '' for an object without a version in the manifest: a key can't be NULL
  version_id VARCHAR(1024) NOT NULL,
  PRIMARY KEY (run_id, bucket, object_key, version_id)
);
