-- After the promotion, on the promoted standby and (the control) on the old primary, which runs on
-- independently: one more day of the demo's logs, then one run. The two outputs must be identical, and
-- run.sh checks the lines below: no window recomputed or lost, the new windows contiguous from each
-- monitor's old watermark, once per segment, each counting its rows exactly once.
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
SET timezone = 'UTC';
SELECT 'in recovery', pg_is_in_recovery();
CREATE TEMP TABLE before_run AS SELECT monitor_id, window_start, segment, computed_at, summary FROM mlobs.monitor_windows;
CREATE TEMP TABLE marks AS SELECT id, name, source, ts_column, window_size, watermark FROM mlobs.monitors;
-- 2026-01-15, a copy of the 14th, with explicit ids: a promoted standby's sequences resume up to 32
-- values ahead of the old primary's (nextval logs ahead), and the channel segments read id % 10.
INSERT INTO fraud_predictions (id, ts, model_version, features, score, predicted_label, label, latency_ms)
SELECT id + 21600, ts + interval '1 day', model_version, features, score, predicted_label, label, latency_ms
  FROM fraud_predictions WHERE ts >= '2026-01-14' ORDER BY id;
INSERT INTO transactions (id, ts, features)
SELECT id + 1440, ts + interval '1 day', features FROM transactions WHERE ts >= '2026-01-14' ORDER BY id;
SELECT 'run', status, windows, revised, points, alert_transitions, errors FROM mlobs.run_monitors('2026-01-16 00:00');
-- Windows computed before the promotion: none recomputed but for the revision a labelled monitor over
-- a view does on every run (a view has no change triggers: it recomputes its windows within
-- label_horizon, mlobs._monitor_plan), to the same summaries; none lost.
SELECT 'recomputed outside the revision horizons', count(*)
  FROM before_run b JOIN mlobs.monitor_windows w USING (monitor_id, window_start, segment) JOIN mlobs.monitors mo ON mo.id = b.monitor_id
 WHERE w.computed_at <> b.computed_at
   AND NOT (mo.source::oid IN (SELECT oid FROM pg_class WHERE relkind = 'v')
            AND (SELECT d.labelled FROM mlobs._monitor_kinds() d WHERE d.kind = mo.kind)
            AND w.window_end > '2026-01-16'::timestamptz - mo.label_horizon);
SELECT 'revised within the horizons', mo.name, count(*), min(b.window_start), max(b.window_start),
       count(*) FILTER (WHERE w.summary IS DISTINCT FROM b.summary) AS summaries_changed
  FROM before_run b JOIN mlobs.monitor_windows w USING (monitor_id, window_start, segment) JOIN mlobs.monitors mo ON mo.id = b.monitor_id
 WHERE w.computed_at <> b.computed_at GROUP BY mo.id, mo.name ORDER BY mo.id;
SELECT 'lost', count(*) FROM before_run b LEFT JOIN mlobs.monitor_windows w USING (monitor_id, window_start, segment)
 WHERE w.monitor_id IS NULL;
-- The new windows per monitor: from the old watermark to the new one, gaps (a window not starting where
-- the segment's previous one ended), windows per segment, and windows whose row count differs from a
-- count(*) of the source over the window (the whole window's, segment '').
SELECT 'new windows', m.name, m.watermark AS old_watermark, mo.watermark AS new_watermark,
       count(DISTINCT w.segment) AS segments, count(*) AS windows,
       count(*) FILTER (WHERE w.prev_end IS NOT NULL AND w.window_start <> w.prev_end) AS gaps,
       count(*) FILTER (WHERE w.prev_end IS NULL AND w.window_start <> m.watermark) AS not_from_watermark,
       max(w.window_end) = mo.watermark AS up_to_new_watermark,
       count(*) = count(DISTINCT w.segment) * ((extract(epoch FROM mo.watermark - m.watermark) / extract(epoch FROM m.window_size))::int)
         AS once_per_segment,
       count(*) FILTER (WHERE w.segment = '' AND w.rows <> (xpath('/row/n/text()', query_to_xml(
         format('SELECT count(*) AS n FROM %s WHERE %I >= %L AND %I < %L', m.source, m.ts_column, w.window_start,
                m.ts_column, w.window_end), false, true, '')))[1]::text::bigint) AS miscounted
  FROM marks m JOIN mlobs.monitors mo USING (id)
  JOIN (SELECT x.*, lag(x.window_end) OVER (PARTITION BY x.monitor_id, x.segment ORDER BY x.window_start) AS prev_end
          FROM mlobs.monitor_windows x
         WHERE NOT EXISTS (SELECT FROM before_run b WHERE (b.monitor_id, b.window_start, b.segment) = (x.monitor_id, x.window_start, x.segment))) w
    ON w.monitor_id = m.id
 GROUP BY m.id, m.name, m.watermark, mo.watermark, m.window_size ORDER BY m.id;
SELECT 'unmoved monitors', count(*) FROM marks m JOIN mlobs.monitors mo USING (id) WHERE mo.watermark IS NOT DISTINCT FROM m.watermark;
SELECT 'monitors', md5(string_agg(format('%s %s %s %s', id, name, watermark, rows_total), E'\n' ORDER BY id)) FROM mlobs.monitors;
SELECT 'windows', count(*), md5(string_agg(format('%s %s %s %s %s %s', monitor_id, window_start, window_end, segment, rows, md5(summary)), E'\n'
                                            ORDER BY monitor_id, window_start, segment))
  FROM mlobs.monitor_windows;
SELECT 'new points', count(*), md5(string_agg(format('%s %s %s %s %s %s %s %s', monitor_id, window_start, ts, segment, feature, metric, value, labels), E'\n'
                                              ORDER BY monitor_id, window_start, segment, feature, metric))
  FROM mlobs.metric_points WHERE window_start >= '2026-01-15';
SELECT 'points', count(*), md5(string_agg(format('%s %s %s %s %s %s %s %s', monitor_id, window_start, ts, segment, feature, metric, value, labels), E'\n'
                                          ORDER BY monitor_id, window_start, segment, feature, metric))
  FROM mlobs.metric_points;
-- Alerts without id and updated_at (a sequence and the clock: they may differ).
SELECT 'alerts', count(*), md5(string_agg(format('%s %s %s %s %s %s %s %s %s %s %s %s', r.name, a.monitor_id, a.feature, a.segment, a.state,
                                                 a.value, a.started_at, a.fired_at, a.resolved_at, a.window_start, a.worst_value, a.resolved_reason),
                                          E'\n' ORDER BY r.name, a.monitor_id, a.feature, a.segment, a.started_at))
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id;
SELECT 'open alerts', string_agg(format('%s %s %s %s', r.name, a.feature, a.segment, a.state), '; ' ORDER BY r.name, a.feature, a.segment)
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id WHERE a.state <> 'resolved' AND a.window_start >= '2026-01-14';
SELECT 'predict', mlobs.predict('fraud', features), mlobs.shap('fraud', features) FROM transactions WHERE id = 20000 + 1440;  -- a row of the new day
