-- Checks of the concurrency and load test (tests/integration/load/run.sh), run once ingest, runners and
-- dashboards have stopped and a final run has closed the last windows. Prints one line per check,
-- "PASS|name|detail" or "FAIL|name|detail", then informational "INFO|..." lines.
-- psql variables: calls (run_monitors calls the runner clients made), last_run (the last runs.id of the
-- load phase), rows_logged (rows of the ingest transactions pgbench saw commit), speed, grace_s.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SET timezone = 'UTC';
CREATE TEMP TABLE checks (n serial, ok bool, name text, detail text);
\set tol 1e-9

-- What every window should contain, straight from the log (one scan).
CREATE TEMP TABLE truth AS
SELECT date_bin('1 minute', ts, '2000-01-01') AS ws, count(*) AS n, count(label) AS labelled,
       count(*) FILTER (WHERE label = predicted) AS correct,
       count(*) FILTER (WHERE label = 1 AND predicted = 1) AS tp,
       count(*) FILTER (WHERE label = 0 AND predicted = 1) AS fp,
       count(*) FILTER (WHERE label = 1 AND predicted = 0) AS fn,
       count(*) FILTER (WHERE failed) AS failed, avg(score) AS mean_score,
       count(*) FILTER (WHERE features->'age' = 'null') AS age_missing
  FROM load.predictions WHERE ts >= '2026-01-01' GROUP BY 1;

INSERT INTO checks (ok, name, detail)
SELECT bool_and(w.window_size = '1 minute'), 'monitors use 1-minute windows (what the checks assume)',
       string_agg(DISTINCT w.window_size::text, ', ')
  FROM mlobs.monitors w;

-- 1. The uniqueness the upserts rely on is declared, valid and not violated (scanned without the indexes).
INSERT INTO checks (ok, name, detail)
SELECT count(*) = 2, 'primary keys of monitor_windows and metric_points present and valid',
       string_agg(c.conrelid::regclass || ' ' || pg_get_constraintdef(c.oid), '; ')
  FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
 WHERE c.contype = 'p' AND i.indisvalid AND i.indisunique
   AND (c.conrelid, pg_get_constraintdef(c.oid)) IN (('mlobs.monitor_windows'::regclass, 'PRIMARY KEY (monitor_id, window_start, segment)'),
                                                     ('mlobs.metric_points'::regclass, 'PRIMARY KEY (monitor_id, window_start, segment, feature, metric)'));
SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off;
INSERT INTO checks (ok, name, detail)
SELECT count(*) = 0, 'no duplicate metric points', count(*) || ' (monitor, window, segment, feature, metric) with more than one point'
  FROM (SELECT FROM mlobs.metric_points GROUP BY monitor_id, window_start, segment, feature, metric HAVING count(*) > 1) d;
INSERT INTO checks (ok, name, detail)
SELECT count(*) = 0, 'no duplicate windows', count(*) || ' (monitor, window, segment) with more than one row'
  FROM (SELECT FROM mlobs.monitor_windows GROUP BY monitor_id, window_start, segment HAVING count(*) > 1) d;
RESET enable_indexscan; RESET enable_indexonlyscan; RESET enable_bitmapscan;

-- 2. No gaps: every window from the first to the watermark exists (with its 'rows' point), none beyond.
INSERT INTO checks (ok, name, detail)
SELECT count(w.window_start) = count(*) AND count(p.metric) = count(*)
       AND NOT EXISTS (SELECT FROM mlobs.monitor_windows x WHERE x.monitor_id = m.id AND x.window_end > m.watermark),
       'no gaps: ' || m.name,
       format('%s windows %s .. %s; %s missing, %s without a rows point', count(*), min(g), max(g) + m.window_size,
              count(*) - count(w.window_start), count(*) - count(p.metric))
  FROM mlobs.monitors m
 CROSS JOIN LATERAL generate_series(timestamptz '2026-01-01', m.watermark - m.window_size, m.window_size) g
  LEFT JOIN mlobs.monitor_windows w ON w.monitor_id = m.id AND w.window_start = g AND w.window_end = g + m.window_size
  LEFT JOIN mlobs.metric_points p ON p.monitor_id = m.id AND p.window_start = g AND p.feature = '' AND p.metric = 'rows'
 GROUP BY m.id, m.name, m.watermark ORDER BY m.id;

