-- each step records its action block (a split plan's steps differ in their options: a copy keeps
-- one storage class per job), and the steps still to come are kept beside those reached:
-- queued is NULL for a reached step, 'PLANNED' for a queued step whose manifest the plan wrote,
-- 'AFTER_RESTORE' for one planned once the restored copies of the step before are readable
ALTER TABLE run_step ADD COLUMN step_options VARCHAR(60000);
ALTER TABLE run_step ADD COLUMN queued VARCHAR(20);
