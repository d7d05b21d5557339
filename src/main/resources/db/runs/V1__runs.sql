-- a run as a whole; its phases and jobs in the tables below
CREATE TABLE run (
  id VARCHAR(64) PRIMARY KEY,
  playbook VARCHAR(200) NOT NULL,
  playbook_hash VARCHAR(64) NOT NULL,
  parameters VARCHAR(10000) NOT NULL,
  engine VARCHAR(40) NOT NULL,
  manifest_location VARCHAR(2000),
  manifest_etag VARCHAR(200),
  manifest_rows BIGINT,
  phase VARCHAR(40) NOT NULL,
  started_at TIMESTAMP WITH TIME ZONE NOT NULL,
  ended_at TIMESTAMP WITH TIME ZONE,
  approved_by VARCHAR(200),
  report_location VARCHAR(2000),
  objects BIGINT NOT NULL,
  succeeded BIGINT NOT NULL,
  failed BIGINT NOT NULL,
  failure_reason VARCHAR(10000)
);

CREATE INDEX run_playbook_started ON run (playbook, started_at);

CREATE TABLE run_transition (
  run_id VARCHAR(64) NOT NULL REFERENCES run (id),
  seq INT NOT NULL,
  phase VARCHAR(40) NOT NULL,
  entered_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (run_id, seq)
);

-- step 0 is the run's only job for now; multi-step runs add steps
CREATE TABLE run_job (
  run_id VARCHAR(64) NOT NULL REFERENCES run (id),
  step INT NOT NULL,
  job_id VARCHAR(200) NOT NULL,
  PRIMARY KEY (run_id, step)
);
