-- ==== metric points and alert rules (docs/monitoring.md) =========================================
-- The metrics of a window from its summary, and the alert state machine over them.

-- Metric points of one window from its summary and the monitor's reference.
CREATE FUNCTION mlobs._monitor_metrics(m mlobs.monitors, summary text, rows bigint, window_start timestamptz,
                                       window_end timestamptz)
RETURNS TABLE (feature text, metric text, value float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  v_method text := coalesce(m.config->>'method', 'psi');
  v_cat_method text := coalesce(m.config->>'categorical_method', 'psi');
  s jsonb;
  conf mlobs.confusion;
  score mlobs.score_summary;
  -- Summaries are parsed once per window (their text form is the costly part).
  ref_f mlobs.feature_profiles;
  cur_f mlobs.feature_profiles;
  concept jsonb;
  lat mlobs.profile;
  pred mlobs.profile;
  n_finite bigint;
  n_slowest bigint;
  n_fastest bigint;
BEGIN
  feature := ''; metric := 'rows'; value := rows; RETURN NEXT;
  IF summary IS NULL THEN RETURN; END IF;
  CASE m.kind
  WHEN 'feature_drift' THEN
    ref_f := m.reference_summary::mlobs.feature_profiles;
    cur_f := summary::mlobs.feature_profiles;
    RETURN QUERY SELECT d.feature, d.method, d.statistic
      FROM mlobs.drift_report(ref_f, cur_f, v_method, v_cat_method) d WHERE d.statistic IS NOT NULL;
    -- The dataset verdict with the monitor's methods when configured (Evidently's
    -- DatasetDriftMetric(num_stattest=...)), else Evidently's default, 'auto'.
    RETURN QUERY SELECT '', x.metric, x.value
      FROM mlobs.dataset_drift(ref_f, cur_f, coalesce(m.config->>'method', 'auto'), 0.5,
                               coalesce(m.config->>'categorical_method', 'auto')) d,
           LATERAL (VALUES ('drifted_features', d.drifted_features::float8), ('drift_share', d.share)) x(metric, value);
  WHEN 'quality' THEN
    RETURN QUERY SELECT q.feature, q.check_name, q.value
      FROM mlobs.quality_report(m.reference_summary::mlobs.feature_profiles, summary::mlobs.feature_profiles,
                                coalesce(m.config->'options', '{}')) q WHERE q.value IS NOT NULL;
  WHEN 'prediction_drift' THEN
    pred := summary::mlobs.profile;
    -- The drift statistics read finite scores only, so NULL, NaN and ±Infinity scores (a broken
    -- model or feature pipeline) get their own shares, as the quality monitor's: a window of NaN
    -- scores shows as missing_share 1 instead of as a window without points.
    IF rows > 0 THEN
      RETURN QUERY SELECT 'prediction', 'missing_share',
          (mlobs.null_count(pred) + mlobs.nan_count(pred) + mlobs.inf_count(pred))::float8 / rows
        UNION ALL SELECT 'prediction', 'non_finite_share', (mlobs.nan_count(pred) + mlobs.inf_count(pred))::float8 / rows;
    END IF;
    IF mlobs.row_count(pred) > 0 THEN
      RETURN QUERY SELECT 'prediction', 'psi', mlobs.psi(m.reference_summary::mlobs.profile, pred)
        UNION ALL SELECT 'prediction', 'kl_div', (mlobs.drift(m.reference_summary::mlobs.profile, pred, 'kl_div')).statistic
        UNION ALL SELECT 'prediction', 'mean', mlobs.mean(pred);
    END IF;
  WHEN 'classification' THEN
    s := summary::jsonb;
    conf := (s->>'confusion')::mlobs.confusion;
    score := (s->>'score')::mlobs.score_summary;
    -- Coverage beside every performance value: labels land later than predictions.
    -- (An empty window's confusion summary is NULL: 0 labelled rows.)
    RETURN QUERY SELECT '', 'labelled_rows', coalesce(mlobs.row_count(conf), 0)::float8
      UNION ALL SELECT '', 'labelled_share', coalesce(mlobs.row_count(conf), 0)::float8 / NULLIF(rows, 0) WHERE rows > 0
      -- Scores that are not probabilities (NaN, ±Infinity, outside [0, 1]) are left out of the
      -- score metrics and counted here (_monitor_probability).
      -- (NULLIF: the planner folds the division with this call's values, before the WHERE.)
      UNION ALL SELECT '', 'invalid_score_share', (s->>'invalid_scores')::float8 / NULLIF(rows, 0) WHERE rows > 0 AND s ? 'invalid_scores';
    IF mlobs.row_count(conf) > 0 THEN
      RETURN QUERY SELECT '', 'accuracy', mlobs.accuracy(conf)
        UNION ALL SELECT '', 'f1', mlobs.f1(conf, coalesce(m.config->>'average', 'binary'));
      IF score IS NOT NULL AND mlobs.row_count(score) > 0 THEN
        feature := ''; metric := 'roc_auc'; value := mlobs.roc_auc(score); RETURN NEXT;
        -- Concept drift of P(label | score) against the reference (mlobs.concept_drift: label
        -- rates per reference-quantile score bin): the reference side is kept in the reference
        -- summary (mlobs.concept_reference); the window side is computed by the window's scan
        -- (_monitor_summary_sql, only with a concept reference), or, for a summary without it,
        -- from the window's pairs read again (the reference is parsed only then: 58 kB of jsonb).
        IF window_start IS NOT NULL AND s ? 'concept_drift_score' THEN
          IF jsonb_typeof(s->'concept_drift_score') = 'number' THEN
            feature := 'score'; metric := 'concept_drift_score'; value := (s->>'concept_drift_score')::float8; RETURN NEXT;
          END IF;
        ELSIF window_start IS NOT NULL AND jsonb_typeof(m.reference_summary::jsonb->'concept') = 'object' THEN
          concept := m.reference_summary::jsonb->'concept';
          RETURN QUERY EXECUTE format(
            'SELECT ''score'', ''concept_drift_score'', (mlobs.concept_drift($1, c.x, c.y)).score
               FROM (SELECT array_agg(%1$s) x, array_agg(%2$s::float8) y FROM %3$s
                      WHERE %4$I >= $2 AND %4$I < $3 AND %2$s IS NOT NULL AND %1$s IS NOT NULL) c
              WHERE c.x IS NOT NULL',
            mlobs._monitor_probability(m), mlobs._monitor_column(m, 'label'), m.source, m.ts_column)
            USING concept, window_start, window_end;
        END IF;
      END IF;
    END IF;
  WHEN 'regression' THEN
    RETURN QUERY SELECT '', 'labelled_rows', mlobs.row_count(summary::mlobs.regression_summary)::float8
      UNION ALL SELECT '', 'labelled_share', mlobs.row_count(summary::mlobs.regression_summary)::float8 / NULLIF(rows, 0) WHERE rows > 0;
    IF mlobs.row_count(summary::mlobs.regression_summary) > 0 THEN
      RETURN QUERY SELECT '', 'rmse', mlobs.rmse(summary::mlobs.regression_summary)
        UNION ALL SELECT '', 'mae', mlobs.mae(summary::mlobs.regression_summary);
    END IF;
  WHEN 'cbpe' THEN
    -- Estimated performance from scores alone: the reference calibration map applied to the
    -- window's scores (re-read: CBPE needs every score of the window once).
    RETURN QUERY EXECUTE format(
      'SELECT '''', ''cbpe_accuracy'', mlobs.accuracy(c) FROM (SELECT mlobs.cbpe_agg(%1$s, $1::mlobs.calibration, %2$s) c
         FROM %3$s WHERE %4$I >= $2 AND %4$I < $3 AND %1$s IS NOT NULL) s WHERE mlobs.row_count(c) > 0
       UNION ALL
       SELECT '''', ''cbpe_f1'', mlobs.f1(c) FROM (SELECT mlobs.cbpe_agg(%1$s, $1::mlobs.calibration, %2$s) c
         FROM %3$s WHERE %4$I >= $2 AND %4$I < $3 AND %1$s IS NOT NULL) s WHERE mlobs.row_count(c) > 0',
      mlobs._monitor_probability(m), coalesce((m.config->>'threshold')::float8, 0.5), m.source, m.ts_column)
      USING m.reference_summary, window_start, window_end;
  WHEN 'latency' THEN
    s := summary::jsonb;
    lat := (s->>'latency')::mlobs.profile;
    -- NaN and +Infinity latencies (timeouts, requests that never finished) are the slowest and
    -- -Infinity the fastest, as percentile_cont ranks them: a window of timeouts has an infinite
    -- p99 instead of no point (and no alert). The finite values' quantile at the same rank
    -- otherwise (the count of -Infinity is in the profile's text form).
    n_finite := mlobs.row_count(lat);
    n_fastest := coalesce(((s->>'latency')::jsonb->>'neg_inf_count')::bigint, 0);
    n_slowest := mlobs.nan_count(lat) + mlobs.inf_count(lat) - n_fastest;
    IF n_finite + n_slowest + n_fastest > 0 THEN
      RETURN QUERY SELECT '', x.metric,
          -- The ranks around h: +Infinity above gives +Infinity; -Infinity only below gives the
          -- fastest finite latency above it (percentile_cont would give NaN there, and a p99
          -- of -Infinity would hide the slow requests); -Infinity on both sides, -Infinity.
          CASE WHEN n_slowest + n_fastest = 0 THEN mlobs.quantile(lat, x.q) / 1000
               WHEN ceil(x.h) >= n_fastest + n_finite THEN 'Infinity'::float8
               WHEN ceil(x.h) < n_fastest THEN '-Infinity'::float8
               WHEN x.h < n_fastest THEN mlobs.quantile(lat, 0) / 1000
               ELSE mlobs.quantile(lat, CASE WHEN n_finite > 1 THEN (x.h - n_fastest) / (n_finite - 1) ELSE 0 END) / 1000 END
        FROM (SELECT v.metric, v.q, v.o, v.q * (n_finite + n_slowest + n_fastest - 1) AS h
                FROM (VALUES ('latency_p99_seconds', 0.99::float8, 1), ('latency_p50_seconds', 0.5, 2)) v(metric, q, o)) x
       ORDER BY x.o;
    END IF;
    IF rows > 0 THEN
      feature := ''; metric := 'error_rate'; value := (s->>'errors')::float8 / rows; RETURN NEXT;
    END IF;
  WHEN 'multivariate_drift' THEN
    RETURN QUERY SELECT * FROM mlobs._mv_metrics(m, summary);
  END CASE;
END $$;

-- Metrics that need labels: judged on windows with enough labels, whenever those land.
CREATE FUNCTION mlobs._label_metric(metric text) RETURNS bool
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT metric IN ('accuracy', 'f1', 'roc_auc', 'concept_drift_score', 'rmse', 'mae') $$;

-- Evaluates every enabled rule — on the monitors of one monitor id, or of all — and moves the
-- alert state machine; returns the number of transitions (each one NOTIFYs mlobs_alerts with the
-- alert id). Which window a rule judges:
--  * a metric computed from features, scores or latency: the monitor's latest window, when it
--    has at least the rule's `min_rows` rows (a window of 1 row gives any drift statistic). When
--    that window is empty, too small or lacks the metric, the series has no data and its open
--    alert resolves with reason 'no_data' at that window's end;
--  * a performance metric (labels): the latest window with at least `min_rows` labelled rows and
--    `min_coverage` labelled share — labels land days later, so that is usually not the latest
--    window, and a window that becomes judgeable when its labels land moves the state machine
--    then, attributed to its own window. A drop_vs_reference rule also needs `min_rows`
--    labelled rows in the reference. Missing labels are not "no data".
-- `for_duration`, started_at, fired_at and resolved_at count window time (window ends), so a
-- catch-up over many windows (evaluated window by window) gives the same alerts as a run per
-- window.
-- `steps`: the windows to judge, in order, as window starts. Step i judges, for each rule, the
-- latest window from steps[i] up to steps[i + 1] (the last step: from there on), so one call over
-- the windows a run has just stored in a row gives the alert history that judging after each
-- window gives; the state machine moves through the steps in order, and open alerts without data
-- resolve at each step's window. A run judges each batch of windows it stores (a chunk of new
-- windows, or one window), so the cost per window does not grow with the monitor's history.
-- Windows before them were judged when they were stored; rules added or changed since are applied
-- by the run's final evaluation (one step from -infinity: every window).
CREATE FUNCTION mlobs._evaluate_alert_steps(monitor bigint, steps timestamptz[]) RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp
-- Generic plans: planning the judged-window query took 2-6 ms, 4-10 times its execution, on every
-- call (custom plans). So every condition on windows is written as an index condition whatever
-- the arguments (a step's window range, each monitor's latest window by LATERAL): a generic plan
-- cannot use `since IS NULL OR window_start >= since` as one, and then walked a monitor's whole
-- history (the fleet benchmark found it). And no sequential scans: the generic plan is made once
-- per session, from the statistics of that moment; a first catch-up on a fresh install (its
-- tables vacuumed empty) got one that scanned every point for every judged window, and kept it
-- while the run added thousands (5.4 s instead of 2.5 s for runtime_scan.sh's week). Every
-- probe here has an index: the primary key's (monitor, window, ...). Each lookup of points
-- compares `metric || ''`, so that no statistics can make metric_points_series (metric first:
-- every point of the metric) look as good as the key. JIT off: a disabled sequential scan (of the
-- small rule and monitor tables) prices a plan above jit_above_cost, and compiling it took 2 s a
-- call where running it takes 2 ms.
SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off AS $$
DECLARE
  r record;
  a mlobs.alerts;
  transitions int := 0;
  -- The open alerts' keys: a candidate that is not breached moves nothing unless its key is open,
  -- so most candidates need no lookup. A key is format('%s,%s,%L,%L', rule, monitor, feature,
  -- segment), the query's series_key.
  open_keys text[];
  key text;
  have bool;
  step int;
  cands CURSOR FOR
    -- Materialised: the rules' judged windows first (a few rows), then their points by key; a
    -- plan that starts from the points (misled by the statistics of a table growing inside the
    -- run) would read every point of the monitor per window.
    WITH st AS (SELECT u.s AS lo, coalesce(steps[u.i + 1], 'infinity') AS hi, u.i AS step
                  FROM unnest(steps) WITH ORDINALITY u(s, i)),
    -- The enabled rules of the monitors, once (not once per step).
    rules AS MATERIALIZED (
      SELECT ru.id AS rule_id, ru.name AS rule_name, ru.severity, ru.for_duration, ru.request_retraining, ru.mode,
             ru.threshold, ru.min_rows, ru.min_coverage, ru.comparison, ru.metric, ru.feature AS feature_filter,
             ru.segment AS segment_filter, mo.id AS monitor_id, mo.model, mo.reference_metrics,
             mlobs._label_metric(ru.metric) AS needs_labels
        FROM mlobs.alert_rules ru
        -- Enabled monitors only: a disabled one's alerts were resolved above (monitor_disabled).
        JOIN mlobs.monitors mo ON (ru.model IS NULL OR ru.model = mo.model) AND mo.enabled
                              AND (_evaluate_alert_steps.monitor IS NULL OR mo.id = _evaluate_alert_steps.monitor)
        -- A label metric only on kinds with labels (else the search for a window with enough
        -- labels walks the monitor's whole history, on every call).
        JOIN mlobs._monitor_kinds() d ON d.kind = mo.kind AND (d.labelled OR NOT mlobs._label_metric(ru.metric))
       WHERE ru.enabled),
    judged AS MATERIALIZED (
      SELECT st.step, rl.*, j.*
        FROM rules rl
        CROSS JOIN st
        CROSS JOIN LATERAL (
          SELECT w.window_start, w.window_end, w.rows
            FROM mlobs.monitor_windows w
           WHERE w.monitor_id = rl.monitor_id AND w.segment = '' AND w.window_start >= st.lo AND w.window_start < st.hi
             AND (NOT rl.needs_labels
                  OR ((SELECT lr.value FROM mlobs.metric_points lr
                        WHERE lr.monitor_id = w.monitor_id AND lr.window_start = w.window_start AND lr.segment = ''
                          AND lr.feature = '' AND lr.metric || '' = 'labelled_rows') >= rl.min_rows
                      AND coalesce((SELECT ls.value FROM mlobs.metric_points ls
                                     WHERE ls.monitor_id = w.monitor_id AND ls.window_start = w.window_start
                                       AND ls.segment = '' AND ls.feature = '' AND ls.metric || '' = 'labelled_share'), 0)
                          >= rl.min_coverage))
           ORDER BY w.window_start DESC LIMIT 1) j),
    -- The judged window's points of each rule's metric, whole window and segments (a segment is
    -- judged on its own rows, labelled rows and reference).
    points AS (
      SELECT j.*, p.feature, p.segment, p.value,
             -- Scalar subqueries, not joins: each is one probe by key (a join was planned as a
             -- scan of every window of the segment).
             CASE WHEN p.segment = '' THEN j.reference_metrics
                  ELSE (SELECT sg.reference_metrics FROM mlobs.monitor_segments sg
                         WHERE sg.monitor_id = j.monitor_id AND sg.segment = p.segment) END AS reference_of,
             CASE WHEN p.segment = '' THEN j.rows
                  ELSE (SELECT sw.rows FROM mlobs.monitor_windows sw WHERE sw.monitor_id = j.monitor_id
                           AND sw.window_start = j.window_start AND sw.segment = p.segment) END AS segment_rows,
             -- The labels of the point's own series (the whole window's for segment '').
             CASE WHEN j.needs_labels THEN
               (SELECT x.value FROM mlobs.metric_points x WHERE x.monitor_id = j.monitor_id AND x.window_start = j.window_start
                   AND x.segment = p.segment AND x.feature = '' AND x.metric || '' = 'labelled_rows') END AS labelled,
             CASE WHEN j.needs_labels THEN
               (SELECT x.value FROM mlobs.metric_points x WHERE x.monitor_id = j.monitor_id AND x.window_start = j.window_start
                   AND x.segment = p.segment AND x.feature = '' AND x.metric || '' = 'labelled_share') END AS share
        FROM judged j
        -- By key for each judged window (OFFSET 0 keeps it a parameterised scan: with many judged
        -- windows a generic plan hashed them against every point of the table).
        CROSS JOIN LATERAL (
          SELECT p.feature, p.segment, p.value FROM mlobs.metric_points p
           WHERE p.monitor_id = j.monitor_id AND p.window_start = j.window_start AND p.metric || '' = j.metric
             AND (j.feature_filter IS NULL OR j.feature_filter = p.feature)
             AND (j.segment_filter IS NULL OR j.segment_filter = p.segment)
          OFFSET 0) p),
    candidates AS (
      SELECT j.*, j.window_end AS ts, (j.reference_of->>j.metric)::float8 AS reference,
             CASE WHEN j.needs_labels THEN j.labelled ELSE j.segment_rows END AS judged_rows,
             CASE WHEN j.needs_labels THEN j.share END AS judged_share,
             CASE j.mode WHEN 'value' THEN j.value
                  ELSE ((j.reference_of->>j.metric)::float8 - j.value)
                       / nullif(abs((j.reference_of->>j.metric)::float8), 0) END AS observed
        FROM points j
       WHERE (j.needs_labels OR j.segment_rows >= j.min_rows)
         -- A segment is judged on labels only when it has enough of its own (the whole window's
         -- were checked when its judged window was chosen).
         AND (NOT j.needs_labels OR j.segment = ''
              OR (j.labelled >= j.min_rows AND coalesce(j.share, 0) >= j.min_coverage))
         AND (j.mode = 'value' OR NOT j.needs_labels
              OR coalesce((j.reference_of->>'labelled_rows')::float8, 0) >= j.min_rows)),
    judged_candidates AS (
      SELECT c.*, CASE c.comparison WHEN '>' THEN c.observed > c.threshold WHEN '>=' THEN c.observed >= c.threshold
                                    WHEN '<' THEN c.observed < c.threshold ELSE c.observed <= c.threshold END AS breached
        FROM candidates c),
    -- Whether the series breached at an earlier step of this call (its alert may be open then).
    flagged AS (
      SELECT j.*, format('%s,%s,%L,%L', j.rule_id, j.monitor_id, j.feature, j.segment) AS series_key,
             coalesce(bool_or(coalesce(j.breached, false))
                             OVER (PARTITION BY j.rule_id, j.monitor_id, j.feature, j.segment ORDER BY j.step
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS breached_before
        FROM judged_candidates j)
    -- Only candidates that can move an alert: breached ones, and those of a series whose alert is
    -- open (from before the call, or from a breach at an earlier step). In a quiet catch-up that
    -- is next to nothing, where every candidate used to be one loop iteration.
    SELECT f.* FROM flagged f
     WHERE coalesce(f.breached, false) OR f.breached_before
        OR (cardinality(open_keys) > 0 AND f.series_key = ANY (open_keys))
     ORDER BY f.step, f.rule_id, f.monitor_id, f.feature, f.segment;
BEGIN
  -- A hot standby (run_monitors checked before calling this: only evaluate_alerts gets here there).
  PERFORM mlobs._require_primary('mlobs.evaluate_alerts');
  -- Alerts of rules since disabled, or edited so that they no longer cover the alert (its metric,
  -- model, feature or segment filter changed: the alert stayed firing with its old value, no
  -- window judging it again), resolve at their monitor's watermark (window time, like every
  -- other transition), as rule_disabled; first, so that a rule's new metric opens an alert of
  -- its own instead of moving the old one (found by the lookup by rule, feature and segment).
  -- So do the alerts of a disabled monitor (monitor_disabled): no run judges it, and its alerts
  -- stayed firing, paged for good (review of 2026-12-08).
  FOR a IN
    UPDATE mlobs.alerts al SET state = 'resolved', resolved_at = greatest(al.started_at, coalesce(mo.watermark, al.started_at)),
           resolved_reason = CASE WHEN mo.enabled THEN 'rule_disabled' ELSE 'monitor_disabled' END, updated_at = now()
      FROM mlobs.alert_rules ru, mlobs.monitors mo
     WHERE ru.id = al.rule_id AND mo.id = al.monitor_id AND al.state <> 'resolved'
       AND (NOT mo.enabled OR NOT ru.enabled OR ru.metric <> al.metric OR ru.model <> mo.model OR ru.feature <> al.feature
            OR ru.segment <> al.segment)
       AND (_evaluate_alert_steps.monitor IS NULL OR al.monitor_id = _evaluate_alert_steps.monitor)
    RETURNING al.*
  LOOP
    PERFORM pg_notify('mlobs_alerts', a.id::text);
    transitions := transitions + 1;
  END LOOP;
  SELECT coalesce(array_agg(format('%s,%s,%L,%L', al.rule_id, al.monitor_id, al.feature, al.segment)), '{}') INTO open_keys
    FROM mlobs.alerts al
   WHERE al.state <> 'resolved' AND (_evaluate_alert_steps.monitor IS NULL OR al.monitor_id = _evaluate_alert_steps.monitor);
  OPEN cands;
  FETCH cands INTO r;
  have := FOUND;
  FOR step IN 1 .. coalesce(cardinality(steps), 0) LOOP
    WHILE have AND r.step = step LOOP
      <<judge>>
      BEGIN
        key := r.series_key;
        EXIT judge WHEN NOT coalesce(r.breached, false) AND key <> ALL (open_keys);
        SELECT * INTO a FROM mlobs.alerts
         WHERE rule_id = r.rule_id AND monitor_id = r.monitor_id AND feature = r.feature AND segment = r.segment
           AND state <> 'resolved'
         FOR UPDATE;
        -- A rule whose metric was edited after the sweep above and before these candidates were
        -- read: its open alert of the old metric is not moved to the new one (review of
        -- 2026-12-07); it resolves here as it would have there.
        IF a.id IS NOT NULL AND a.metric IS DISTINCT FROM r.metric THEN
          UPDATE mlobs.alerts SET state = 'resolved', resolved_at = greatest(a.started_at, r.ts), resolved_reason = 'rule_disabled',
                 updated_at = now()
           WHERE id = a.id;
          PERFORM pg_notify('mlobs_alerts', a.id::text);
          transitions := transitions + 1;
          open_keys := array_remove(open_keys, key);
          a := NULL;
          EXIT judge WHEN NOT coalesce(r.breached, false);
        END IF;
        -- An open alert is moved only by a window at or after the one it last judged.
        EXIT judge WHEN a.id IS NOT NULL AND r.ts < a.started_at;
        IF coalesce(r.breached, false) THEN
          IF a.id IS NULL THEN
            INSERT INTO mlobs.alerts (rule_id, monitor_id, model, feature, metric, severity, state, value, threshold,
                                      started_at, fired_at, window_start, worst_value, judged_rows, judged_share, segment)
            VALUES (r.rule_id, r.monitor_id, r.model, r.feature, r.metric, r.severity,
                    CASE WHEN r.for_duration <= interval '0' THEN 'firing' ELSE 'pending' END, r.observed, r.threshold,
                    r.ts, CASE WHEN r.for_duration <= interval '0' THEN r.ts END, r.window_start, r.observed, r.judged_rows,
                    r.judged_share, r.segment)
            RETURNING * INTO a;
            open_keys := open_keys || key;
            PERFORM pg_notify('mlobs_alerts', a.id::text);
            transitions := transitions + 1;
          ELSIF a.state = 'pending' AND r.ts - a.started_at >= r.for_duration THEN
            UPDATE mlobs.alerts SET state = 'firing', fired_at = r.ts, value = r.observed, judged_rows = r.judged_rows,
                   judged_share = r.judged_share, severity = r.severity, threshold = r.threshold,
                   worst_value = CASE WHEN r.comparison LIKE '<%' THEN least(worst_value, r.observed) ELSE greatest(worst_value, r.observed) END,
                   updated_at = now()
             WHERE id = a.id RETURNING * INTO a;
            PERFORM pg_notify('mlobs_alerts', a.id::text);
            transitions := transitions + 1;
          ELSE
            -- The rule's severity and threshold as they are now (an edited rule escalates its
            -- open alert: the relay is told, to route it anew).
            UPDATE mlobs.alerts SET value = r.observed, judged_rows = r.judged_rows, judged_share = r.judged_share,
                   worst_value = CASE WHEN r.comparison LIKE '<%' THEN least(worst_value, r.observed) ELSE greatest(worst_value, r.observed) END,
                   severity = r.severity, threshold = r.threshold, updated_at = now()
             WHERE id = a.id;
            IF a.severity IS DISTINCT FROM r.severity OR a.threshold IS DISTINCT FROM r.threshold THEN
              PERFORM pg_notify('mlobs_alerts', a.id::text);
            END IF;
            EXIT judge;
          END IF;
          -- One open request per model: a flapping alert does not queue retraining after retraining.
          IF a.state = 'firing' AND r.request_retraining
             AND NOT EXISTS (SELECT 1 FROM mlobs.retraining_requests q WHERE q.model = r.model AND q.status = 'open') THEN
            INSERT INTO mlobs.retraining_requests (model, alert_id, reason)
            VALUES (r.model, a.id, CASE r.mode
              WHEN 'value' THEN format('%s: %s = %s (%s %s), window starting %s', r.rule_name,
                                       concat_ws(' ', nullif(r.segment, ''), nullif(r.feature, ''), r.metric), round(r.observed::numeric, 4),
                                       r.comparison, r.threshold, to_char(r.window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'))
              ELSE format('%s: %s is %s %% below the reference (%s -> %s; threshold %s %%), window starting %s', r.rule_name,
                          concat_ws(' ', nullif(r.segment, ''), nullif(r.feature, ''), r.metric), round(100 * r.observed::numeric, 2),
                          round(r.reference::numeric, 4), round(r.value::numeric, 4), round(100 * r.threshold::numeric, 2),
                          to_char(r.window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')) END)
            -- Two runs at once (one job per owner) both passed the check above: the unique index
            -- keeps one (retraining_requests_one_open).
            ON CONFLICT (model) WHERE status = 'open' DO NOTHING;
            IF FOUND THEN
              PERFORM pg_notify('mlobs_retraining', r.model);
            END IF;
          END IF;
        ELSIF a.id IS NOT NULL AND r.breached IS NOT NULL THEN
          UPDATE mlobs.alerts SET state = 'resolved', resolved_at = r.ts, value = r.observed, judged_rows = r.judged_rows,
                 judged_share = r.judged_share, resolved_reason = 'recovered', updated_at = now()
           WHERE id = a.id;
          open_keys := array_remove(open_keys, key);
          PERFORM pg_notify('mlobs_alerts', a.id::text);
          transitions := transitions + 1;
        END IF;
      END;
      FETCH cands INTO r;
      have := FOUND;
    END LOOP;
    CONTINUE WHEN cardinality(open_keys) = 0;
    -- No data: open alerts on feature-side metrics whose monitor's latest window of this step
    -- gives their rule nothing to judge (empty or too small, or the metric is missing) resolve at
    -- that window's end.
    FOR a IN
      -- Per monitor, its latest window by key (a generic plan cannot use `monitor IS NULL OR
      -- monitor_id = monitor` as an index condition: over monitor_windows it read every window).
      WITH latest AS (
        SELECT lw.* FROM mlobs.monitors mo
         CROSS JOIN LATERAL (
           SELECT w.monitor_id, w.window_start, w.window_end FROM mlobs.monitor_windows w
            WHERE w.monitor_id = mo.id AND w.segment = '' AND w.window_start >= steps[step]
              AND w.window_start < coalesce(steps[step + 1], 'infinity')
            ORDER BY w.window_start DESC LIMIT 1) lw
         WHERE _evaluate_alert_steps.monitor IS NULL OR mo.id = _evaluate_alert_steps.monitor)
      UPDATE mlobs.alerts al SET state = 'resolved', resolved_at = l.window_end, resolved_reason = 'no_data', updated_at = now()
        FROM latest l, mlobs.alert_rules ru
       WHERE al.monitor_id = l.monitor_id AND ru.id = al.rule_id AND al.state <> 'resolved' AND ru.enabled
         -- <=: an alert that window itself fired (late rows, deleted again by a revision).
         AND NOT mlobs._label_metric(ru.metric) AND al.started_at <= l.window_end
         -- The alert's segment (or the whole window) in that window: its rows, and its point.
         AND (coalesce((SELECT w.rows FROM mlobs.monitor_windows w WHERE w.monitor_id = l.monitor_id
                           AND w.window_start = l.window_start AND w.segment = al.segment), 0) < ru.min_rows
              OR NOT EXISTS (
               SELECT 1 FROM mlobs.metric_points p WHERE p.monitor_id = l.monitor_id AND p.window_start = l.window_start
                  AND p.segment = al.segment AND p.metric || '' = ru.metric AND p.feature = al.feature AND p.value IS NOT NULL))
      RETURNING al.*
    LOOP
      open_keys := array_remove(open_keys, format('%s,%s,%L,%L', a.rule_id, a.monitor_id, a.feature, a.segment));
      PERFORM pg_notify('mlobs_alerts', a.id::text);
      transitions := transitions + 1;
    END LOOP;
  END LOOP;
  CLOSE cands;
  RETURN transitions;
END $$;

CREATE FUNCTION mlobs.evaluate_alerts(monitor bigint DEFAULT NULL) RETURNS int
LANGUAGE sql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp
AS $$ SELECT mlobs._evaluate_alert_steps(monitor, '{-infinity}') $$;

-- mlobs.create_alert_rule: a rule whose metric is one mlobs writes (a typo would never fire).
CREATE FUNCTION mlobs.create_alert_rule(name text, metric text, comparison text, threshold float8,
  mode text DEFAULT 'value', severity text DEFAULT 'warning', for_duration interval DEFAULT '0',
  model text DEFAULT NULL, feature text DEFAULT NULL, request_retraining bool DEFAULT false, min_rows int DEFAULT 30,
  min_coverage float8 DEFAULT 0, segment text DEFAULT NULL)
RETURNS bigint LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  id bigint;
BEGIN
  IF name IS NULL OR metric IS NULL OR comparison IS NULL OR threshold IS NULL OR mode IS NULL OR severity IS NULL
     OR for_duration IS NULL OR request_retraining IS NULL OR min_rows IS NULL OR min_coverage IS NULL THEN
    RAISE EXCEPTION 'only model, feature and segment may be NULL' USING ERRCODE = '22004';
  END IF;
  IF NOT metric = ANY (mlobs.metric_names()) THEN
    RAISE EXCEPTION 'metric "%" is not one mlobs writes; known metrics: %', metric, array_to_string(mlobs.metric_names(), ', ')
      USING ERRCODE = '22023';
  END IF;
  IF threshold = 'NaN' OR threshold IN ('Infinity', '-Infinity') THEN
    RAISE EXCEPTION 'threshold must be finite, got %', threshold USING ERRCODE = '22023';
  END IF;
  IF min_rows < 1 THEN
    RAISE EXCEPTION 'min_rows must be at least 1, got %', min_rows USING ERRCODE = '22023';
  END IF;
  IF NOT (min_coverage BETWEEN 0 AND 1) THEN
    RAISE EXCEPTION 'min_coverage must be in [0, 1], got %', min_coverage USING ERRCODE = '22023';
  END IF;
  INSERT INTO mlobs.alert_rules (name, metric, comparison, threshold, mode, severity, for_duration, model, feature,
                                 request_retraining, min_rows, min_coverage, segment)
  VALUES (create_alert_rule.name, metric, comparison, threshold, mode, severity, for_duration, model, feature,
          request_retraining, min_rows, min_coverage, create_alert_rule.segment)
  RETURNING alert_rules.id INTO id;
  RETURN id;
END $$;

-- Every metric name the monitors write (metric_points.metric), for rules and dashboards.
CREATE FUNCTION mlobs.metric_names() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT ARRAY['rows', 'drifted_features', 'drift_share', 'mean',
               -- drift methods (feature_drift statistic per feature, prediction_drift psi/kl_div)
               'psi', 'kl_div', 'jensenshannon', 'wasserstein', 'wasserstein_raw', 'hellinger', 'ed', 'ks', 'mannw',
               'anderson', 'empirical_mmd', 'cramer_von_mises', 't_test', 'chisquare', 'z', 'g_test', 'TVD', 'fisher_exact',
               -- quality checks
               'missing_share', 'out_of_range_share', 'outlier_share', 'new_category_share', 'almost_constant',
               'distinct_count', 'type_mismatch_share', 'new_feature', 'non_finite_share',
               -- performance
               'accuracy', 'f1', 'labelled_rows', 'labelled_share', 'roc_auc', 'concept_drift_score', 'rmse', 'mae',
               'cbpe_accuracy', 'cbpe_f1', 'latency_p99_seconds', 'latency_p50_seconds', 'error_rate',
               -- multivariate drift
               'reconstruction_error', 'reconstruction_error_lower', 'reconstruction_error_upper',
               'domain_classifier_auc', 'multivariate_drift']
$$;

-- The latest point of every series (model, feature, segment) of one metric, with a value,
-- optionally of one monitor kind (among the series' 32 newest points and each such monitor's
-- latest window: a series several kinds write, a key named like another kind's, costs that much,
-- not its history): what the
-- Prometheus exporter and "latest" panels read. A loose index scan over metric_points_series (one
-- probe per series), so its cost does not grow with the history the way a DISTINCT ON over every
-- point of the metric does. Ties on ts go to the highest monitor id. segment '' is the whole window.
CREATE FUNCTION mlobs.latest_points(metric text, kind text DEFAULT NULL)
RETURNS TABLE (monitor_id bigint, window_start timestamptz, ts timestamptz, model text, feature text, value float8,
               segment text)
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  WITH RECURSIVE series AS (
    (SELECT p.model, p.feature, p.segment FROM mlobs.metric_points p WHERE p.metric = latest_points.metric
      ORDER BY p.model, p.feature, p.segment LIMIT 1)
    UNION ALL
    SELECT n.model, n.feature, n.segment FROM series s
     CROSS JOIN LATERAL (SELECT p.model, p.feature, p.segment FROM mlobs.metric_points p
                          WHERE p.metric = latest_points.metric AND (p.model, p.feature, p.segment) > (s.model, s.feature, s.segment)
                          ORDER BY p.model, p.feature, p.segment LIMIT 1) n)
  SELECT l.* FROM series s
   CROSS JOIN LATERAL (
     SELECT c.* FROM (
       SELECT p.monitor_id, p.window_start, p.ts, p.model, p.feature, p.value, p.segment
         FROM (SELECT p.* FROM mlobs.metric_points p
                WHERE p.metric = latest_points.metric AND p.model = s.model AND p.feature = s.feature AND p.segment = s.segment
                  AND p.value IS NOT NULL
                ORDER BY p.ts DESC, p.monitor_id DESC
                -- With a kind, among the series' 32 newest points: a series of another kind (a
                -- feature_drift psi asked for prediction_drift's) was walked to its first point,
                -- the exporter's scrape growing with the history (review of 2026-12-08) ...
                LIMIT CASE WHEN latest_points.kind IS NULL THEN 1 ELSE 32 END) p
        WHERE latest_points.kind IS NULL
           OR EXISTS (SELECT 1 FROM mlobs.monitors m WHERE m.id = p.monitor_id AND m.kind = latest_points.kind)
       UNION ALL
       -- ... and the point of each monitor of the kind (and the series' model) in its latest
       -- window, one probe each: a monitor of another kind writing the same series more often
       -- (a 30-minute feature_drift with a key named prediction beside a daily prediction_drift)
       -- filled the 32 newest points.
       SELECT p.monitor_id, p.window_start, p.ts, p.model, p.feature, p.value, p.segment
         FROM mlobs.monitors mk
        CROSS JOIN LATERAL (SELECT w.window_start FROM mlobs.monitor_windows w WHERE w.monitor_id = mk.id AND w.segment = ''
                             ORDER BY w.window_start DESC LIMIT 1) lw
         JOIN mlobs.metric_points p ON p.monitor_id = mk.id AND p.window_start = lw.window_start AND p.segment = s.segment
                                   AND p.feature = s.feature AND p.metric = latest_points.metric AND p.value IS NOT NULL
        WHERE latest_points.kind IS NOT NULL AND mk.kind = latest_points.kind AND mk.model = s.model) c
      ORDER BY c.ts DESC, c.monitor_id DESC LIMIT 1) l
$$;
