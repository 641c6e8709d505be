-- ==== the monitoring run: windows, revisions, the pg_cron job (docs/monitoring.md) ================
-- run_monitors (what pg_cron calls) computes, revises and retries windows, each group of monitors
-- of one source as their owner, each window of each monitor in its own subtransaction. Monitors
-- that read the same source with the same timestamp column, window size and owner share one scan:
-- a catch-up computes up to 24 of their windows per statement (GROUP BY window), and identical
-- summary expressions (feature_drift and quality both summarise the features) once.

-- Stores windows of one monitor (or one segment of them) from their summaries: the summaries
-- (upserted) and their metric points, one statement each for all the windows. Returns the number
-- of points written and the rows the windows add to the monitor's rows_total (the caller adds them
-- up): their rows the first time, any rows that arrived late when they are recomputed (never
-- negative: rows_total is a true counter; a segment adds none). A segment's metrics come from its
-- summary and reference (the caller passes m with the segment's reference); metrics that re-read
-- the window's rows (concept drift, CBPE) are computed for the whole window only.
CREATE FUNCTION mlobs._monitor_store_windows(m mlobs.monitors, starts timestamptz[], ends timestamptz[], counts bigint[],
                                             summaries text[], segment text DEFAULT '', OUT points int, OUT added bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  whole CONSTANT bool := _monitor_store_windows.segment = '';
BEGIN
  SELECT coalesce(sum(greatest(u.n - coalesce(w.rows, 0), 0)) FILTER (WHERE whole), 0) INTO added
    FROM unnest(starts, counts) u(s, n)
    LEFT JOIN mlobs.monitor_windows w
      ON w.monitor_id = m.id AND w.window_start = u.s AND w.segment = _monitor_store_windows.segment;
  INSERT INTO mlobs.monitor_windows (monitor_id, window_start, window_end, rows, summary, segment)
  SELECT m.id, u.s, u.e, u.n, u.summary, _monitor_store_windows.segment
    FROM unnest(starts, ends, counts, summaries) u(s, e, n, summary)
  ON CONFLICT ON CONSTRAINT monitor_windows_pkey
    DO UPDATE SET rows = excluded.rows, summary = excluded.summary, computed_at = now();
  -- A recomputed window's points are replaced, not upserted: a metric its new summary no longer
  -- gives (labels withdrawn: no accuracy) must not linger beside the new ones. The range keeps the
  -- probe on the key's (monitor, window) prefix: planned with the statistics of a small table,
  -- `window_start = ANY` was a filter over every point of the monitor's segment, and a catch-up's
  -- cost per window grew with its history (30 days 21 ms a window, 120 days 42 ms; review of
  -- 2026-12-08).
  DELETE FROM mlobs.metric_points p
   WHERE p.monitor_id = m.id AND p.window_start >= (SELECT min(x) FROM unnest(starts) x) AND p.window_start <= (SELECT max(x) FROM unnest(starts) x)
     AND p.window_start = ANY (starts) AND p.segment = _monitor_store_windows.segment;
  INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, feature, metric, value, segment)
  SELECT m.id, u.e, u.s, m.model, x.feature, x.metric, x.value, _monitor_store_windows.segment
    FROM unnest(starts, ends, counts, summaries) u(s, e, n, summary)
   CROSS JOIN LATERAL mlobs._monitor_metrics(m, u.summary, u.n, CASE WHEN whole THEN u.s END,
                                             CASE WHEN whole THEN u.e END) x;
  GET DIAGNOSTICS points = ROW_COUNT;
  IF whole THEN
    DELETE FROM mlobs.window_failures f
     WHERE f.monitor_id = m.id AND f.window_start >= (SELECT min(x) FROM unnest(starts) x) AND f.window_start <= (SELECT max(x) FROM unnest(starts) x)
       AND f.window_start = ANY (starts);
  END IF;
END $$;

-- Stores the segments of one window of a segmented monitor (`segs`, with their row counts and
-- summaries, from a GROUP BY over the window): each against its own reference. A segment the
-- window no longer has (its rows were deleted) loses its row and points. Returns the points
-- written.
CREATE FUNCTION mlobs._monitor_store_segments(m mlobs.monitors, ws timestamptz, we timestamptz, segs text[], counts bigint[],
                                              sums text[]) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  ms mlobs.monitors := m;
  sg record;
  points int := 0;
  st record;
BEGIN
  DELETE FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.window_start = ws AND w.segment <> ''
     AND w.segment <> ALL (coalesce(segs, '{}'));
  DELETE FROM mlobs.metric_points p WHERE p.monitor_id = m.id AND p.window_start = ws AND p.segment <> ''
     AND p.segment <> ALL (coalesce(segs, '{}'));
  FOR sg IN SELECT u.segment, u.n, u.summary, s.reference_summary, s.reference_metrics
              FROM unnest(segs, counts, sums) u(segment, n, summary)
              LEFT JOIN mlobs.monitor_segments s ON s.monitor_id = m.id AND s.segment = u.segment LOOP
    ms.reference_summary := sg.reference_summary;
    ms.reference_metrics := sg.reference_metrics;
    SELECT * INTO st FROM mlobs._monitor_store_windows(ms, ARRAY[ws], ARRAY[we], ARRAY[sg.n], ARRAY[sg.summary],
                                                       sg.segment);
    points := points + st.points;
  END LOOP;
  RETURN points;
END $$;

-- One window of one monitor scanned on its own (a window whose shared scan failed: computed
-- alone, its failure is its own), with its segments. Returns what _monitor_store_windows returns (points
-- of the segments included).
CREATE FUNCTION mlobs._monitor_window(m mlobs.monitors, ws timestamptz, we timestamptz, OUT points int, OUT added bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  summary text;
  n bigint;
  seg_sql text := mlobs._monitor_segment_sql(m);
  segs text[];
  counts bigint[];
  sums text[];
BEGIN
  EXECUTE format('SELECT count(*), %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(m), m.source,
                 m.ts_column, m.ts_column)
    INTO n, summary USING ws, we;
  SELECT * INTO points, added FROM mlobs._monitor_store_windows(m, ARRAY[ws], ARRAY[we], ARRAY[n], ARRAY[summary]);
  IF seg_sql IS NOT NULL THEN
    EXECUTE format('SELECT array_agg(g), array_agg(n), array_agg(s) FROM (SELECT %s AS g, count(*) AS n, %s AS s FROM %s
                     WHERE %I >= $1 AND %I < $2 GROUP BY 1) x', seg_sql, mlobs._monitor_summary_sql(m), m.source,
                   m.ts_column, m.ts_column)
      INTO segs, counts, sums USING ws, we;
    points := points + mlobs._monitor_store_segments(m, ws, we, segs, counts, sums);
  END IF;
END $$;

-- A classification monitor's reference summary with the reference side of concept drift added
-- under the key 'concept' (mlobs.concept_reference over the labelled reference rows; JSON null
-- without such rows).
CREATE FUNCTION mlobs._monitor_concept(m mlobs.monitors) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  concept jsonb;
BEGIN
  EXECUTE format('SELECT mlobs.concept_reference(array_agg(%1$s), array_agg(%2$s::float8)) FROM %3$s
                   WHERE %4$I >= $1 AND %4$I < $2 AND %2$s IS NOT NULL AND %1$s IS NOT NULL',
                 mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), m.source, m.ts_column)
    INTO concept USING m.reference_from, m.reference_to;
  RETURN (m.reference_summary::jsonb || jsonb_build_object('concept', concept))::text;
END $$;

