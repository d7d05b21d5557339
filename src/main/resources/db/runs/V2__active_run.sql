-- the unfinished run that holds each playbook: one run of a playbook at a time per store. The
-- primary key is the lock: of two starts that race, one INSERT wins and the other fails with a
-- unique violation, on H2 and on PostgreSQL alike. No foreign key to run: a hold whose run has
-- vanished is stale and simply taken over.
CREATE TABLE active_run (
  playbook VARCHAR(200) PRIMARY KEY,
  run_id VARCHAR(64) NOT NULL,
  held_since TIMESTAMP WITH TIME ZONE NOT NULL
);
