-- mlobs demo: a fraud model's prediction log where one feature drifts halfway through,
-- hourly profiles stored once, and a PSI report from those profiles (no raw rescan); then the
-- registered XGBoost / LightGBM / scikit-learn models scoring and explaining a second log; then
-- two simulated weeks of the platform monitored with alerts, where a concept drift makes the
-- retraining loop train, compare and promote a new fraud model, and four more days in which
-- its accuracy alert resolves.
\set ON_ERROR_STOP on
\timing off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mlobs;
-- The demo data generator (mlobs_demo.simulate) is a companion extension of its own, which
-- production databases do not install.
CREATE EXTENSION IF NOT EXISTS mlobs_demo;

-- 1. The logged predictions: 14 days, ~300k rows. From day 7 on, "amount" drifts upwards
--    (a new merchant segment); the other features keep their distribution.
SELECT setseed(0.42) \gset
DROP TABLE IF EXISTS fraud_predictions;
CREATE TABLE fraud_predictions (
  id bigserial PRIMARY KEY, ts timestamptz NOT NULL, model_version text,
  features jsonb NOT NULL, score float8, predicted_label int, label int NULL, latency_ms float8);

INSERT INTO fraud_predictions (ts, model_version, features, score, predicted_label, label, latency_ms)
SELECT ts, 'fraud-v3', f, s, (s >= 0.5)::int, (random() < s)::int, 20 + 15 * abs(n1)
FROM (
  SELECT ts, n1, jsonb_build_object(
           'amount', round((exp(3.5 + 0.9 * n1 + CASE WHEN drifted THEN 0.6 ELSE 0 END))::numeric, 2),
           'merchant_risk', round(random()::numeric, 4),
           'account_age_days', floor(30 + 700 * random() * random()),
           'tx_last_24h', floor(-ln(1 - random()) * 3)) AS f,
         1 / (1 + exp(-(-4 + 0.8 * n1 + 2.5 * random()))) AS s
  FROM (
    SELECT ts, ts >= timestamptz '2026-01-08' AS drifted,
           sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS n1
    FROM generate_series(timestamptz '2026-01-01', timestamptz '2026-01-15' - interval '1 second', interval '4 seconds') ts
  ) base
) rows;
ANALYZE fraud_predictions;

-- 2. Hourly profiles per feature: what a pg_cron job would insert every hour.
DROP TABLE IF EXISTS feature_profiles_hourly;
CREATE TABLE feature_profiles_hourly (
  bucket timestamptz, feature text, profile mlobs.profile, PRIMARY KEY (bucket, feature));
INSERT INTO feature_profiles_hourly
SELECT date_bin('1 hour', p.ts, timestamptz '2000-01-01'), k.feature, mlobs.profile_agg((p.features ->> k.feature)::float8)
FROM fraud_predictions p
CROSS JOIN (VALUES ('amount'), ('merchant_risk'), ('account_age_days'), ('tx_last_24h')) k(feature)
GROUP BY 1, 2;

-- 3. The report: reference = first 3 days, current = the last day; PSI from rolled-up hourly
--    profiles (10 reference-quantile bins) next to Evidently's PSI on the raw values. Note how
--    Evidently's equal-width Sturges bins understate drift on a heavy-tailed feature (amount):
--    almost all mass lands in the first bin, which is why reference-fitted quantile bins exist.
\echo
\echo 'mlobs drift report: reference 2026-01-01..03, current 2026-01-14 (PSI threshold 0.1, as Evidently)'
WITH ref AS (
  SELECT feature, mlobs.rollup(profile) p FROM feature_profiles_hourly
  WHERE bucket >= '2026-01-01' AND bucket < '2026-01-04' GROUP BY feature),
cur AS (
  SELECT feature, mlobs.rollup(profile) p FROM feature_profiles_hourly
  WHERE bucket >= '2026-01-14' AND bucket < '2026-01-15' GROUP BY feature),
