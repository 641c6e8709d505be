-- What the change triggers (mlobs.track_changes) cost the application's writes: time per write
-- statement on a tracked table, against the same statement on an untracked copy, interleaved in
-- one run. Run on any database with mlobs (the triggers are PL/pgSQL: debug and release builds
-- of the extension time the same):
--   psql -X -q -d <db> -f benches/trigger_overhead.sql [-v reps=5] [-v n=2000]
-- Tables: plain (no triggers), instant (timestamptz ts, tracked), wall (timestamp ts, tracked);
-- each holds a day of rows and a monitor whose run moved its watermark to the day's end.
-- Statements, each n times per repetition:
--   insert_1      one new row (stamped after the watermark: ordinary ingest, nothing recorded)
--   insert_1000   1000 new rows in one statement
--   insert_late   one row stamped before the watermark (recorded: its window changed)
--   update_label  a label set on one row of the computed day (recorded)
\set ON_ERROR_STOP 1
\if :{?reps} \else \set reps 5 \endif
\if :{?n} \else \set n 2000 \endif
SET client_min_messages = warning;
SET timezone = 'UTC';
DROP SCHEMA IF EXISTS trig_bench CASCADE;
CREATE SCHEMA trig_bench;
CREATE TABLE trig_bench.plain (id bigserial PRIMARY KEY, ts timestamptz, score float8, label bool);
CREATE TABLE trig_bench.instant (LIKE trig_bench.plain INCLUDING ALL);
CREATE TABLE trig_bench.wall (LIKE trig_bench.plain INCLUDING ALL);
ALTER TABLE trig_bench.wall ALTER COLUMN ts TYPE timestamp;
INSERT INTO trig_bench.plain (ts, score) SELECT t, random() FROM generate_series(timestamptz '2026-01-01', '2026-01-01 23:59', '1 minute') t;
INSERT INTO trig_bench.instant SELECT * FROM trig_bench.plain;
INSERT INTO trig_bench.wall SELECT id, ts, score, label FROM trig_bench.plain;
SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE name LIKE 'trig_bench %';
SELECT mlobs.create_monitor('trig_bench ' || t, 'trig_bench', ('trig_bench.' || t)::regclass, 'prediction_drift', '{}',
                            '1 hour', '2026-01-01', '2026-01-01 01:00') FROM unnest(ARRAY['instant', 'wall']) t;
SELECT count(*) AS runs FROM mlobs.run_monitors('2026-01-02 00:00', monitor_ids => ARRAY(
  SELECT id FROM mlobs.monitors WHERE name LIKE 'trig_bench %'));

CREATE TEMP TABLE trig_times (rep int, statement text, tbl text, us float8);
-- µs per statement of `n` statements of one kind on one table.
CREATE FUNCTION pg_temp.time_statements(kind text, tbl text, n int) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
  sql text := CASE kind
    -- Stamped now (the database's clock): since the fix of 2026-12-07 an insert stamped more than
    -- a minute before its statement counts as late once the table's monitors have run.
    WHEN 'insert_1' THEN 'INSERT INTO trig_bench.%I (ts, score) VALUES (now(), 0.5)'
    WHEN 'insert_1000' THEN 'INSERT INTO trig_bench.%I (ts, score) SELECT now(), 0.5 FROM generate_series(1, 1000)'
    WHEN 'insert_late' THEN 'INSERT INTO trig_bench.%I (ts, score) VALUES (''2026-01-01 12:00'', 0.5)'
    WHEN 'update_label' THEN 'UPDATE trig_bench.%I SET label = NOT coalesce(label, false) WHERE id = 700' END;
  t0 timestamptz;
BEGIN
  sql := format(sql, tbl);
  t0 := clock_timestamp();
  FOR i IN 1..n LOOP
    EXECUTE sql;
  END LOOP;
  RETURN extract(epoch FROM clock_timestamp() - t0) * 1e6 / n;
END $$;

SELECT set_config('trig.reps', :'reps', false), set_config('trig.n', :'n', false) \gset
DO $$
DECLARE
  kind text;
  tbl text;
  n int := current_setting('trig.n')::int;
BEGIN
  FOR rep IN 1..current_setting('trig.reps')::int LOOP
    FOREACH kind IN ARRAY ARRAY['insert_1', 'insert_1000', 'insert_late', 'update_label'] LOOP
      -- Alternate the tables' order between repetitions.
      FOREACH tbl IN ARRAY CASE WHEN rep % 2 = 0 THEN ARRAY['wall', 'instant', 'plain'] ELSE ARRAY['plain', 'instant', 'wall'] END LOOP
        INSERT INTO trig_times VALUES (rep, kind, tbl, pg_temp.time_statements(kind, tbl, CASE WHEN kind = 'insert_1000' THEN n / 20 ELSE n END));
      END LOOP;
    END LOOP;
    -- Keep the benchmark's recorded changes and new rows from growing across repetitions.
    DELETE FROM trig_bench.plain WHERE id > 1440;
    DELETE FROM trig_bench.instant WHERE id > 1440;
    DELETE FROM trig_bench.wall WHERE id > 1440;
    DELETE FROM mlobs.source_changes WHERE source::text LIKE 'trig_bench.%';
  END LOOP;
END $$;

-- Median µs per statement and the tracked tables' ratio to the untracked one.
SELECT s.statement,
       round(s.plain::numeric, 1) AS plain_us,
       round(s.instant::numeric, 1) AS instant_us, round((s.instant / s.plain)::numeric, 2) AS instant_ratio,
       round(s.wall::numeric, 1) AS wall_us, round((s.wall / s.plain)::numeric, 2) AS wall_ratio
  FROM (SELECT statement,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE tbl = 'plain') AS plain,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE tbl = 'instant') AS instant,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE tbl = 'wall') AS wall
          FROM trig_times GROUP BY statement) s
 ORDER BY array_position(ARRAY['insert_1', 'insert_1000', 'insert_late', 'update_label'], s.statement);

SELECT mlobs.drop_monitor(name) FROM mlobs.monitors WHERE name LIKE 'trig_bench %';
DROP SCHEMA trig_bench CASCADE;
