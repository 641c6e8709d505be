-- What must be equal in `faults` and `control` after the last run: every window (rows, summary),
-- every metric point, every alert with its history, each monitor's watermark, counter and
-- reference, the registered models. Ids and clock times are left out (a killed run's inserts
-- still consume sequence values); window-derived times are kept.
\pset footer off
\pset tuples_only on
\pset format unaligned
SET timezone = 'UTC';
SELECT 'monitor ' || name || ' watermark=' || watermark || ' rows_total=' || rows_total || ' reference=' || md5(coalesce(reference_summary, ''))
  FROM mlobs.monitors ORDER BY name;
SELECT 'window ' || m.name || ' ' || w.window_start || ' ' || w.segment || ' rows=' || w.rows || ' summary=' || md5(coalesce(w.summary, ''))
  FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id ORDER BY m.name, w.window_start, w.segment;
SELECT 'point ' || m.name || ' ' || p.window_start || ' ' || p.segment || ' ' || p.feature || ' ' || p.metric || '=' || coalesce(p.value::text, 'NULL')
  FROM mlobs.metric_points p JOIN mlobs.monitors m ON m.id = p.monitor_id
 ORDER BY m.name, p.window_start, p.segment, p.feature, p.metric;
SELECT 'alert ' || r.name || ' ' || m.name || ' ' || a.feature || ' ' || a.segment || ' ' || a.state || ' value=' || coalesce(a.value::text, '')
       || ' started=' || a.started_at || ' fired=' || coalesce(a.fired_at::text, '') || ' resolved=' || coalesce(a.resolved_at::text, '')
       || ' window=' || coalesce(a.window_start::text, '') || ' worst=' || coalesce(a.worst_value::text, '') || ' judged_rows='
       || coalesce(a.judged_rows::text, '') || ' reason=' || coalesce(a.resolved_reason, '')
  FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id JOIN mlobs.monitors m ON m.id = a.monitor_id
 ORDER BY r.name, m.name, a.feature, a.segment, a.started_at;
SELECT 'failure ' || m.name || ' ' || f.window_start FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id ORDER BY 1;
SELECT 'model ' || name || ' v' || version || ' ' || format || ' ' || md5(body::text) FROM mlobs.models ORDER BY name, version;
SELECT 'stage ' || name || ' ' || stage || ' v' || version FROM mlobs.model_stages ORDER BY 1;