raw AS (
  SELECT k.feature,
         array_agg((features ->> k.feature)::float8) FILTER (WHERE ts < '2026-01-04') AS ref_values,
         array_agg((features ->> k.feature)::float8) FILTER (WHERE ts >= '2026-01-14') AS cur_values
  FROM fraud_predictions
  CROSS JOIN (VALUES ('amount'), ('merchant_risk'), ('account_age_days'), ('tx_last_24h')) k(feature)
  WHERE ts < '2026-01-04' OR ts >= '2026-01-14'
  GROUP BY k.feature)
SELECT ref.feature,
       mlobs.row_count(ref.p) AS ref_rows, mlobs.row_count(cur.p) AS cur_rows,
       round(mlobs.mean(ref.p)::numeric, 2) AS ref_mean, round(mlobs.mean(cur.p)::numeric, 2) AS cur_mean,
       round(mlobs.psi(ref.p, cur.p)::numeric, 4) AS psi_from_profiles,
       round(mlobs.psi(raw.ref_values, raw.cur_values)::numeric, 4) AS psi_evidently_exact,
       CASE WHEN mlobs.psi(ref.p, cur.p) >= 0.1 THEN 'DRIFT' ELSE 'ok' END AS status
FROM ref JOIN cur USING (feature) JOIN raw USING (feature)
ORDER BY psi_from_profiles DESC;

-- 4. When did it start? Daily PSI of amount against the reference, from the stored profiles.
\echo 'amount: daily PSI against the reference window'
WITH ref AS (SELECT mlobs.rollup(profile) p FROM feature_profiles_hourly
             WHERE feature = 'amount' AND bucket < '2026-01-04'),
daily AS (SELECT date_trunc('day', bucket)::date AS day, mlobs.rollup(profile) p FROM feature_profiles_hourly
          WHERE feature = 'amount' GROUP BY 1)
SELECT daily.day, round(mlobs.psi(ref.p, daily.p)::numeric, 4) AS psi,
       CASE WHEN mlobs.psi(ref.p, daily.p) >= 0.1 THEN 'DRIFT' ELSE 'ok' END AS status
FROM daily, ref ORDER BY 1;

-- 5. Whole-input drift in one pass over the jsonb feature column, Evidently's default tests
--    (KS below 1000 reference rows, normed Wasserstein above) and the dataset-level verdict.
\echo 'whole-input drift report (features_agg over the jsonb column, reference days 1-3 vs day 14)'
WITH ref AS (SELECT mlobs.features_agg(features) fp FROM fraud_predictions WHERE ts < '2026-01-04'),
     cur AS (SELECT mlobs.features_agg(features) fp FROM fraud_predictions WHERE ts >= '2026-01-14')
SELECT d.feature, d.kind, d.method, round(d.statistic::numeric, 4) AS statistic, d.drifted
FROM ref, cur, mlobs.drift_report(ref.fp, cur.fp) d;
WITH ref AS (SELECT mlobs.features_agg(features) fp FROM fraud_predictions WHERE ts < '2026-01-04'),
     cur AS (SELECT mlobs.features_agg(features) fp FROM fraud_predictions WHERE ts >= '2026-01-14')
SELECT d.drifted_features, d.judged_features, round(d.share::numeric, 2) AS share, d.dataset_drifted
FROM ref, cur, mlobs.dataset_drift(ref.fp, cur.fp) d;