-- 3. Every ingested row counted exactly once: per window, the monitor's row count = count(*) of the log,
--    summed over the windows = the rows pgbench saw commit; rows_total (the Prometheus counter) agrees.
INSERT INTO checks (ok, name, detail)
SELECT count(*) FILTER (WHERE w.rows <> coalesce(t.n, 0) OR p.value IS DISTINCT FROM coalesce(t.n, 0)::float8) = 0
       AND sum(w.rows) = :rows_logged AND m.rows_total = sum(w.rows),
       'every row counted once: ' || m.name,
       format('%s rows in %s windows (logged %s, rows_total %s); %s windows differ from count(*)', sum(w.rows),
              count(*), :rows_logged, m.rows_total,
              count(*) FILTER (WHERE w.rows <> coalesce(t.n, 0) OR p.value IS DISTINCT FROM coalesce(t.n, 0)::float8))
  FROM mlobs.monitors m JOIN mlobs.monitor_windows w ON w.monitor_id = m.id
  LEFT JOIN truth t ON t.ws = w.window_start
  LEFT JOIN mlobs.metric_points p ON p.monitor_id = m.id AND p.window_start = w.window_start AND p.feature = '' AND p.metric = 'rows'
 GROUP BY m.id, m.name, m.rows_total ORDER BY m.id;
INSERT INTO checks (ok, name, detail)
SELECT sum(n) = :rows_logged, 'the log holds exactly the rows pgbench saw commit', sum(n) || ' rows, logged ' || :rows_logged
  FROM truth;

-- 4. The premise of 3: run_monitors closes a window as soon as `now` passes its end (no grace period of its
--    own), so a row committed after its window was closed is never counted unless backfilled. The runners
--    lag :grace_s real seconds; every ingest transaction must have committed within it (commit timestamps).
CREATE TEMP TABLE clock AS SELECT now() - (load.sim(now()) - timestamptz '2026-01-01') / :speed AS real_epoch;
INSERT INTO checks (ok, name, detail)
SELECT count(*) FILTER (WHERE c >= closable) = 0 AND count(*) FILTER (WHERE c IS NULL) = 0,
       'every ingest transaction committed within the grace (' || :grace_s || ' s)',
       format('%s rows, commit latency max %s ms; %s committed after their window ended (what a run without grace '
              'could miss), %s after it could close; %s without commit timestamp',
              count(*), round(extract(epoch FROM max(c - stamped)) * 1000, 1), count(*) FILTER (WHERE c >= ended),
              count(*) FILTER (WHERE c >= closable), count(*) FILTER (WHERE c IS NULL))
  FROM (SELECT c, stamped, ended, ended + make_interval(secs => :grace_s) AS closable
          FROM (SELECT pg_xact_commit_timestamp(p.xmin) AS c,
                       k.real_epoch + (p.ts - timestamptz '2026-01-01') / :speed AS stamped,
                       k.real_epoch + (date_bin('1 minute', p.ts, '2000-01-01') + interval '1 minute'
                                       - timestamptz '2026-01-01') / :speed AS ended
                  -- A row labelled later by UPDATE carries the labeller's xmin: its insert's commit
                  -- time is gone, so only rows as ingest wrote them are judged here.
                  FROM load.predictions p, clock k WHERE p.ts >= '2026-01-01' AND NOT p.late_label) r1) r;

-- 5. Values equal a direct computation over each window's rows (SQL only, not the monitor code).
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS bool LANGUAGE sql IMMUTABLE
AS $$ SELECT a IS NOT DISTINCT FROM b OR abs(a - b) <= 1e-9 * greatest(1, abs(b)) $$;
INSERT INTO checks (ok, name, detail)
SELECT count(*) FILTER (WHERE NOT pg_temp.close(p.value, x.expected)) = 0 AND count(*) > 0,
       'direct SQL recomputation: ' || x.metric,
       format('%s windows compared, %s differ', count(*), count(*) FILTER (WHERE NOT pg_temp.close(p.value, x.expected)))
  FROM mlobs.monitors m JOIN truth t ON true
 CROSS JOIN LATERAL (VALUES
   ('classification', '', 'accuracy', t.correct::float8 / nullif(t.labelled, 0)),
   ('classification', '', 'labelled_rows', t.labelled::float8),
   ('classification', '', 'f1', 2.0 * t.tp / nullif(2 * t.tp + t.fp + t.fn, 0)),
   ('latency', '', 'error_rate', t.failed::float8 / t.n),
   ('prediction_drift', 'prediction', 'mean', t.mean_score),
   ('quality', 'age', 'missing_share', t.age_missing::float8 / t.n)) x(kind, feature, metric, expected)
  JOIN mlobs.metric_points p ON p.monitor_id = m.id AND p.window_start = t.ws AND p.feature = x.feature AND p.metric = x.metric
 WHERE m.kind = x.kind
 GROUP BY x.metric ORDER BY x.metric;