-- The segments a monitor with segment_by keeps apart, learned once (mlobs.monitor_segments): its
-- config's `segments`, else the max_segments (default 20) values with the most rows in [lo, hi)
-- (its reference, or without one the day before a run, once its log has had rows for a day:
-- _monitor_plan), ties by value; '(other)' takes the rest. Does
-- nothing when they are learned already, or when [lo, hi) has no rows yet (then the next run
-- tries again; until then the monitor computes its windows as a whole only).
CREATE FUNCTION mlobs._monitor_learn_segments(m mlobs.monitors, lo timestamptz, hi timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  raw text := mlobs._monitor_segment_raw_sql(m.config);
  vals text[];
BEGIN
  IF raw IS NULL OR EXISTS (SELECT 1 FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id) THEN RETURN; END IF;
  IF m.config ? 'segments' THEN
    SELECT array_agg(DISTINCT v) INTO vals FROM jsonb_array_elements_text(m.config->'segments') v
     WHERE v <> '(other)' AND octet_length(v) <= 1000;
  ELSE
    -- A value '(other)' in the data is not learned: it is the bucket's name, and its rows go there.
    -- Nor is an empty string: segment '' is the whole window in every table of the runtime. Nor
    -- a value over 1000 bytes (a key of the windows' and points' indexes: one of 2.7 kB failed
    -- every run of the monitor, review of 2026-12-07): its rows go to '(other)'.
    EXECUTE format('SELECT array_agg(v ORDER BY n DESC, v) FROM (SELECT %s AS v, count(*) AS n FROM %s
                     WHERE %I >= $1 AND %I < $2 GROUP BY 1 HAVING %1$s NOT IN (''(other)'', '''') AND octet_length(%1$s) <= 1000
                     ORDER BY 2 DESC, 1 LIMIT $3) x', raw, m.source,
                   m.ts_column, m.ts_column)
      INTO vals USING lo, hi, coalesce((m.config->>'max_segments')::int, 20);
  END IF;
  IF vals IS NULL THEN RETURN; END IF;
  INSERT INTO mlobs.monitor_segments (monitor_id, segment, rank)
  SELECT m.id, v, o FROM unnest(vals || '(other)'::text) WITH ORDINALITY u(v, o);
END $$;

-- The reference of each segment of a monitor (its summary over the segment's reference rows and
-- the metrics of that summary), beside the monitor's own; a segment without reference rows has
-- none (its drift metrics are then missing).
CREATE FUNCTION mlobs._monitor_segment_references(m mlobs.monitors) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  seg_sql text := mlobs._monitor_segment_sql(m);
  with_metrics bool := (SELECT d.reference_metrics FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind);
BEGIN
  IF seg_sql IS NULL OR m.reference_from IS NULL OR m.kind = 'cbpe' THEN RETURN; END IF;
  EXECUTE format('UPDATE mlobs.monitor_segments s SET reference_rows = coalesce(r.n, 0), reference_summary = r.summary,
                    reference_metrics = NULL
                    FROM (SELECT s2.segment, x.n, x.summary FROM mlobs.monitor_segments s2
                            LEFT JOIN (SELECT %s AS g, count(*) AS n, %s AS summary FROM %s
                                        WHERE %I >= $1 AND %I < $2 GROUP BY 1) x ON x.g = s2.segment
                           WHERE s2.monitor_id = $3) r
                   WHERE s.monitor_id = $3 AND s.segment = r.segment',
                 seg_sql, mlobs._monitor_summary_sql(m), m.source, m.ts_column, m.ts_column)
    USING m.reference_from, m.reference_to, m.id;
  IF with_metrics THEN
    UPDATE mlobs.monitor_segments s SET reference_metrics = coalesce((
        SELECT jsonb_object_agg(x.metric, x.value)
          FROM mlobs._monitor_metrics(m, s.reference_summary, NULL, NULL, NULL) x
         WHERE x.feature = '' AND x.value IS NOT NULL), '{}')
     WHERE s.monitor_id = m.id AND s.reference_summary IS NOT NULL;
  END IF;
END $$;

-- A monitor's reference summary and metrics (the base of drift and of drop_vs_reference rules),
-- computed over [reference_from, reference_to) and stored in the monitor row. A classification
-- monitor with scores also keeps the reference side of concept drift (mlobs.concept_reference)
-- under the key 'concept', so its windows never read the reference rows again.
-- `summary`: the reference summary when the caller computed it already (one scan for the
-- references of several monitors, _run_source).
CREATE FUNCTION mlobs._monitor_reference(m mlobs.monitors, summary text DEFAULT NULL) RETURNS mlobs.monitors
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  -- The summary expression must not depend on the reference being replaced.
  m.reference_summary := NULL;
  IF m.kind = 'multivariate_drift' THEN
    m.reference_summary := mlobs._mv_reference(m);
  ELSIF summary IS NOT NULL AND m.kind <> 'cbpe' THEN
    m.reference_summary := summary;
  ELSIF m.kind = 'cbpe' THEN
    EXECUTE format('SELECT mlobs.calibration_agg(%1$s, %2$s)::text FROM %3$s WHERE %4$I >= $1 AND %4$I < $2 AND %2$s IS NOT NULL AND %1$s IS NOT NULL',
                   mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), m.source, m.ts_column)
      INTO m.reference_summary USING m.reference_from, m.reference_to;
  ELSE
    EXECUTE format('SELECT %s FROM %s WHERE %I >= $1 AND %I < $2', mlobs._monitor_summary_sql(m), m.source,
                   m.ts_column, m.ts_column)
      INTO m.reference_summary USING m.reference_from, m.reference_to;
  END IF;
  IF m.reference_summary IS NULL AND m.kind = 'cbpe' THEN
    -- Its rows may well be there: the calibration map needs their labels (retried every run).
    RAISE EXCEPTION 'monitor %: the reference window [%, %) has no rows with a label and a score yet (CBPE calibrates on labelled rows)',
      m.name, m.reference_from, m.reference_to;
  ELSIF m.reference_summary IS NULL THEN
    RAISE EXCEPTION 'monitor %: the reference window [%, %) has no rows', m.name, m.reference_from, m.reference_to;
  END IF;
  IF m.kind = 'classification' AND m.config ? 'score' THEN
    m.reference_summary := mlobs._monitor_concept(m);
  END IF;
  m.reference_metrics := coalesce((SELECT jsonb_object_agg(x.metric, x.value) FROM mlobs._monitor_metrics(
      m, CASE WHEN (SELECT d.reference_metrics FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind)
              THEN m.reference_summary END, NULL,
      NULL, NULL) x WHERE x.feature = '' AND x.value IS NOT NULL), '{}');
  UPDATE mlobs.monitors SET reference_summary = m.reference_summary, reference_metrics = m.reference_metrics
   WHERE id = m.id;
  PERFORM mlobs._monitor_learn_segments(m, m.reference_from, m.reference_to);
  PERFORM mlobs._monitor_segment_references(m);
  RETURN m;
END $$;

-- Records a window that failed in mlobs.window_failures (first failure, or one more attempt) and
-- returns the run's error entry: a first failure names a query listing the window's rows (ISO
-- timestamps in UTC, whatever the session's DateStyle and TimeZone), a retry says so.
CREATE FUNCTION mlobs._record_window_failure(m mlobs.monitors, ws timestamptz, we timestamptz, e_state text, e_msg text,
                                             retry bool) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  find_rows text := format('SELECT * FROM %s WHERE %I >= %L AND %I < %L', m.source,
                           m.ts_column, to_char(ws AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"'),
                           m.ts_column, to_char(we AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"'));
BEGIN
  INSERT INTO mlobs.window_failures (monitor_id, window_start, window_end, sqlstate, error, find_rows)
  VALUES (m.id, ws, we, e_state, e_msg, find_rows)
  ON CONFLICT ON CONSTRAINT window_failures_pkey DO UPDATE
    SET attempts = window_failures.attempts + 1, last_failed_at = now(), sqlstate = excluded.sqlstate,
        error = excluded.error;
  RETURN jsonb_build_object('monitor', m.name, 'window_start', ws, 'sqlstate', e_state, 'error', e_msg)
         || CASE WHEN retry THEN jsonb_build_object('retry', true) ELSE jsonb_build_object('find_rows', find_rows) END;
END $$;

-- Prepares one monitor for a run and lists the windows it computes, in order. It locks the
-- monitor's row, computes its reference (once, and again while labels may still land in it; a
-- classification monitor from before 0.3.0 gets its concept side added), then lists: the
-- windows that failed before (`retry`) and the computed windows still within the monitor's
-- horizon whose rows or labels changed (`revise`; `changed`: the source's changed minutes, NULL
-- when its changes are not tracked, then label monitors revise every window within
-- label_horizon; `changed_at`: when each was first recorded, a window within its horizon then
-- takes it however late the run), then every complete window after the watermark, or from `backfill_from`, never
-- before the monitor's first window (`new`). `watermark` is where its watermark moves to. Windows
-- that start before the source's retention boundary (mlobs.log_retention: their rows were
-- dropped) are never recomputed, nor a reference that reaches before it.
CREATE FUNCTION mlobs._monitor_plan(monitor_id bigint, as_of timestamptz, backfill_from timestamptz, changed timestamptz[],
                                    changed_at timestamptz[], OUT m mlobs.monitors, OUT starts timestamptz[], OUT ends timestamptz[],
                                    OUT works text[], OUT watermark timestamptz)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  labels bool;
  reference_labels bool;
  horizon interval;
  ws timestamptz;
  first_ws timestamptz;
  first_ts timestamptz;
  retained timestamptz;
  keep_from timestamptz;
  max_new CONSTANT int := 100000;
  n_new int;
  step interval;
  -- The concept side of a classification monitor's reference was computed again (its labels
  -- landed): every window's concept_drift_score within label_horizon was against the old one.
  concept_changed bool := false;
  old_concept jsonb;
  old_summary text;
  learn bool;
  learn_lo timestamptz;
  learn_hi timestamptz;
BEGIN
  -- NO KEY, as run_monitors holds it: a FOR UPDATE would block other sessions' KEY SHARE locks
  -- (foreign keys to the monitor) for the rest of the run.
  SELECT * INTO m FROM mlobs.monitors mo WHERE mo.id = monitor_id FOR NO KEY UPDATE;
  -- The window as a span of time: timestamptz + '1 day' follows the session's calendar (23 or 25
  -- hours at a DST change), while the grid (date_bin) counts a day as 24 hours.
  step := make_interval(secs => extract(epoch FROM m.window_size));
  SELECT d.labelled, d.reference_labelled INTO labels, reference_labels FROM mlobs._monitor_kinds() d WHERE d.kind = m.kind;
  retained := mlobs._retained_before(m.source);
  IF retained IS NOT NULL THEN
    keep_from := date_bin(m.window_size, retained, timestamptz '2000-01-01 00:00:00+00');
    IF keep_from < retained THEN keep_from := keep_from + step; END IF;
    IF m.reference_summary IS NULL AND m.reference_from < retained THEN
      RAISE EXCEPTION 'monitor %: its reference [%, %) begins before the rows kept in % (from %, mlobs.log_retention)',
        m.name, m.reference_from, m.reference_to, m.source, retained USING ERRCODE = '22023',
        HINT = 'Create the monitor again with a reference period after the retention boundary.';
    END IF;
  END IF;
  IF m.reference_from IS NOT NULL AND (m.reference_summary IS NULL
     -- Labels still landing in the reference: recompute it (when they changed, if tracked).
     OR (reference_labels AND m.reference_from >= coalesce(retained, '-infinity')
         AND CASE WHEN changed IS NULL THEN m.reference_to > as_of - m.label_horizon
                  ELSE EXISTS (SELECT 1 FROM unnest(changed, changed_at) c(t, at) WHERE c.t >= m.reference_from AND c.t < m.reference_to
                                  AND m.reference_to > least(as_of, c.at) - m.label_horizon) END)) THEN
    old_concept := CASE WHEN m.reference_summary IS NOT NULL THEN m.reference_summary::jsonb->'concept' END;
    old_summary := m.reference_summary;
    m := mlobs._monitor_reference(m);
    -- Windows judged against the old reference: the concept side of a classification monitor
    -- with scores, a CBPE monitor's calibration map (its estimates stayed those of a partial map
    -- for good: review of 2026-12-07).
    concept_changed := m.kind = 'classification' AND m.config ? 'score'
                       AND (m.reference_summary::jsonb->'concept') IS DISTINCT FROM old_concept
                       OR m.kind = 'cbpe' AND old_summary IS NOT NULL AND m.reference_summary IS DISTINCT FROM old_summary;
  ELSIF m.kind = 'classification' AND m.config ? 'score' AND NOT m.reference_summary::jsonb ? 'concept' THEN
    -- A monitor from before 0.3.0: only the concept side is added (its reference rows may be
    -- gone by now; then it is NULL and the windows get no concept_drift_score, as before).
    m.reference_summary := mlobs._monitor_concept(m);
    UPDATE mlobs.monitors mo SET reference_summary = m.reference_summary WHERE mo.id = m.id;
  END IF;
  -- segment_by added to a monitor whose reference was computed before: learn its segments now.
  IF m.reference_summary IS NOT NULL AND mlobs._monitor_segment_raw_sql(m.config) IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id) THEN
    PERFORM mlobs._monitor_learn_segments(m, m.reference_from, m.reference_to);
    PERFORM mlobs._monitor_segment_references(m);
  END IF;
  starts := '{}'; ends := '{}'; works := '{}';
  -- The monitor's first window: start_at, else the end of the reference, else its first row
  -- with a finite timestamp (a row stamped -infinity belongs to no window).
  first_ts := coalesce(m.start_at, m.reference_to);
  IF first_ts IS NULL THEN
    EXECUTE format('SELECT min(%1$I) FROM %2$s WHERE %1$I > ''-infinity'' AND %1$I < ''infinity''', m.ts_column, m.source)
      INTO first_ts;
  END IF;
  IF first_ts IS NULL THEN RETURN; END IF;
  first_ws := date_bin(m.window_size, first_ts, timestamptz '2000-01-01 00:00:00+00');
  -- Without a reference, a segmented monitor learns its segments from the day of its last
  -- complete windows, once its log has had rows for that whole day (a job's first run 5 minutes
  -- into the traffic learned from 5 rows, for good); its windows until then are computed as a
  -- whole only. Not from its first day: that may hold no rows (start_at before the traffic) or
  -- predate a column a changed segment_by names. A fixed config.segments list needs no rows.
  -- Only a monitor with segment_by reads its log here, and only until they are learned.
  IF m.reference_from IS NULL AND mlobs._monitor_segment_raw_sql(m.config) IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM mlobs.monitor_segments s WHERE s.monitor_id = m.id) THEN
    IF m.config ? 'segments' THEN
      PERFORM mlobs._monitor_learn_segments(m, NULL, NULL);
    ELSE
      -- A date column's rows sit at its dates' local midnights (the run's zone is the monitor's
      -- run_zone): whole local dates up to today's (a UTC-aligned range, or an hourly window's,
      -- held today's first rows).
      IF mlobs._column_type(m.source, m.ts_column) = 'pg_catalog.date'::regtype THEN
        learn_hi := date_trunc('day', as_of);
        learn_lo := learn_hi - make_interval(days => ceil(extract(epoch FROM greatest(step, interval '24 hours')) / 86400)::int);
      ELSE
        learn_hi := date_bin(m.window_size, as_of, timestamptz '2000-01-01 00:00:00+00');
        learn_lo := learn_hi - greatest(step, interval '24 hours');
      END IF;
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I <= $2)', m.source, m.ts_column, m.ts_column)
        INTO learn USING first_ws, learn_lo;
      IF learn THEN
        PERFORM mlobs._monitor_learn_segments(m, learn_lo, learn_hi);
      END IF;
    END IF;
  END IF;
  IF backfill_from IS NOT NULL THEN
    ws := greatest(date_bin(m.window_size, backfill_from, timestamptz '2000-01-01 00:00:00+00'), first_ws);
  ELSE
    ws := coalesce(m.watermark, first_ws);
  END IF;
  ws := greatest(ws, keep_from);
  horizon := CASE WHEN labels THEN greatest(m.label_horizon, m.late_data_horizon) ELSE m.late_data_horizon END;
  SELECT coalesce(array_agg(x.window_start ORDER BY x.window_start), '{}'), coalesce(array_agg(x.window_end ORDER BY x.window_start), '{}'),
         coalesce(array_agg(CASE WHEN x.failed THEN 'retry' ELSE 'revise' END ORDER BY x.window_start), '{}')
    INTO starts, ends, works
    FROM (SELECT DISTINCT ON (y.window_start) y.* FROM (
            -- A failed window is retried by every run while within the horizons; past them only
            -- when its rows changed (someone fixed them) or by a backfill: a bad row months old
            -- was rescanned by every run (review of 2026-12-07). It stays in window_failures.
            -- A transient failure (a lock wait timed out, a deadlock, a serialization failure,
            -- a cancel, a full disk, too many connections, an alert a concurrent evaluate_alerts
            -- opened first) says nothing of the rows: retried past the horizons too, for
            -- 30 days (a catch-up run that waited on a lock lost those windows for good, and the
            -- labels recorded for them in time: review of 2026-12-07).
            SELECT f.window_start, f.window_end, true AS failed FROM mlobs.window_failures f
             WHERE f.monitor_id = m.id AND f.window_start < ws AND f.window_start >= coalesce(keep_from, '-infinity')
               AND (f.window_end > as_of - horizon
                    OR changed IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(changed) c WHERE c >= f.window_start AND c < f.window_end)
                    OR f.sqlstate IN ('55P03', '40001', '40P01', '57014', '23505', '53100', '53300')
                       AND f.first_failed_at > pg_catalog.now() - interval '30 days')
            UNION ALL
            -- A change counts where it was recorded while the window was open to it: labels
            -- committed before the horizon's end are not lost to a run that comes after it
            -- (review of 2026-12-07: a daily job lost the last day of every horizon).
            SELECT w.window_start, w.window_end, false FROM mlobs.monitor_windows w
             WHERE w.monitor_id = m.id AND w.window_start < ws AND backfill_from IS NULL
               AND w.window_start >= coalesce(keep_from, '-infinity')
               -- A changed reference adds the windows within label_horizon to those whose rows
               -- changed (it replaced them: a late row older than label_horizon was lost).
               AND (concept_changed AND w.window_end > as_of - m.label_horizon
                    OR CASE WHEN changed IS NULL THEN labels AND w.window_end > as_of - m.label_horizon
                            ELSE EXISTS (SELECT 1 FROM unnest(changed, changed_at) c(t, at) WHERE c.t >= w.window_start AND c.t < w.window_end
                                            AND w.window_end > least(as_of, c.at) - horizon) END)) y
          ORDER BY y.window_start, y.failed DESC) x;
  -- At most max_new new windows a run (a stray row stamped 1970 would otherwise plan millions of
  -- one-minute windows in one statement); the watermark stops there and the next run goes on. A
  -- backfill cannot go on that way (the watermark is ahead already): longer ones are refused.
  IF backfill_from IS NOT NULL AND ws + max_new * step <= as_of THEN
    RAISE EXCEPTION 'monitor %: the backfill from % spans more than % windows', m.name, ws, max_new
      USING ERRCODE = '54000', HINT = 'Backfill in parts: run_monitors(now => ..., backfill_from => ...) with an earlier now first.';
  END IF;
  n_new := 0;
  LOOP
    EXIT WHEN ws + step > as_of OR n_new >= max_new;
    starts := starts || ws; ends := ends || (ws + step); works := works || 'new'::text;
    ws := ws + step;
    n_new := n_new + 1;
  END LOOP;
  watermark := ws;
