-- multi-step runs: each step has its manifest, its job (once submitted), its counts and report;
-- the run row keeps the first step's manifest and the current step's counts, for listing
ALTER TABLE run ADD COLUMN playbook_path VARCHAR(4000);

CREATE TABLE run_step (
  run_id VARCHAR(64) NOT NULL REFERENCES run (id),
  step INT NOT NULL,
  step_action VARCHAR(100) NOT NULL,
  manifest_location VARCHAR(2000) NOT NULL,
  manifest_etag VARCHAR(200) NOT NULL,
  manifest_rows BIGINT NOT NULL,
  job_id VARCHAR(200),
  objects BIGINT NOT NULL,
  succeeded BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  report_location VARCHAR(2000),
  note VARCHAR(10000),
  PRIMARY KEY (run_id, step)
);

-- runs recorded before steps had one job each, in run_job's step 0
INSERT INTO run_step (run_id, step, step_action, manifest_location, manifest_etag, manifest_rows,
    job_id, objects, succeeded, failed, report_location, note)
  SELECT r.id, 0, '', COALESCE(r.manifest_location, ''), COALESCE(r.manifest_etag, ''),
      COALESCE(r.manifest_rows, 0), j.job_id, r.objects, r.succeeded, r.failed, r.report_location,
      NULL
  FROM run r LEFT JOIN run_job j ON j.run_id = r.id AND j.step = 0;

DROP TABLE run_job;