-- 6. Runs: one row per call, none failed; skipped = lost the advisory lock to the other session.
INSERT INTO checks (ok, name, detail)
SELECT count(*) = :calls AND count(*) FILTER (WHERE status NOT IN ('ok', 'skipped') OR errors <> '[]') = 0,
       'runs: one per run_monitors call, none failed',
       format('%s calls, %s runs: %s ok, %s skipped, %s partial or running', :calls, count(*),
              count(*) FILTER (WHERE status = 'ok'), count(*) FILTER (WHERE status = 'skipped'),
              count(*) FILTER (WHERE status NOT IN ('ok', 'skipped')))
  FROM mlobs.runs WHERE id <= :last_run;

-- 7. From scratch: recompute every window in place (backfill) on the same rows, quietly; the points written
--    under load must be the same set with the same values (1e-9 relative: a summary's floating-point state
--    depends on the order rows are read in, index or heap order, so its text may differ in the last bits).
CREATE TEMP TABLE points_before AS SELECT * FROM mlobs.metric_points;
CREATE TEMP TABLE windows_before AS SELECT * FROM mlobs.monitor_windows;
SELECT status AS bf_status, windows AS bf_windows, errors AS bf_errors
  FROM mlobs.run_monitors((SELECT min(watermark) FROM mlobs.monitors), backfill_from => '2026-01-01') \gset
INSERT INTO checks (ok, name, detail)
SELECT :'bf_status' = 'ok' AND :bf_windows = count(*), 'backfill recomputation ran',
       format('status %s, %s windows recomputed of %s, errors %s', :'bf_status', :bf_windows, count(*), :'bf_errors')
  FROM windows_before;
INSERT INTO checks (ok, name, detail)
SELECT count(*) FILTER (WHERE b.monitor_id IS NULL OR a.monitor_id IS NULL OR NOT pg_temp.close(b.value, a.value)) = 0,
       'metric points under load = recomputed from scratch',
       format('%s points; %s only under load, %s only recomputed, %s values differ (bit-identical: %s)',
              count(*), count(*) FILTER (WHERE a.monitor_id IS NULL), count(*) FILTER (WHERE b.monitor_id IS NULL),
              count(*) FILTER (WHERE NOT pg_temp.close(b.value, a.value)),
              count(*) FILTER (WHERE b.value IS NOT DISTINCT FROM a.value))
  FROM points_before b FULL JOIN mlobs.metric_points a
    ON (a.monitor_id, a.window_start, a.feature, a.metric) = (b.monitor_id, b.window_start, b.feature, b.metric);
INSERT INTO checks (ok, name, detail)
SELECT count(*) FILTER (WHERE b.rows IS DISTINCT FROM a.rows) = 0,
       'window row counts under load = recomputed from scratch',
       format('%s windows, %s differ (summary text identical: %s)', count(*),
              count(*) FILTER (WHERE b.rows IS DISTINCT FROM a.rows), count(*) FILTER (WHERE b.summary = a.summary))
  FROM windows_before b FULL JOIN mlobs.monitor_windows a USING (monitor_id, window_start);

SELECT CASE WHEN ok THEN 'PASS' ELSE 'FAIL' END, name, detail FROM checks ORDER BY n;

-- Informational: what the load produced.
SELECT 'INFO', 'runs', format('ok runs: mean %s ms, max %s ms, %s windows and %s points written, %s alert transitions',
       round(avg(duration_ms)::numeric, 1), round(max(duration_ms)::numeric, 1), sum(windows), sum(points), sum(alert_transitions))
  FROM mlobs.runs WHERE id <= :last_run AND status = 'ok';
SELECT 'INFO', 'alerts', format('%s alerts (%s), %s retraining requests', count(*),
       (SELECT string_agg(state || ' ' || c, ', ') FROM (SELECT state, count(*) c FROM mlobs.alerts GROUP BY 1) s),
       (SELECT count(*) FROM mlobs.retraining_requests))
  FROM mlobs.alerts;