-- 6. Models in the database: the platform's three models (fraud: XGBoost; price: LightGBM;
--    churn: scikit-learn random forest), exported once and registered; predictions and SHAP
--    values are the libraries' own (see docs/models.md). A second log with the models'
--    features: from day 8 on, transaction amounts shift upwards as above.
\set body `cat tests/fixtures/models/fraud_xgb.json`
SELECT mlobs.register_model('fraud', 'xgboost', :'body') AS fraud_version \gset
-- In production: the version mlobs.predict and the other readers serve by default.
SELECT mlobs.promote('fraud', :fraud_version, reason => 'the XGBoost fraud model, registered') AS previous_fraud_version \gset
\set body `cat tests/fixtures/models/price_lgbm.json`
SELECT mlobs.register_model('price', 'lightgbm', :'body') AS price_version \gset
\set body `cat tests/fixtures/models/churn_rf.json`
SELECT mlobs.register_model('churn', 'sklearn', :'body') AS churn_version \gset
DROP TABLE IF EXISTS transactions;
CREATE TABLE transactions AS
SELECT id, ts, jsonb_build_object(
         'amount', round((exp(3.5 + n1 + CASE WHEN ts >= '2026-01-08' THEN 0.8 ELSE 0 END))::numeric, 2),
         'age', 18 + floor(random() * 63), 'hour', extract(hour FROM ts),
         'distance', CASE WHEN random() < 0.05 THEN NULL ELSE round((-20 * ln(1 - random()))::numeric, 1) END,
         'n_tx', floor(-ln(1 - random()) * 5), 'score_ext', round(random()::numeric, 3)) AS features
FROM (SELECT row_number() OVER () AS id, ts, sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS n1
      FROM generate_series(timestamptz '2026-01-01', timestamptz '2026-01-15' - interval '1 second', interval '1 minute') ts) s;
ANALYZE transactions;

\echo 'models: daily mean fraud probability, price and churn probability from the registered models'
SELECT ts::date AS day, count(*) AS rows,
       round(avg(mlobs.predict('fraud', features))::numeric, 4) AS fraud_p,
       round(avg(mlobs.predict('price', features))::numeric, 2) AS price,
       round(avg(mlobs.predict('churn', features))::numeric, 4) AS churn_p
FROM transactions WHERE ts::date IN ('2026-01-02', '2026-01-07', '2026-01-08', '2026-01-14') GROUP BY 1 ORDER BY 1;

\echo 'fraud model: attribution drift, mean |SHAP| per feature, days 1-3 vs day 14'
SELECT feature, round(reference_importance::numeric, 4) AS ref_importance, round(current_importance::numeric, 4) AS cur_importance,
       reference_rank AS ref_rank, current_rank AS cur_rank
FROM mlobs.importance_drift(
  (SELECT mlobs.shap_importance_agg('fraud', features) FROM transactions WHERE ts < '2026-01-04'),
  (SELECT mlobs.shap_importance_agg('fraud', features) FROM transactions WHERE ts >= '2026-01-14'))
ORDER BY current_rank;

\echo 'the riskiest transaction of day 14, explained: SHAP (log-odds) per feature'
SELECT id, round(mlobs.predict('fraud', features)::numeric, 4) AS fraud_p FROM transactions
WHERE ts >= '2026-01-14' ORDER BY mlobs.predict('fraud', features) DESC, id LIMIT 1 \gset top_
SELECT key AS feature, features->key AS value, round(value::numeric, 4) AS shap
FROM transactions, jsonb_each_text(mlobs.shap('fraud', features)) WHERE id = :top_id
ORDER BY abs(value::float8) DESC;

\echo 'what would bring it under 0.5? (smallest change, age immutable)'
SELECT key AS feature, value->'from' AS from_value, value->'to' AS to_value,
       round((c->>'prediction_after')::numeric, 4) AS fraud_p_after
FROM (SELECT mlobs.counterfactual('fraud', features, 0.5, 2, ARRAY['age']) AS c FROM transactions WHERE id = :top_id) s,
     jsonb_each(c->'changes');

