-- Repeated rings from one caller within a few minutes share one row of the callee's log, which
-- counts them: a caller who rings again and again cannot flood the log.

ALTER TABLE call_log ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1);