END $$;

-- The monitors of one source (same relation, timestamp column, window size and owner; the caller
-- has set the role to that owner): each is planned (a monitor that fails there is reported and
-- left out), then their windows are computed in window order, up to 24 consecutive windows per
-- scan (GROUP BY window), each distinct summary expression once. A chunk whose scan fails is
-- computed window by window and monitor by monitor, so a bad row fails only what it is in. A
-- monitor's new windows of a chunk are stored in one subtransaction and its alert rules judge them
-- in order in one call (not during a backfill); when that fails, and for revisions, retries and
-- segmented monitors, each window of each monitor is stored and judged in its own subtransaction
-- (a failure is recorded in mlobs.window_failures and in `failures`; later runs retry it).
-- Progress shows in pg_stat_activity.application_name while it runs. `failed_monitors`: monitors
-- that could not be planned.
CREATE FUNCTION mlobs._run_source(ids bigint[], as_of timestamptz, backfill_from timestamptz, changed timestamptz[],
                                  changed_at timestamptz[], OUT windows int, OUT revised int, OUT points int, OUT transitions int,
                                  OUT failures jsonb, OUT failed_monitors int)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  chunk_size CONSTANT int := 24;
  origin CONSTANT timestamptz := timestamptz '2000-01-01 00:00:00+00';
  ms mlobs.monitors[] := '{}';
  marks timestamptz[] := '{}';
  adds bigint[] := '{}';         -- per monitor: rows its windows add to rows_total
  st record;
  r record;
  slots int[] := '{}';           -- per monitor: its summary expression's position in exprs
  exprs text[] := '{}';
  seg_slots int[] := '{}';       -- per monitor: its segment expression's position in seg_specs (0: none)
  seg_specs text[] := '{}';
  seg_arrays text[];             -- per segment expression: the summaries it needs (NULL elsewhere)
  sk int[];                      -- the current chunk's segment rows: expression, window, segment, rows, summaries
  sb timestamptz[];
  sg text[];
  sn bigint[];
  ss text[];
  x_b timestamptz[];
  x_g text[];
  x_n bigint[];
  x_s text[];
  seg_sql text;
  seg_segs text[];
  seg_counts bigint[];
  seg_sums text[];
  p record;
  m mlobs.monitors;
  expr text;
  i int;
  j int;
  k int;
  -- Every planned (monitor, window), in window order.
  pm int[] := '{}';
  ps timestamptz[] := '{}';
  pe timestamptz[] := '{}';
  pw text[] := '{}';
  -- The distinct windows, and the current chunk's scan.
  ws_all timestamptz[];
  we_all timestamptz[];
  c_from int;
  c_to int;
  grid bool;
  exprs_sql text;
  from_sql text;
  bins timestamptz[];
  counts bigint[];
  sums text[];
  empty text[];
  shared bool;
  in_bins bool;                  -- the current window has rows (a bin of the chunk's scan)
  e_state text;
  e_msg text;
  saved_sort text := current_setting('enable_sort');
  lock_msg text;                 -- set once a statement timed out on a lock (55P03)
  store_lock_msg text;           -- ... while storing or judging a window (an alert's row lock)
  -- statement_timeout in ms (0: none), the current chunk's start and the last chunk's duration.
  timeout_ms bigint := (SELECT s.setting::bigint FROM pg_settings s WHERE s.name = 'statement_timeout');
  chunk_t0 timestamptz;
  chunk_ms float8 := 0;
  stop_at int;                   -- the first planned (monitor, window) left to the next run
  j_chunk int;
  s_windows int;
  s_revised int;
  s_points int;
  s_transitions int;
  s_failures jsonb;
  s_adds bigint[];
  -- A monitor's batch of new windows in the current chunk: positions in ps, their windows.
  j_end int;
  mi int;
  done int[];
  b_js int[];
  b_new bool;
  b_s timestamptz[];
  b_e timestamptz[];
  b_n bigint[];
  b_sums text[];
BEGIN
  windows := 0; revised := 0; points := 0; transitions := 0; failures := '[]'; failed_monitors := 0;
  -- First references of monitors with the same reference period: one scan computes each distinct
  -- summary expression once (a feature_drift and a quality monitor summarise the same rows). On
  -- any error each monitor computes its own in its plan, with its own error.
  FOR r IN SELECT mo.reference_from, mo.reference_to, array_agg(mo.id ORDER BY mo.id) AS ids
             FROM mlobs.monitors mo
            WHERE mo.id = ANY (ids) AND mo.reference_summary IS NULL AND mo.reference_from IS NOT NULL
              AND mo.kind NOT IN ('cbpe', 'multivariate_drift')
            GROUP BY 1, 2 HAVING count(*) > 1 LOOP
    BEGIN
      exprs := ARRAY(SELECT DISTINCT mlobs._monitor_summary_sql(mo) FROM mlobs.monitors mo WHERE mo.id = ANY (r.ids));
      SELECT * INTO m FROM mlobs.monitors mo WHERE mo.id = r.ids[1];
      EXECUTE format('SELECT ARRAY[%s]::text[] FROM %s WHERE %I >= $1 AND %I < $2', array_to_string(exprs, ', '), m.source,
                     m.ts_column, m.ts_column)
        INTO sums USING r.reference_from, r.reference_to;
      FOREACH k IN ARRAY r.ids LOOP
        SELECT * INTO m FROM mlobs.monitors mo WHERE mo.id = k FOR NO KEY UPDATE;
        PERFORM mlobs._monitor_reference(m, sums[array_position(exprs, mlobs._monitor_summary_sql(m))]);
      END LOOP;
    EXCEPTION WHEN OTHERS THEN
      NULL;
    END;
  END LOOP;
  exprs := '{}';
  FOREACH j IN ARRAY ids LOOP
    BEGIN
      SELECT * INTO p FROM mlobs._monitor_plan(j, as_of, backfill_from, changed, changed_at);
      ms := ms || p.m;
      marks := marks || p.watermark;
      adds := adds || 0::bigint;
      -- Each distinct summary (and segment) expression once; the monitor keeps its position.
      expr := mlobs._monitor_summary_sql(p.m);
      exprs := exprs || CASE WHEN expr = ANY (exprs) THEN '{}' ELSE ARRAY[expr] END;
      slots := slots || array_position(exprs, expr);
      seg_sql := mlobs._monitor_segment_sql(p.m);
      seg_specs := seg_specs || CASE WHEN seg_sql IS NULL OR seg_sql = ANY (seg_specs) THEN '{}' ELSE ARRAY[seg_sql] END;
      seg_slots := seg_slots || coalesce(array_position(seg_specs, seg_sql), 0);
      pm := pm || array_fill(cardinality(ms), ARRAY[cardinality(p.starts)]);
      ps := ps || p.starts; pe := pe || p.ends; pw := pw || p.works;
    EXCEPTION WHEN OTHERS THEN
      failures := failures || jsonb_build_object('monitor', (SELECT mo.name FROM mlobs.monitors mo WHERE mo.id = j),
                                                 'sqlstate', SQLSTATE, 'error', SQLERRM);
      failed_monitors := failed_monitors + 1;
    END;
  END LOOP;
  IF cardinality(ms) = 0 THEN RETURN; END IF;
  m := ms[1];
  SELECT coalesce(array_agg(s ORDER BY s), '{}'), coalesce(array_agg(e ORDER BY s), '{}') INTO ws_all, we_all
    FROM (SELECT s, min(e) AS e FROM unnest(ps, pe) u(s, e) GROUP BY s) x;
  -- Re-sorted in window order, then monitor order.
  SELECT coalesce(array_agg(x.m ORDER BY x.s, x.m), '{}'), coalesce(array_agg(x.s ORDER BY x.s, x.m), '{}'),
         coalesce(array_agg(x.e ORDER BY x.s, x.m), '{}'), coalesce(array_agg(x.w ORDER BY x.s, x.m), '{}')
    INTO pm, ps, pe, pw FROM unnest(pm, ps, pe, pw) x(m, s, e, w);
  exprs_sql := array_to_string(exprs, ', ');
  -- Each segment expression's scan computes only the summaries of the monitors segmented by it.
  seg_arrays := ARRAY(SELECT 'ARRAY[' || (SELECT string_agg(CASE WHEN EXISTS (
                                             SELECT 1 FROM generate_subscripts(ms, 1) q WHERE seg_slots[q] = sp AND slots[q] = e)
                                           THEN exprs[e] ELSE 'NULL' END, ', ' ORDER BY e)
                                         FROM generate_subscripts(exprs, 1) e) || ']::text[]'
                        FROM generate_subscripts(seg_specs, 1) sp ORDER BY sp);
  from_sql := format('FROM %s WHERE %I >= $1 AND %I < $2', m.source, m.ts_column, m.ts_column);
  c_from := 1;
  j := 1;  -- next planned (monitor, window)
  WHILE c_from <= cardinality(ws_all) LOOP
    -- A chunk: consecutive windows on the window grid (GROUP BY date_bin gives exactly them), or
    -- one window.
    c_to := c_from;
    grid := date_bin(m.window_size, ws_all[c_from], origin) = ws_all[c_from]
            AND we_all[c_from] - ws_all[c_from] = m.window_size;
    WHILE grid AND c_to < cardinality(ws_all) AND c_to - c_from + 1 < chunk_size AND ws_all[c_to + 1] = we_all[c_to]
          AND we_all[c_to + 1] - ws_all[c_to + 1] = m.window_size LOOP
      c_to := c_to + 1;
    END LOOP;
    -- A statement_timeout shorter than the catch-up (review of 2026-12-08): the cancel rolled the
    -- group back, chunks stored included, and every run did the same work again, for good. When
    -- only new windows are left (no backfill: its watermark is ahead already) and the next chunk
    -- would likely end after the timeout (twice the last one's time), they are left to the next
    -- run; a cancel that comes in a chunk all the same rolls back that chunk only (below). The
    -- watermarks stop at the windows stored.
    IF timeout_ms > 0 AND c_from > 1 AND backfill_from IS NULL
       AND extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000 + 2 * chunk_ms > timeout_ms
       AND NOT EXISTS (SELECT 1 FROM generate_series(j, cardinality(ps)) x WHERE pw[x] <> 'new') THEN
      stop_at := j;
      EXIT;
    END IF;
    -- What the chunk changes, to take back if it is cancelled (variables are not rolled back).
    j_chunk := j; s_windows := windows; s_revised := revised; s_points := points; s_transitions := transitions;
    s_failures := failures; s_adds := adds;
    BEGIN
      chunk_t0 := clock_timestamp();
      PERFORM set_config('application_name', left(format('mlobs run_monitors: %s window %s of %s', m.source, c_from,
                                                         cardinality(ws_all)), 63), true);
      BEGIN
        -- Once a statement of this call timed out on a lock (lock_timeout, run_monitors), every
        -- later window fails at once with it and is retried by the next run: waiting again for
        -- each window multiplied the stall by the windows.
        IF lock_msg IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = '55P03', MESSAGE = lock_msg;
        END IF;
        -- Hash the windows, never sort the chunk's rows: the planner takes date_bin for nearly as
        -- many groups as rows and sorted them all (spilling to disk at the default work_mem) to
        -- build 24 groups.
        PERFORM set_config('enable_sort', 'off', true);
        IF c_to > c_from THEN
          EXECUTE format('SELECT array_agg(b ORDER BY b), array_agg(n ORDER BY b), array_agg(s ORDER BY b)
                            FROM (SELECT date_bin($3, %I::timestamptz, $4) AS b, count(*) AS n, ARRAY[%s]::text[] AS s
                                    %s GROUP BY 1) x', m.ts_column, exprs_sql, from_sql)
            INTO bins, counts, sums USING ws_all[c_from], we_all[c_to], m.window_size, origin;
          IF empty IS NULL AND (bins IS NULL OR cardinality(bins) < c_to - c_from + 1) THEN
            -- The summaries of a window without rows, as its own scan would give them.
            EXECUTE format('SELECT ARRAY[%s]::text[] %s AND false', exprs_sql, from_sql) INTO empty
              USING ws_all[c_from], we_all[c_from];
          END IF;
        ELSE
          EXECUTE format('SELECT ARRAY[count(*)], ARRAY[ARRAY[%s]::text[]] %s', exprs_sql, from_sql)
            INTO counts, sums USING ws_all[c_from], we_all[c_from];
          bins := ARRAY[ws_all[c_from]];
        END IF;
        -- The segments of the chunk's windows, one scan per segment expression.
        sk := '{}'; sb := '{}'; sg := '{}'; sn := '{}'; ss := '{}';
        FOR i IN 1 .. coalesce(cardinality(seg_specs), 0) LOOP
          EXECUTE format('SELECT array_agg(b ORDER BY b, g), array_agg(g ORDER BY b, g), array_agg(n ORDER BY b, g),
                                 array_agg(s ORDER BY b, g)
                            FROM (SELECT %s AS b, %s AS g, count(*) AS n, %s AS s
                                    %s GROUP BY 1, 2) x',
                         CASE WHEN c_to > c_from THEN format('date_bin($3, %I::timestamptz, $4)', m.ts_column) ELSE '$1' END,
                         seg_specs[i], seg_arrays[i], from_sql)
            INTO x_b, x_g, x_n, x_s USING ws_all[c_from], we_all[c_to], m.window_size, origin;
          IF x_b IS NOT NULL THEN
            sk := sk || array_fill(i, ARRAY[cardinality(x_b)]); sb := sb || x_b; sg := sg || x_g; sn := sn || x_n; ss := ss || x_s;
          END IF;
        END LOOP;
        PERFORM set_config('enable_sort', saved_sort, true);
        shared := true;
      EXCEPTION WHEN OTHERS THEN
        shared := false;
        IF SQLSTATE = '55P03' THEN lock_msg := SQLERRM; END IF;
      END;
      -- A monitor's new windows of the chunk are stored and judged together, in one subtransaction
      -- (a few statements for up to 24 windows); segmented monitors, revisions and retries, and the
      -- windows of a batch that failed, window by window below.
      j_end := j;
      WHILE j_end <= cardinality(ps) AND ps[j_end] <= ws_all[c_to] LOOP j_end := j_end + 1; END LOOP;
      done := '{}';
      FOR mi IN 1 .. CASE WHEN shared AND store_lock_msg IS NULL THEN cardinality(ms) ELSE 0 END LOOP
        CONTINUE WHEN seg_slots[mi] > 0;
        SELECT array_agg(x ORDER BY x), bool_and(pw[x] = 'new') INTO b_js, b_new
          FROM generate_series(j, j_end - 1) x WHERE pm[x] = mi;
        CONTINUE WHEN b_js IS NULL OR NOT b_new;
        -- A window without a bin has no rows: the empty window's summary, as below.
        SELECT array_agg(ps[x] ORDER BY x), array_agg(pe[x] ORDER BY x),
               array_agg(CASE WHEN b.k IS NULL THEN 0 ELSE counts[b.k] END ORDER BY x),
               array_agg(CASE WHEN b.k IS NULL THEN empty[slots[mi]] ELSE sums[b.k][slots[mi]] END ORDER BY x)
          INTO b_s, b_e, b_n, b_sums FROM unnest(b_js) x, LATERAL (SELECT array_position(bins, ps[x]) AS k) b;
        BEGIN
          SELECT * INTO st FROM mlobs._monitor_store_windows(ms[mi], b_s, b_e, b_n, b_sums);
          IF backfill_from IS NULL THEN
            transitions := transitions + mlobs._evaluate_alert_steps(ms[mi].id, b_s);
          END IF;
          points := points + st.points;
          adds[mi] := adds[mi] + st.added;
          windows := windows + cardinality(b_js);
          done := done || b_js;
        EXCEPTION WHEN OTHERS THEN
          -- Window by window below, each failure its own; after a lock timeout, at once.
          IF SQLSTATE = '55P03' THEN store_lock_msg := SQLERRM; END IF;
        END;
      END LOOP;
      k := 1;  -- position in bins
      FOR i IN c_from .. c_to LOOP
        WHILE k <= coalesce(cardinality(bins), 0) AND bins[k] < ws_all[i] LOOP k := k + 1; END LOOP;
        WHILE j <= cardinality(ps) AND ps[j] = ws_all[i] LOOP
          m := ms[pm[j]];
          IF j = ANY (done) THEN
            j := j + 1;
            CONTINUE;
          END IF;
          BEGIN
            IF NOT shared AND lock_msg IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = '55P03', MESSAGE = lock_msg;
            END IF;
            -- A window stored or judged after a lock timeout (a transaction holding an open
            -- alert's row) would wait 10 s again: it fails at once and is retried.
            IF store_lock_msg IS NOT NULL THEN
              RAISE EXCEPTION USING ERRCODE = '55P03', MESSAGE = store_lock_msg;
            END IF;
            IF NOT shared THEN
              SELECT * INTO st FROM mlobs._monitor_window(m, ps[j], pe[j]);
            ELSE
              in_bins := k <= coalesce(cardinality(bins), 0) AND bins[k] = ws_all[i];
              SELECT * INTO st FROM mlobs._monitor_store_windows(
                  m, ARRAY[ps[j]], ARRAY[pe[j]], ARRAY[CASE WHEN in_bins THEN counts[k] ELSE 0 END],
                  ARRAY[CASE WHEN in_bins THEN sums[k][slots[pm[j]]] ELSE empty[slots[pm[j]]] END]);
              IF seg_slots[pm[j]] > 0 THEN
                SELECT array_agg(sg[q] ORDER BY q), array_agg(sn[q] ORDER BY q), array_agg(ss[q][slots[pm[j]]] ORDER BY q)
                  INTO seg_segs, seg_counts, seg_sums
                  FROM generate_subscripts(sk, 1) q WHERE sk[q] = seg_slots[pm[j]] AND sb[q] = ps[j];
                st.points := st.points + mlobs._monitor_store_segments(m, ps[j], pe[j], seg_segs, seg_counts, seg_sums);
              END IF;
            END IF;
            IF backfill_from IS NULL THEN
              transitions := transitions + mlobs._evaluate_alert_steps(m.id, ARRAY[ps[j]]);
            END IF;
            points := points + st.points;
            adds[pm[j]] := adds[pm[j]] + st.added;
            IF pw[j] = 'revise' THEN revised := revised + 1; ELSE windows := windows + 1; END IF;
          EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT;
            IF e_state = '55P03' AND (shared OR lock_msg IS NULL) THEN store_lock_msg := e_msg; END IF;
            failures := failures || mlobs._record_window_failure(m, ps[j], pe[j], e_state, e_msg, pw[j] <> 'new');
          END;
          j := j + 1;
        END LOOP;
      END LOOP;
      c_from := c_to + 1;
    EXCEPTION WHEN query_canceled THEN
      IF backfill_from IS NOT NULL OR EXISTS (SELECT 1 FROM generate_series(j_chunk, cardinality(ps)) x WHERE pw[x] <> 'new') THEN
        RAISE;  -- revisions, retries or a backfill: the whole group is rolled back (queues given back)
      END IF;
      windows := s_windows; revised := s_revised; points := s_points; transitions := s_transitions;
      failures := s_failures; adds := s_adds;
      stop_at := j_chunk;
      EXIT;
    END;
    chunk_ms := extract(epoch FROM clock_timestamp() - chunk_t0) * 1000;
  END LOOP;
  -- Windows left to the next run: each monitor's watermark stops at its first one.
  IF stop_at IS NOT NULL THEN
    FOR i IN 1 .. cardinality(ms) LOOP
      k := (SELECT min(x) FROM generate_series(stop_at, cardinality(ps)) x WHERE pm[x] = i);
      CONTINUE WHEN k IS NULL;
      -- (None of its windows stored: its watermark stays as it was, NULL before a first run.)
      marks[i] := CASE WHEN EXISTS (SELECT 1 FROM generate_series(1, k - 1) x WHERE pm[x] = i) THEN ps[k] ELSE ms[i].watermark END;
      failures := failures || jsonb_build_object(
        'monitor', ms[i].name, 'window_start', ps[k], 'sqlstate', '57014',
        'error', format('left %s windows from %s to the next run: the statement_timeout (%s) or a cancel request ended this run',
                        (SELECT count(*) FROM generate_series(k, cardinality(ps)) x WHERE pm[x] = i), ps[k],
                        current_setting('statement_timeout')));
    END LOOP;
  END IF;
  -- Only monitors that moved: a run with nothing due writes no monitor row (WAL on every tick).
  FOR i IN 1 .. cardinality(ms) LOOP
    CONTINUE WHEN adds[i] = 0 AND (marks[i] IS NULL OR marks[i] <= ms[i].watermark);
    UPDATE mlobs.monitors mo SET watermark = greatest(mo.watermark, marks[i]), rows_total = mo.rows_total + adds[i],
                                 run_zone = current_setting('TimeZone')
     WHERE mo.id = ms[i].id;
  END LOOP;
END $$;

-- The pg_cron job: every enabled monitor's complete windows up to `now`, then the alert rules.
-- Idempotent (upserts). A monitor is run by one run at a time (its row locked): a run leaves the
-- monitors an overlapping run holds to it (`busy_monitors`), so jobs of different owners firing
-- at the same minute all make progress; a run that finds every monitor busy returns 'skipped' at
-- once, as does a full run overlapping another full run (mlobs.run_lock). One failing monitor or
-- window is recorded in the run's errors without stopping the others.
-- Monitors of one source and owner run together (mlobs._run_source: one scan per window for all
-- of them), as that owner (SET ROLE for their duration): the run's session user must be that
-- role or a member of it (a superuser is), and the owner must still be allowed to SELECT every
-- column each monitor reads; otherwise the monitor is skipped with the reason. `monitor` or
-- `monitor_ids` restrict a run to some monitors.
CREATE FUNCTION mlobs.run_monitors(now timestamptz DEFAULT pg_catalog.now(), backfill_from timestamptz DEFAULT NULL,
                                   monitor text DEFAULT NULL, monitor_ids bigint[] DEFAULT NULL)
RETURNS mlobs.runs LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  run mlobs.runs;
  g record;
  mon record;
  res record;
  ids bigint[];
  wanted bigint[];
  held bigint[] := '{}';
  overlapping bool := false;
  failed_ids bigint[];
  q_ids bigint[];
  q_minutes timestamptz[];
  q_zones text[];
  q_ats timestamptz[];
  changed timestamptz[];
  changed_at timestamptz[];
  full_run bool := monitor IS NULL AND monitor_ids IS NULL;
  saved_role text := current_setting('role');
  saved_lock_timeout text := current_setting('lock_timeout');
  saved_zone text := current_setting('TimeZone');
  pinned_zone text;
  -- A statement_timeout or a cancel request during a group: the groups before it are kept.
  canceled bool := false;
  t0 timestamptz := clock_timestamp();
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.run_monitors');
  IF run_monitors.now IS NULL THEN
    RAISE EXCEPTION 'now must not be NULL' USING ERRCODE = '22004';
  END IF;
  -- Infinite bounds would loop over windows forever (or move every watermark to infinity).
  IF NOT isfinite(run_monitors.now) THEN
    RAISE EXCEPTION 'now must be a finite timestamp, got %', run_monitors.now USING ERRCODE = '22023';
  END IF;
  IF NOT isfinite(backfill_from) THEN
    RAISE EXCEPTION 'backfill_from must be a finite timestamp, got %', backfill_from USING ERRCODE = '22023';
  END IF;
  IF monitor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mlobs.monitors mo WHERE mo.name = monitor) THEN
    RAISE EXCEPTION 'monitor "%" does not exist', monitor USING ERRCODE = '42704';
  END IF;
  INSERT INTO mlobs.runs (as_of, status) VALUES (run_monitors.now, 'running') RETURNING * INTO run;
  -- The monitors this run may take: those no overlapping run holds. Two full runs (a slow one and
  -- the next tick) do not both walk the fleet: the second is skipped.
  wanted := ARRAY(SELECT mo.id FROM mlobs.monitors mo
                   WHERE mo.enabled AND (monitor IS NULL OR mo.name = monitor) AND (monitor_ids IS NULL OR mo.id = ANY (monitor_ids))
                   ORDER BY mo.id);
  -- Row locks held to the end of the run (a killed backend's included): mlobs.run_lock for a
  -- full run, each monitor's row for the monitors it runs (no lock-table entry per row, however
  -- large the fleet; NO KEY, so other sessions' KEY SHARE locks, a foreign key's, pass).
  IF full_run THEN
    PERFORM 1 FROM mlobs.run_lock FOR UPDATE SKIP LOCKED;
    overlapping := NOT FOUND AND EXISTS (SELECT 1 FROM mlobs.run_lock);
  END IF;
  IF NOT overlapping THEN
    held := ARRAY(SELECT mo.id FROM mlobs.monitors mo WHERE mo.id = ANY (wanted) ORDER BY mo.id FOR NO KEY UPDATE SKIP LOCKED);
  END IF;
  run.busy_monitors := cardinality(wanted) - cardinality(held);
  IF overlapping OR cardinality(held) = 0 AND run.busy_monitors > 0 THEN
    UPDATE mlobs.runs SET status = 'skipped', finished_at = clock_timestamp(), busy_monitors = run.busy_monitors,
           duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000
     WHERE id = run.id RETURNING * INTO run;
    RETURN run;
  END IF;
  -- Before any window is scanned: from now on the change triggers count an insert stamped before
  -- this run's `now` as late (mlobs.run_horizon; not rolled back with the run).
  PERFORM pg_catalog.setval('mlobs.run_horizon', greatest(h.last_value, (extract(epoch FROM run_monitors.now) * 1e6)::bigint))
     FROM mlobs.run_horizon h WHERE isfinite(run_monitors.now);
  -- The minutes of each monitored table that changed since (late labels, late rows), as its
  -- triggers recorded them, move to the queue of every enabled monitor of the table; rows another
  -- run is moving are left to it. A disabled monitor gets none (enabling it queues its windows).
  WITH moved AS (DELETE FROM mlobs.source_changes sc
                  WHERE sc.ctid = ANY (ARRAY(SELECT x.ctid FROM mlobs.source_changes x FOR UPDATE SKIP LOCKED))
                 RETURNING sc.source, sc.minute, sc.zone, sc.recorded_at)
  INSERT INTO mlobs.monitor_changes (monitor_id, minute, zone, recorded_at)
  SELECT mo.id, c.minute, c.zone, min(c.recorded_at) FROM moved c JOIN mlobs.monitors mo ON mo.source = c.source AND mo.enabled
   GROUP BY mo.id, c.minute, c.zone;
  DELETE FROM mlobs.monitor_changes mc
   WHERE mc.ctid = ANY (ARRAY(SELECT x.ctid FROM mlobs.monitor_changes x
                               WHERE NOT EXISTS (SELECT 1 FROM mlobs.monitors mo WHERE mo.id = x.monitor_id)
                               FOR UPDATE SKIP LOCKED));
  FOR g IN SELECT mo.source, mo.ts_column, mo.window_size, mo.owner, ro.rolname, array_agg(mo.id ORDER BY mo.id) AS ids
             FROM mlobs.monitors mo LEFT JOIN pg_roles ro ON ro.oid = mo.owner
            WHERE mo.id = ANY (held)
            GROUP BY mo.source, mo.ts_column, mo.window_size, mo.owner, ro.rolname ORDER BY min(mo.id) LOOP
    failed_ids := '{}';
    BEGIN
      -- A lock on the source held by someone else (LOCK TABLE, a TRUNCATE, an ALTER) fails this
      -- group after 10 s (55P03, retried by the next run) instead of stalling the run, with the
      -- other monitors' rows locked, for as long as it lasts. A lock_timeout of the job's wins.
      IF current_setting('lock_timeout') IN ('0', '0ms') THEN
        PERFORM set_config('lock_timeout', '10s', true);
      END IF;
      -- The group's queued changes, taken as the run's role: given back below to the monitors
      -- that fail, and by the rollback if the whole group fails. A backfill revises nothing
      -- before backfill_from (_monitor_plan), so it leaves the queue to the next run.
      WITH taken AS (DELETE FROM mlobs.monitor_changes mc WHERE mc.monitor_id = ANY (g.ids) AND backfill_from IS NULL
                     RETURNING mc.monitor_id, mc.minute, mc.zone, mc.recorded_at)
      SELECT coalesce(array_agg(t.monitor_id), '{}'), coalesce(array_agg(t.minute), '{}'), coalesce(array_agg(t.zone), '{}'),
             coalesce(array_agg(t.recorded_at), '{}')
        INTO q_ids, q_minutes, q_zones, q_ats FROM taken t;
      ids := '{}';
      -- Each monitor's owner and access, with its own error: first who may act as the owner ...
      FOR mon IN SELECT * FROM mlobs.monitors x WHERE x.id = ANY (g.ids) ORDER BY x.id LOOP
        BEGIN
          IF g.rolname IS NULL THEN
            RAISE EXCEPTION 'monitor %: its owner (role oid %) no longer exists; UPDATE mlobs.monitors SET owner = ... to hand it over',
              mon.name, mon.owner::oid USING ERRCODE = '42704';
          END IF;
          IF g.rolname <> current_user AND NOT pg_has_role(session_user, mon.owner, 'MEMBER') THEN
            RAISE EXCEPTION 'monitor %: this run''s session user % may not act as the monitor''s owner %', mon.name, session_user, g.rolname
              USING ERRCODE = '42501', HINT = format('GRANT %I TO %I, or schedule the job as %I', g.rolname, session_user, g.rolname);
          END IF;
          ids := ids || mon.id;
        EXCEPTION WHEN OTHERS THEN
          run.errors := run.errors || jsonb_build_object('monitor', mon.name, 'sqlstate', SQLSTATE, 'error', SQLERRM);
          failed_ids := failed_ids || mon.id;
        END;
      END LOOP;
      IF cardinality(ids) > 0 AND g.rolname <> current_user THEN
        PERFORM set_config('role', g.rolname, true);
      END IF;
      -- ... then, as the owner, what each monitor reads.
      FOR mon IN SELECT * FROM mlobs.monitors x WHERE x.id = ANY (ids) ORDER BY x.id LOOP
        BEGIN
          PERFORM mlobs._monitor_check_access(mon.name, mon.source, mon.kind, mon.config, mon.ts_column);
        EXCEPTION WHEN OTHERS THEN
          run.errors := run.errors || jsonb_build_object('monitor', mon.name, 'sqlstate', SQLSTATE, 'error', SQLERRM);
          ids := array_remove(ids, mon.id);
          failed_ids := failed_ids || mon.id;
        END;
      END LOOP;
      -- A timestamp or date column is read in the zone of the group's first run (run_zone), not
      -- in this session's: a catch-up from a client in another zone (or after ALTER DATABASE ...
      -- SET timezone) moved the window grid under the watermark, leaving one wall-clock hour in
      -- no window and another in two (review of 2026-12-07). UPDATE mlobs.monitors SET run_zone
      -- to change it on purpose.
      pinned_zone := NULL;
      IF mlobs._column_type(g.source, g.ts_column) IN ('pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) THEN
        SELECT mo.run_zone INTO pinned_zone FROM mlobs.monitors mo
         WHERE mo.id = ANY (ids) AND mo.run_zone IS NOT NULL ORDER BY mo.id LIMIT 1;
        IF pinned_zone IS NOT NULL AND pinned_zone <> saved_zone THEN
          PERFORM set_config('TimeZone', pinned_zone, true);
        END IF;
      END IF;
      -- A wall-clock minute of a timestamp or date column (written as UTC, zone 'UTC') is the
      -- instant this run reads that wall clock as; each minute with its first recording.
      changed := NULL;
      changed_at := NULL;
      IF mlobs._changes_tracked(g.source, g.ts_column) THEN
        SELECT coalesce(array_agg(x.t ORDER BY x.t), '{}'), coalesce(array_agg(x.at ORDER BY x.t), '{}') INTO changed, changed_at
          FROM (SELECT CASE WHEN u.z IS NULL THEN u.t ELSE (u.t AT TIME ZONE u.z)::timestamptz END AS t, min(u.at) AS at
                  FROM unnest(q_minutes, q_zones, q_ats) u(t, z, at) GROUP BY 1) x;
      END IF;
      SELECT * INTO res FROM mlobs._run_source(ids, run_monitors.now, backfill_from, changed, changed_at);
      PERFORM set_config('role', saved_role, true);
      PERFORM set_config('lock_timeout', saved_lock_timeout, true);
      IF pinned_zone IS NOT NULL AND pinned_zone <> saved_zone THEN
        PERFORM set_config('TimeZone', saved_zone, true);
      END IF;
      run.windows := run.windows + res.windows;
      run.revised := run.revised + res.revised;
      run.points := run.points + res.points;
      run.alert_transitions := run.alert_transitions + res.transitions;
      run.errors := run.errors || res.failures;
      -- Windows left to the next run at the statement_timeout: so are the groups after this one.
      canceled := res.failures @> '[{"sqlstate": "57014"}]';
      -- Monitors that could not be planned (a failed window is retried from window_failures).
      failed_ids := failed_ids || ARRAY(SELECT mo.id FROM jsonb_array_elements(res.failures) f
                                          JOIN mlobs.monitors mo ON mo.name = f->>'monitor' AND mo.id = ANY (ids)
                                         WHERE NOT f ? 'window_start');
      -- Each minute once, and none that no run may revise any more (older than the monitor's
      -- horizons when it was recorded, a day's margin for the zones, unless in a reference still
      -- open to labels); a change waits for a monitor that keeps failing 30 days at most, so its
      -- queue stays bounded (a failed run after the horizon lost labels recorded in time).
      INSERT INTO mlobs.monitor_changes (monitor_id, minute, zone, recorded_at)
      SELECT u.m, u.t, u.z, min(u.at) FROM unnest(q_ids, q_minutes, q_zones, q_ats) u(m, t, z, at) JOIN mlobs.monitors mo ON mo.id = u.m
       WHERE u.m = ANY (failed_ids)
         AND (u.t >= least(run_monitors.now, u.at) - greatest(mo.label_horizon, mo.late_data_horizon) - mo.window_size - interval '1 day'
              AND coalesce(u.at, run_monitors.now) > run_monitors.now - interval '30 days'
              OR mo.reference_to > run_monitors.now - mo.label_horizon AND u.t >= mo.reference_from - interval '1 day')
       GROUP BY u.m, u.t, u.z;
    EXCEPTION WHEN query_canceled THEN
      -- statement_timeout (a common guard on a job's role) or a cancel request: this group is
      -- rolled back, the groups before it are kept and the run is recorded and returned, so a
      -- catch-up longer than the timeout moves on group by group instead of losing every run
      -- whole (review of 2026-12-07). The groups after it are left to the next run.
      run.errors := run.errors || (SELECT jsonb_agg(jsonb_build_object('monitor', x.name, 'sqlstate', SQLSTATE, 'error', SQLERRM)
                                                    ORDER BY x.id) FROM mlobs.monitors x WHERE x.id = ANY (g.ids));
      canceled := true;
    WHEN OTHERS THEN
      -- The subtransaction's rollback also restored the role, lock_timeout and the queue.
      run.errors := run.errors || (SELECT jsonb_agg(jsonb_build_object('monitor', x.name, 'sqlstate', SQLSTATE, 'error', SQLERRM)
                                                    ORDER BY x.id) FROM mlobs.monitors x WHERE x.id = ANY (g.ids));
    END;
    EXIT WHEN canceled;
  END LOOP;
  -- Rules added or changed since the last window still apply to the latest points: of every
  -- monitor after a full run that held them all, else of the monitors this run held (a run of
  -- one monitor evaluated the whole fleet's rules: the fleet benchmark's per-monitor backfill
  -- spent most of its time there; and another run is judging the monitors it holds).
  -- (An evaluate_alerts called meanwhile in another session can open the same alert first:
  -- recorded, not the whole run rolled back; the next run judges again.)
  BEGIN
    -- Bounded like the groups: a transaction holding an open alert's row (an admin's, a hand-run
    -- evaluate_alerts not yet committed) stalled the run, every monitor locked, as long as it
    -- lasted (review of 2026-12-08). Recorded below; the next run judges again.
    IF current_setting('lock_timeout') IN ('0', '0ms') THEN
      PERFORM set_config('lock_timeout', '10s', true);
    END IF;
    IF canceled THEN
      NULL;  -- judged by the next run, with the groups left
    ELSIF full_run AND run.busy_monitors = 0 THEN
      run.alert_transitions := run.alert_transitions + mlobs.evaluate_alerts();
    ELSE
      run.alert_transitions := run.alert_transitions
        + coalesce((SELECT sum(mlobs.evaluate_alerts(x)) FROM unnest(held) x), 0)::int;
    END IF;
    PERFORM set_config('lock_timeout', saved_lock_timeout, true);
  EXCEPTION WHEN OTHERS THEN
    run.errors := run.errors || jsonb_build_object('stage', 'evaluate_alerts', 'sqlstate', SQLSTATE, 'error', SQLERRM);
  END;
  UPDATE mlobs.runs SET status = CASE WHEN jsonb_array_length(run.errors) > 0 THEN 'partial' ELSE 'ok' END,
         finished_at = clock_timestamp(), duration_ms = extract(epoch FROM clock_timestamp() - t0) * 1000,
         windows = run.windows, points = run.points, alert_transitions = run.alert_transitions, errors = run.errors,
         revised = run.revised, busy_monitors = run.busy_monitors
   WHERE id = run.id RETURNING * INTO run;
  RETURN run;
END $$;

-- The run for long catch-ups and backfills (CALL it, outside a transaction block; pg_cron can):
-- each group of monitors that share a scan (source, timestamp column, window size, owner) runs
-- and COMMITs on its own, so another connection sees each group's windows, points and mlobs.runs
-- row as soon as the group is done, and a later group's failure or a killed backend loses only
-- the group being computed; then one full run (mlobs.run_monitors) consumes the recorded changes,
-- revises what they touched and evaluates every rule. While a group runs,
-- pg_stat_activity.application_name names its window. No SET search_path: PostgreSQL forbids
-- COMMIT in a procedure with a SET clause; the body names only schema-qualified mlobs objects
-- and pg_catalog functions, with no operator the caller's search_path could resolve.
CREATE PROCEDURE mlobs.run_monitors_committed(now timestamptz DEFAULT NULL, backfill_from timestamptz DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
  g record;
  r mlobs.runs;
  -- Qualified: the body is compiled with the caller's search_path (a domain named timestamptz
  -- ahead of pg_catalog would run its CHECK as the caller).
  as_of pg_catalog.timestamptz := pg_catalog.statement_timestamp();
BEGIN
  -- A hot standby: a clear error before any work (not "cannot execute INSERT in a read-only transaction").
  PERFORM mlobs._require_primary('mlobs.run_monitors_committed');
  IF now IS NOT NULL THEN as_of := now; END IF;
  FOR g IN SELECT pg_catalog.array_agg(mo.id ORDER BY mo.id) AS ids FROM mlobs.monitors mo WHERE mo.enabled
            GROUP BY mo.source, mo.ts_column, mo.window_size, mo.owner ORDER BY pg_catalog.min(mo.id) LOOP
    r := mlobs.run_monitors(as_of, backfill_from, NULL, g.ids);
    COMMIT;
    -- Cancelled (statement_timeout, a cancel request): what is committed stays, the rest waits.
    IF r.errors OPERATOR(pg_catalog.@>) '[{"sqlstate": "57014"}]'::pg_catalog.jsonb THEN
      RETURN;
    END IF;
  END LOOP;
  PERFORM mlobs.run_monitors(as_of, backfill_from);
  COMMIT;
END $$;

-- Schedules mlobs.run_monitors() with pg_cron (1.4: minute granularity) in this database, as the
-- calling role. The scheduled run closes windows one minute late: a row stamped now() by a
-- transaction that commits after its window ended would otherwise miss the window for good
-- (the load test measured commits up to 0.25 s after the window end). Monitors run as their
-- owners whoever runs the job; a job owned by a superuser still gets a WARNING: schedule it as
-- a dedicated mlobs_admin role that is a member of the monitors' owners (docs/monitoring.md).
CREATE FUNCTION mlobs.schedule_monitors(cron text DEFAULT '*/5 * * * *') RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  job bigint;
BEGIN
  -- pg_cron's own schema (a member of the extension), not any schema named cron: in a database
  -- without pg_cron, a role with CREATE there could define cron.schedule and have it run as
  -- this caller.
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e
                   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid
                                              AND d.classid = 'pg_catalog.pg_namespace'::regclass AND d.deptype = 'e'
                   JOIN pg_catalog.pg_namespace n ON n.oid = d.objid
                  WHERE e.extname = 'pg_cron' AND n.nspname = 'cron') THEN
    RAISE EXCEPTION 'pg_cron is not installed in this database (CREATE EXTENSION pg_cron)'
      USING ERRCODE = '55000',
            HINT = 'pg_cron lives in one database per cluster (cron.database_name, postgres by default). '
                   'There, as a superuser (pg_cron grants schedule_in_database to no one else), execute: '
                   || mlobs.schedule_monitors_command(cron, current_user);
  END IF;
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE WARNING 'the mlobs_run_monitors job will run as superuser %', current_user
      USING DETAIL = 'Each monitor still reads its source as its owner, but the job itself needs no superuser.',
            HINT = 'Schedule it as a dedicated LOGIN role that is a member of mlobs_admin and of the monitors'' owners (docs/monitoring.md, "Running as a dedicated role").';
  END IF;
  EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job
    USING 'mlobs_run_monitors', cron, 'SELECT mlobs.run_monitors(now() - interval ''1 minute'')';
  RETURN job;
END $$;

-- pg_cron can be created in one database per cluster only (cron.database_name, `postgres` by
-- default), and a function here cannot reach another database. So for a log in any other
-- database this returns the statement to run in pg_cron's database: pg_cron 1.4's
-- cron.schedule_in_database, with a job name per database (jobs are unique per name and user).
-- pg_cron leaves schedule_in_database to superusers unless they grant it, so a superuser usually
-- runs the statement: job_role names the role the job runs as. monitors_of makes it the job of one
-- owner's monitors (job mlobs_run_monitors_<hash of database and owner>): owners that must stay apart get
-- one job each, run as themselves (SET ROLE is no boundary between owners of one job).
CREATE FUNCTION mlobs.schedule_monitors_command(cron text DEFAULT '*/5 * * * *', job_role name DEFAULT NULL,
                                                monitors_of regrole DEFAULT NULL) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format('SELECT cron.schedule_in_database(%L, %L, %L, %L%s);',
           -- A per-owner job's name hashes database and owner: pg_cron keeps 63 bytes of a name
           -- and replaces a job of the same name and user, so '<db>_<owner>' could collide.
           CASE WHEN monitors_of IS NOT NULL
                THEN 'mlobs_run_monitors_' || pg_catalog.left(pg_catalog.md5(pg_catalog.current_database() || '|' || monitors_of::text), 20)
                WHEN pg_catalog.octet_length('mlobs_run_monitors_' || pg_catalog.current_database()) <= 63
                THEN 'mlobs_run_monitors_' || pg_catalog.current_database()
                ELSE 'mlobs_run_monitors_' || pg_catalog.left(pg_catalog.md5(pg_catalog.current_database()), 20) END, cron,
           CASE WHEN monitors_of IS NULL THEN 'SELECT mlobs.run_monitors(now() - interval ''1 minute'')'
                ELSE pg_catalog.format('SELECT mlobs.run_monitors(now() - interval ''1 minute'', '
                                       'monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE owner = %L::regrole))',
                                       monitors_of::text) END,
           pg_catalog.current_database(),
           CASE WHEN job_role IS NOT NULL THEN pg_catalog.format(', username => %L', job_role) ELSE '' END)
   WHERE cron IS NOT NULL
$$;

-- The statement that removes this database's jobs in pg_cron's database (any of the names).
CREATE FUNCTION mlobs.unschedule_monitors_command() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT pg_catalog.format('SELECT cron.unschedule(jobid) FROM cron.job WHERE database = %L AND (jobname = %L OR starts_with(jobname, %L));',
           pg_catalog.current_database(), 'mlobs_run_monitors', 'mlobs_run_monitors_')
$$;

-- Removes the pg_cron jobs that run this database's monitors (DROP EXTENSION mlobs leaves pg_cron's
-- jobs alone: call this first). Returns whether a job was removed. With pg_cron in another
-- database there is nothing to remove from here: a NOTICE gives the statement to run there.
CREATE FUNCTION mlobs.unschedule_monitors() RETURNS bool
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  removed bool;
BEGIN
  -- pg_cron's own schema only (schedule_monitors says why).
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_extension e
                   JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.refobjid = e.oid
                                              AND d.classid = 'pg_catalog.pg_namespace'::regclass AND d.deptype = 'e'
                   JOIN pg_catalog.pg_namespace n ON n.oid = d.objid
                  WHERE e.extname = 'pg_cron' AND n.nspname = 'cron') THEN
    RAISE NOTICE 'pg_cron is not installed in this database; in its database, run: %',
      mlobs.unschedule_monitors_command();
    RETURN false;
  END IF;
  -- The same statement as in pg_cron's database, so this database's job names are defined once.
  EXECUTE 'SELECT bool_or(removed) FROM (' || rtrim(mlobs.unschedule_monitors_command(), ';') || ') AS jobs(removed)'
    INTO removed;
  RETURN coalesce(removed, false);
END $$;

-- NannyML's estimated-vs-realised view: per model and window, the CBPE estimate (from scores,
-- available at once) beside the realised value (from labels, revised as they land), the label
-- coverage it rests on, and the estimation error. The cbpe and classification monitors of a
-- model are matched on the window: one row per cbpe monitor and window, realised by the model's
-- first classification monitor with that window (a model with a second one, say per label
-- column, gave a row for each, review of 2026-12-07).
CREATE VIEW mlobs.estimated_vs_realised AS
SELECT e.model, e.window_start, e.ts AS window_end, pg_catalog.substr(e.metric, 6) AS metric, e.value AS estimated,
       r.value AS realised, c.value AS labelled_share, r.value - e.value AS estimation_error
  FROM mlobs.metric_points e
  LEFT JOIN LATERAL (SELECT r1.value, r1.monitor_id, r1.window_start FROM mlobs.metric_points r1
                      WHERE r1.model = e.model AND r1.window_start = e.window_start AND r1.feature = ''
                        AND r1.metric = pg_catalog.substr(e.metric, 6) AND r1.ts = e.ts AND r1.segment = ''
                      ORDER BY r1.monitor_id LIMIT 1) r ON true
  LEFT JOIN mlobs.metric_points c ON c.monitor_id = r.monitor_id AND c.window_start = r.window_start
                                 AND c.feature = '' AND c.metric = 'labelled_share' AND c.segment = ''
 WHERE e.metric IN ('cbpe_accuracy', 'cbpe_f1') AND e.feature = '' AND e.segment = '';
COMMENT ON VIEW mlobs.estimated_vs_realised IS 'CBPE estimate beside the realised value of every window, with label coverage and estimation error';

-- Every run's errors without their messages, for readers (dashboards, exporters): a message can
-- quote a value of the monitored table (a failed cast names it), so mlobs.runs.errors and
-- mlobs.window_failures.error are for mlobs_admin only. One row per error, in the run's order.
CREATE VIEW mlobs.run_errors AS
SELECT r.id AS run_id, r.started_at, e.ordinality AS n, e.value->>'monitor' AS monitor, e.value->>'sqlstate' AS sqlstate,
       (e.value->>'window_start')::timestamptz AS window_start, coalesce((e.value->>'retry')::bool, false) AS retry
  FROM mlobs.runs r CROSS JOIN LATERAL pg_catalog.jsonb_array_elements(r.errors) WITH ORDINALITY AS e;
COMMENT ON VIEW mlobs.run_errors IS 'Each run''s errors (monitor, SQLSTATE, window) without their messages, readable by mlobs_reader';