-- 7. The platform's monitoring, end to end: two weeks of simulated traffic (mlobs_demo.simulate) for
--    the three registered models, with scripted incidents — a covariate shift of amounts from
--    day 6, a concept drift from day 9, a missing-value spike on day 4, outliers on day 11 and a
--    latency spike on day 13. Drift, quality and performance are judged per day (6-hour windows
--    would compare a night against whole days), latency per 6 hours. Monitors run every 6 hours of
--    simulated time, exactly what the pg_cron job (mlobs.schedule_monitors) does in production;
--    alerts fire as the incidents hit. The fraud model has a retraining policy: the retraining
--    loop (mlobs.process_retraining_requests, a second pg_cron job) runs after the monitors.
\echo
\echo 'platform: simulating 14 days of traffic for fraud (XGBoost), price (LightGBM) and churn (random forest)'
DROP TABLE IF EXISTS fraud_log, price_log, churn_log;
DELETE FROM mlobs.monitors;
DELETE FROM mlobs.runs;
DELETE FROM mlobs.retraining_requests;
-- Labels (chargebacks) arrive two days after the prediction, by UPDATE: the log starts with them
-- NULL (true_label is what the UPDATEs will write, label_at when). Each row is scored at insert by
-- the fraud model's production version (model_version says which).
CREATE TABLE fraud_log AS
SELECT s.ts, s.features, mlobs.predict('fraud', s.features) AS score, mlobs.model_version('fraud') AS model_version,
       NULL::int AS label, s.label AS true_label, s.label_at, s.latency_ms, s.failed
FROM mlobs_demo.simulate('2026-02-01', '14 days', 120, '{
  "label_delay": "2 days",
  "covariate_shift": {"feature": "amount", "from": "2026-02-06", "factor": 2.0},
  "concept_drift": {"from": "2026-02-09", "strength": 2.0},
  "missing_spike": {"feature": "distance", "from": "2026-02-04", "to": "2026-02-04 12:00", "share": 0.3},
  "outliers": {"feature": "amount", "from": "2026-02-11", "to": "2026-02-11 12:00", "share": 0.15, "scale": 60},
  "latency_spike": {"from": "2026-02-13", "to": "2026-02-13 12:00", "extra_ms": 500}}', 0.11) s;
ALTER TABLE fraud_log ADD COLUMN predicted int;
UPDATE fraud_log SET predicted = (score >= 0.5)::int;
-- The price and churn models are not retrained: their traffic is simulated for 18 days at once.
CREATE TABLE price_log AS
SELECT s.ts, s.features, mlobs.predict('price', s.features) AS prediction,
       50 + 0.5 * (s.features->>'amount')::float8 + 10 * ln(1 + coalesce((s.features->>'distance')::float8, 20))
          - 0.2 * (s.features->>'age')::float8 + 3 * (s.features->>'n_tx')::float8 + 5 * (random() - 0.5) AS price
FROM mlobs_demo.simulate('2026-02-01', '18 days', 60, '{"covariate_shift": {"feature": "distance", "from": "2026-02-08", "factor": 3.0}}', 0.22) s;
CREATE TABLE churn_log AS
SELECT s.ts, s.features, mlobs.predict('churn', s.features) AS score,
       (random() < 1 / (1 + exp(-(1.0 - 0.03 * ((s.features->>'age')::float8 - 40) - 0.3 * (s.features->>'n_tx')::float8
                                 + 2.0 * ((s.features->>'score_ext')::float8 < 0.2)::int + 0.004 * (s.features->>'amount')::float8))))::int AS label
FROM mlobs_demo.simulate('2026-02-01', '18 days', 60, '{}', 0.33) s;
ALTER TABLE churn_log ADD COLUMN predicted int;
UPDATE churn_log SET predicted = (score >= 0.5)::int;
ANALYZE fraud_log; ANALYZE price_log; ANALYZE churn_log;

