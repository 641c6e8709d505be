-- mlobs 0.1.0 -> 0.2.0. Runs inside ALTER EXTENSION mlobs UPDATE with the same shared library as
-- a fresh 0.2.0 install; every name is schema-qualified. tests/integration/upgrade.sh proves that
-- 0.1.0 + this script describes exactly the same schema as a fresh 0.2.0 install and that values
-- stored under 0.1.0 still read and merge.
\echo Use "ALTER EXTENSION mlobs UPDATE TO '0.2.0'" to load this file. \quit

-- schedule_monitors: the scheduled run closes windows one minute late, so rows committed just
-- after a window's end still count in it (found by tests/integration/load.sh).
CREATE OR REPLACE FUNCTION mlobs.schedule_monitors(cron text DEFAULT '*/5 * * * *') RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  IF to_regnamespace('cron') IS NULL THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database (CREATE EXTENSION pg_cron)'
      USING ERRCODE = '55000';
  END IF;
  EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
    USING 'mlobs_run_monitors', cron, 'SELECT mlobs.run_monitors(now() - interval ''1 minute'')';
  RETURN job;
END $$;