SELECT count(*) AS monitors FROM (
  SELECT mlobs.create_monitor('fraud features', 'fraud', 'fraud_log', 'feature_drift', '{}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('fraud quality', 'fraud', 'fraud_log', 'quality', '{}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('fraud score', 'fraud', 'fraud_log', 'prediction_drift', '{}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('fraud performance', 'fraud', 'fraud_log', 'classification', '{"score": "score"}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('fraud cbpe', 'fraud', 'fraud_log', 'cbpe', '{}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('fraud latency', 'fraud', 'fraud_log', 'latency', '{"error": "failed"}', '6 hours', start_at => '2026-02-01')
  UNION ALL SELECT mlobs.create_monitor('price features', 'price', 'price_log', 'feature_drift', '{}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('price errors', 'price', 'price_log', 'regression', '{"target": "price"}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('churn score', 'churn', 'churn_log', 'prediction_drift', '{}', '1 day', '2026-02-01', '2026-02-04')
  UNION ALL SELECT mlobs.create_monitor('churn performance', 'churn', 'churn_log', 'classification', '{"score": "score"}', '1 day', '2026-02-01', '2026-02-04')
) m;
-- Labels land two days late and in time order: a day whose first few hundred labels are in is
-- mostly night traffic (riskier). The accuracy rule judges a day once 90 % of its labels are in.
UPDATE mlobs.alert_rules SET min_coverage = 0.9 WHERE name = 'accuracy_drop';
-- How the fraud model is retrained when a critical rule asks for it: a random forest on the jsonb
-- features, trained on the two labelled days after the alert's first breached day and compared
-- with the production version on the day after them (promoted when its ROC AUC is higher).
SELECT model, algorithm, params, train_window, holdout_window
FROM mlobs.set_retraining_policy('fraud', 'fraud_log', 'label', ARRAY['features'], 'random_forest',
                                 '{"n_trees": 30, "max_depth": 8, "min_samples_leaf": 5}',
                                 train_window => '2 days', holdout_window => '1 day');

-- What the two pg_cron jobs would do every 6 hours, replayed: labels land, the monitors run, the
-- retraining loop looks at the open requests (what it did is kept in loop_log for the report).
CREATE TEMP TABLE loop_log (t timestamptz, request_id bigint, model text, decision text, detail text);
CREATE OR REPLACE PROCEDURE pg_temp.replay(from_t timestamptz, to_t timestamptz) LANGUAGE plpgsql AS $$
DECLARE t timestamptz; r mlobs.runs; q record;
BEGIN
  FOR t IN SELECT generate_series(from_t, to_t, '6 hours') LOOP
    UPDATE fraud_log SET label = true_label WHERE label IS NULL AND label_at <= t;   -- chargebacks land
    r := mlobs.run_monitors(t);
    IF extract(hour FROM t AT TIME ZONE 'UTC') = 0 THEN
      RAISE NOTICE 'run_monitors(%): % windows, % revised as labels landed, % alert transitions, status %', t, r.windows,
        r.revised, r.alert_transitions, r.status;
    END IF;
    FOR q IN SELECT * FROM mlobs.process_retraining_requests() LOOP
      INSERT INTO loop_log
      SELECT t, q.request_id, q.model_name, q.decision,
             CASE WHEN q.decision = 'waiting' THEN 'labels until ' || to_char((o.outcome->>'last_labelled')::timestamptz AT TIME ZONE 'UTC', 'Mon DD HH24:MI')
                    || '; needs them until ' || to_char((o.outcome->>'waiting_for_labels_until')::timestamptz AT TIME ZONE 'UTC', 'Mon DD HH24:MI')
                  WHEN q.error IS NOT NULL THEN q.error
                  ELSE format('trained v%s: %s %s vs %s for production v%s', q.trained_version, q.metric,
                              round(q.trained_value::numeric, 3), round(q.production_value::numeric, 3), q.production_version) END
        FROM mlobs.retraining_requests o WHERE o.id = q.request_id;
    END LOOP;
  END LOOP;
END $$;
CALL pg_temp.replay('2026-02-04 06:00', '2026-02-15');

\echo 'retraining loop, tick by tick: it waits until labels cover the 2 + 1 days after the first breached day'
SELECT request_id AS request, model, decision,
       to_char(min(t) AT TIME ZONE 'UTC', 'Mon DD HH24:MI') || CASE WHEN count(*) > 1 THEN ' .. ' || to_char(max(t) AT TIME ZONE 'UTC', 'Mon DD HH24:MI') ELSE '' END AS ticks,
       (array_agg(detail ORDER BY t DESC))[1] AS detail
FROM loop_log GROUP BY request_id, model, decision ORDER BY min(t);
\echo 'the request: decision and outcome (compared with production on the holdout day, same rows)'
SELECT id AS request, model, status, decision, trained_version AS trained, (outcome->>'production_version')::int AS production,
       outcome->>'metric' AS metric, round((outcome->>'production_value')::numeric, 3) AS production_value,
       round((outcome->>'trained_value')::numeric, 3) AS trained_value, outcome->>'test' AS test,
       to_char((outcome->>'p_value')::float8, '9.9EEEE') AS p_value, outcome->>'rows' AS rows,
       to_char((outcome->'train_window'->>0)::timestamptz AT TIME ZONE 'UTC', 'Mon DD') || ' .. ' ||
         to_char((outcome->'train_window'->>1)::timestamptz AT TIME ZONE 'UTC', 'Mon DD') AS trained_on,
       to_char((outcome->'holdout_window'->>0)::timestamptz AT TIME ZONE 'UTC', 'Mon DD') || ' .. ' ||
         to_char((outcome->'holdout_window'->>1)::timestamptz AT TIME ZONE 'UTC', 'Mon DD') AS compared_on
FROM mlobs.retraining_requests WHERE model = 'fraud' ORDER BY id;
\echo 'model stages: every change made by mlobs.promote (the loop gives its request as the reason)'
SELECT name, stage, version, previous_version AS previous, (SELECT format FROM mlobs.models m WHERE m.name = h.name AND m.version = h.version),
       reason FROM mlobs.model_stage_history h
WHERE name = 'fraud' AND version >= :fraud_version ORDER BY id;
SELECT 'mlobs.predict(''fraud'', ...) now serves version ' || mlobs.model_version('fraud') AS serving;

-- 8. The world after the concept drift goes on: four more days of fraud traffic, scored at insert
--    by mlobs.predict('fraud', ...), i.e. the version in production now; the monitors and the
--    loop keep running. As the new days' labels land, the accuracy alert resolves.
\echo
\echo 'platform: four more days of fraud traffic, scored by the production version'
INSERT INTO fraud_log (ts, features, score, model_version, label, true_label, label_at, latency_ms, failed, predicted)
SELECT s.ts, s.features, p.score, mlobs.model_version('fraud'), NULL, s.label, s.label_at, s.latency_ms, s.failed, (p.score >= 0.5)::int
FROM mlobs_demo.simulate('2026-02-15', '4 days', 120, '{
  "label_delay": "2 days",
  "covariate_shift": {"feature": "amount", "from": "2026-02-06", "factor": 2.0},
  "concept_drift": {"from": "2026-02-09", "strength": 2.0}}', 0.12) s,
     LATERAL (SELECT mlobs.predict('fraud', s.features) AS score) p;
ANALYZE fraud_log;
CALL pg_temp.replay('2026-02-15 06:00', '2026-02-19');

\echo 'alerts (first breach, severity, state); every transition was sent as NOTIFY mlobs_alerts'
SELECT a.model, r.name AS rule, nullif(a.feature, '') AS feature, a.severity, a.state,
       to_char(a.started_at AT TIME ZONE 'UTC', 'Mon DD HH24:MI') AS since,
       to_char(a.resolved_at AT TIME ZONE 'UTC', 'Mon DD HH24:MI') AS resolved, a.resolved_reason AS why,
       round(a.value::numeric, 3) AS last_value
FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id ORDER BY a.started_at, a.model, r.name;

\echo 'fraud model per day: the version that scored it, PSI of amount, realised accuracy (labels land 2 days'
\echo 'late: the last days are estimated by CBPE only) vs the label-free CBPE estimate, label coverage, p99 latency'
SELECT p.day, (SELECT string_agg(DISTINCT 'v' || l.model_version, ',') FROM fraud_log l WHERE l.ts >= p.day AND l.ts < p.day + 1) AS scored_by,
       round(max(p.value) FILTER (WHERE p.metric = 'psi' AND p.feature = 'amount')::numeric, 3) AS psi_amount,
       -- (only with at least the accuracy rule's 500 labelled rows)
       round(avg(p.value) FILTER (WHERE p.metric = 'accuracy' AND p.labelled >= 500)::numeric, 3) AS accuracy,
       round(avg(p.value) FILTER (WHERE p.metric = 'cbpe_accuracy')::numeric, 3) AS cbpe_accuracy,
       round(avg(p.value) FILTER (WHERE p.metric = 'labelled_share' AND p.monitor_id = (SELECT id FROM mlobs.monitors WHERE name = 'fraud performance'))::numeric, 2) AS labelled,
       round(max(p.value) FILTER (WHERE p.metric = 'latency_p99_seconds')::numeric * 1000) AS p99_ms
FROM (SELECT (m.ts - interval '1 second')::date AS day, m.*,
             (SELECT l.value FROM mlobs.metric_points l WHERE l.monitor_id = m.monitor_id AND l.window_start = m.window_start
                 AND l.segment = m.segment AND l.feature = '' AND l.metric = 'labelled_rows') AS labelled
        FROM mlobs.metric_points m WHERE m.model = 'fraud') p
GROUP BY 1 ORDER BY 1;

\echo 'the stale v1 and the promoted v2 on the same labelled rows of Feb 15-16 (mlobs.compare_models); the'
\echo 'accuracy rule compares with the reference days scored by v1 (Feb 1-3) and fires below 90 % of it'
SELECT c.metric, round(c.value_a::numeric, 3) AS v1, round(c.value_b::numeric, 3) AS v2, round(c.difference::numeric, 3) AS difference,
       c.test, to_char(c.p_value, '9.9EEEE') AS p_value, c.rows,
       round((m.reference_metrics->>c.metric)::numeric, 3) AS reference
FROM mlobs.compare_models('fraud', :fraud_version, mlobs.model_version('fraud'), 'fraud_log', '2026-02-15', '2026-02-17', 'label', ARRAY['features']) c,
     mlobs.monitors m WHERE m.name = 'fraud performance';

\echo 'retraining requests raised by critical rules (a model without a policy keeps its request open)'
SELECT id AS request, model, status, decision, reason FROM mlobs.retraining_requests ORDER BY id;
\echo 'retraining loop since Feb 15'
SELECT request_id AS request, model, decision,
       to_char(min(t) AT TIME ZONE 'UTC', 'Mon DD HH24:MI') || CASE WHEN count(*) > 1 THEN ' .. ' || to_char(max(t) AT TIME ZONE 'UTC', 'Mon DD HH24:MI') ELSE '' END AS ticks,
       (array_agg(detail ORDER BY t DESC))[1] AS detail
FROM loop_log WHERE t > '2026-02-15' GROUP BY request_id, model, decision ORDER BY min(t);
\echo 'note: v2 scores differently from v1 by design, and the fraud score and CBPE monitors still take v1''s days'
\echo 'as their reference: prediction drift fires after the promotion (and asks for retraining again; the loop'
\echo 'waits for labels after Feb 15), and CBPE underestimates v2. Re-create them with a reference window of v2.'
\echo 'Grafana: provision examples/grafana (datasource uid "mlobs", role mlobs_reader) against this database; Prometheus: examples/prometheus'
