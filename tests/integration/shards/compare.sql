-- Sharded summaries merged on the coordinator versus the single-node results, check by check.
-- Run on the coordinator after coordinator.sql. Leaves the tables `summaries` and `checks` and the
-- views shard_hourly_v / shard_total_v (the pushed-down queries shards.sh EXPLAINs).
\set split '2026-03-02 12:00:00+00'
-- The single-node reference is one serial pass in id order; the shards scan serially too
-- (postgres_fdw reads through a cursor, which never runs a parallel plan).
SET max_parallel_workers_per_gather = 0;
-- Full partitionwise aggregation: GROUP BY the partition key pushes each group's aggregate
-- down to its shard (PG15's postgres_fdw never pushes partial aggregates).
SET enable_partitionwise_aggregate = on;
SET extra_float_digits = 1;  -- float8::text is the shortest exact form: text equality = bit equality

-- A CBPE calibration map fitted on the labelled reference window; the shards receive it as a
-- query parameter in its text form.
CREATE TABLE calibration_maps AS
  SELECT 'fraud'::text AS model, mlobs.calibration_agg(score, label) AS map
    FROM predictions_single WHERE ts < :'split' AND label IS NOT NULL;

-- The summaries a monitor keeps, identical text for every side.
\set aggs 'mlobs.profile_agg(amount) AS amount_p, mlobs.profile_agg(age) AS age_p,'
\set aggs :aggs ' mlobs.category_agg(merchant) AS merchant_c, mlobs.features_agg(features) AS f,'
\set aggs :aggs ' mlobs.histogram_agg(amount, ''{0,10,20,50,100,200,500}'') AS amount_h,'
\set aggs :aggs ' mlobs.confusion_agg(label, predicted) FILTER (WHERE label IS NOT NULL) AS conf,'
\set aggs :aggs ' mlobs.score_agg(score, label) FILTER (WHERE label IS NOT NULL) AS scores,'
\set aggs :aggs ' mlobs.regression_agg(delivery_min, delivery_min_pred) AS reg,'
\set aggs :aggs ' mlobs.cbpe_agg(score, (SELECT map FROM calibration_maps WHERE model = ''fraud'')) FILTER (WHERE label IS NULL) AS cbpe,'
\set aggs :aggs ' mlobs.outlier_count_agg(amount, 5, 300) AS outliers, count(*) AS n'
\set rollups 'mlobs.rollup(amount_p), mlobs.rollup(age_p), mlobs.rollup(merchant_c), mlobs.rollup(f), mlobs.rollup(amount_h),'
\set rollups :rollups ' mlobs.rollup(conf), mlobs.rollup(scores), mlobs.rollup(reg), mlobs.rollup(cbpe), sum(outliers)::bigint, sum(n)'

-- Computed on the shards: one row per shard and hour, and one per shard.
CREATE VIEW shard_hourly_v AS
  SELECT shard, date_bin('1 hour', ts, '2000-01-01 00:00:00+00') AS bucket, :aggs FROM predictions GROUP BY shard, bucket;
CREATE VIEW shard_total_v AS SELECT shard, :aggs FROM predictions GROUP BY shard;
CREATE VIEW single_total_v AS SELECT :aggs FROM predictions_single;  -- for the timings in shards.sh
-- Hourly summaries stored on the coordinator, as a monitor stores them.
CREATE TABLE shard_hourly AS SELECT * FROM shard_hourly_v;

CREATE TABLE summaries AS  -- side: single | merged | broken; scope: what the row covers
  SELECT 'single'::text AS side, 'hour'::text AS scope, date_bin('1 hour', ts, '2000-01-01 00:00:00+00') AS bucket, :aggs
    FROM predictions_single GROUP BY bucket;
INSERT INTO summaries SELECT 'single', 'total', NULL, :aggs FROM predictions_single;
INSERT INTO summaries SELECT 'single', 'reference', NULL, :aggs FROM predictions_single WHERE ts < :'split';
INSERT INTO summaries SELECT 'single', 'current', NULL, :aggs FROM predictions_single WHERE ts >= :'split';
INSERT INTO summaries SELECT 'merged', 'hour', bucket, :rollups FROM shard_hourly GROUP BY bucket;
INSERT INTO summaries SELECT 'merged', 'total', NULL, :rollups FROM shard_total_v;
INSERT INTO summaries SELECT 'merged', 'total via hours', NULL, :rollups FROM shard_hourly;
INSERT INTO summaries SELECT 'merged', 'reference', NULL, :rollups FROM shard_hourly WHERE bucket < :'split';
INSERT INTO summaries SELECT 'merged', 'current', NULL, :rollups FROM shard_hourly WHERE bucket >= :'split';
-- Negative control: a merge that lost shard 3 must fail the comparison.
INSERT INTO summaries SELECT 'broken', 'total', NULL, :rollups FROM shard_total_v WHERE shard <> 3;

-- Every check: the single-node value and the merged one as text. expect says what must hold:
--   exact      bit-identical (counts, extremes, sketches, category counts, and everything read from them);
--   rounding   a floating-point sum (mean/M2, Σ loss, Σ|e|, Σ p̂) whose last bits depend on the order of
--              the additions: |a - b| <= 1e-12 * max(|a|, |b|);
--   amplified  a difference of such sums (t-test, mean error, relative change), which multiplies
--              their relative error by its condition number: |a - b| <= 1e-9 * max(|a|, |b|).
CREATE TABLE checks AS
WITH pairs AS (
  SELECT m.side, m.scope, s.bucket, s AS a, m AS b
    FROM summaries s JOIN summaries m ON s.side = 'single' AND m.side <> 'single'
     AND m.scope IN (s.scope, s.scope || ' via hours') AND s.bucket IS NOT DISTINCT FROM m.bucket),
profiles AS (
  SELECT side, scope, bucket, p.* FROM pairs, LATERAL (VALUES
    ('amount', (a).amount_p, (b).amount_p), ('age', (a).age_p, (b).age_p),
    ('features.amount', mlobs.feature_profile((a).f, 'amount'), mlobs.feature_profile((b).f, 'amount')),
    ('features.n_tx', mlobs.feature_profile((a).f, 'n_tx'), mlobs.feature_profile((b).f, 'n_tx'))) p(col, x, y)),
windows AS (  -- (reference, current) of each side, for drift and quality
  SELECT c.side, r.a AS ra, r.b AS rb, c.a AS ca, c.b AS cb
    FROM pairs r JOIN pairs c ON r.scope = 'reference' AND c.scope = 'current' AND r.side = c.side),
drifts AS MATERIALIZED (  -- every profile drift method, 36 h against 12 h and first hour against last hour
  SELECT w.side, w.label || ' ' || p.col AS col, m, mlobs.drift(r1, c1, m) AS d1, mlobs.drift(r2, c2, m) AS d2
    FROM (SELECT 'windows' AS label, * FROM windows
          UNION ALL
          SELECT 'hours', c.side, r.a, r.b, c.a, c.b FROM pairs r JOIN pairs c ON r.side = c.side
           WHERE r.scope = 'hour' AND r.bucket = '2026-03-01 00:00:00+00' AND c.scope = 'hour' AND c.bucket = '2026-03-02 23:00:00+00') w,
         LATERAL (VALUES ('amount', (ra).amount_p, (ca).amount_p, (rb).amount_p, (cb).amount_p),
                         ('age', (ra).age_p, (ca).age_p, (rb).age_p, (cb).age_p)) p(col, r1, c1, r2, c2),
         -- ks's exact p-value takes ~20 s on the 45 000 / 15 000-row windows: hours only.
         -- empirical_mmd (100 permutations, ~4 s a call) is left out.
         unnest(CASE WHEN w.label = 'hours' THEN '{ks}'::text[] ELSE '{}' END
                || '{psi,kl_div,jensenshannon,wasserstein,wasserstein_raw,hellinger,ed,anderson,mannw,cramer_von_mises,t_test}'::text[]) m)
SELECT side, scope, bucket, 'profile ' || col AS family, c.*
  FROM profiles, LATERAL (VALUES
    ('count', 'exact', mlobs.count(x)::text, mlobs.count(y)::text),
    ('null_count', 'exact', mlobs.null_count(x)::text, mlobs.null_count(y)::text),
    ('nan_count', 'exact', mlobs.nan_count(x)::text, mlobs.nan_count(y)::text),
    ('inf_count', 'exact', mlobs.inf_count(x)::text, mlobs.inf_count(y)::text),
    ('total_count', 'exact', mlobs.total_count(x)::text, mlobs.total_count(y)::text),
    ('min', 'exact', mlobs.min(x)::text, mlobs.min(y)::text),
    ('max', 'exact', mlobs.max(x)::text, mlobs.max(y)::text),
    ('quantiles', 'exact', mlobs.quantile(x, '{0.01,0.1,0.25,0.5,0.75,0.9,0.99}'::float8[])::text,
                           mlobs.quantile(y, '{0.01,0.1,0.25,0.5,0.75,0.9,0.99}'::float8[])::text),
    ('missing_share', 'exact', mlobs.missing_share(x)::text, mlobs.missing_share(y)::text),
    ('iqr fences', 'exact', mlobs.outlier_fences(x)::text, mlobs.outlier_fences(y)::text),
    ('outside_share', 'exact', mlobs.outside_share(x, 10, 200)::text, mlobs.outside_share(y, 10, 200)::text),
    ('mean', 'rounding', mlobs.mean(x)::text, mlobs.mean(y)::text),
    ('variance', 'rounding', mlobs.variance(x)::text, mlobs.variance(y)::text),
    ('stddev_pop', 'rounding', mlobs.stddev_pop(x)::text, mlobs.stddev_pop(y)::text),
    ('zscore fence lower', 'rounding', (mlobs.outlier_fences(x, 'zscore')).lower::text, (mlobs.outlier_fences(y, 'zscore')).lower::text),
    ('zscore fence upper', 'rounding', (mlobs.outlier_fences(x, 'zscore')).upper::text, (mlobs.outlier_fences(y, 'zscore')).upper::text)) c(name, expect, single, merged)
UNION ALL
SELECT side, scope, bucket, c.*
  FROM pairs, LATERAL (VALUES
    ('categories', 'summary', 'exact', (a).merchant_c::text, (b).merchant_c::text),
    ('categories', 'top_share', 'exact', mlobs.top_share((a).merchant_c)::text, mlobs.top_share((b).merchant_c)::text),
    ('categories', 'missing_share', 'exact', mlobs.missing_share((a).merchant_c)::text, mlobs.missing_share((b).merchant_c)::text),
    ('features', 'feature_types', 'exact', (SELECT array_agg(t ORDER BY t.feature)::text FROM mlobs.feature_types((a).f) t),
                                           (SELECT array_agg(t ORDER BY t.feature)::text FROM mlobs.feature_types((b).f) t)),
    ('features', 'merchant categories', 'exact', mlobs.feature_categories((a).f, 'merchant')::text, mlobs.feature_categories((b).f, 'merchant')::text),
    ('histogram', 'summary', 'exact', (a).amount_h::text, (b).amount_h::text),
    ('confusion', 'summary', 'exact', (a).conf::text, (b).conf::text),
    ('confusion', 'classification_report', 'exact', mlobs.classification_report((a).conf)::text, mlobs.classification_report((b).conf)::text),
    ('confusion', 'f1 macro', 'exact', mlobs.f1((a).conf, 'macro')::text, mlobs.f1((b).conf, 'macro')::text),
    ('confusion', 'mcc', 'exact', mlobs.mcc((a).conf)::text, mlobs.mcc((b).conf)::text),
    ('score', 'roc_auc', 'exact', mlobs.roc_auc((a).scores)::text, mlobs.roc_auc((b).scores)::text),
    ('score', 'roc_auc_bounds', 'exact', mlobs.roc_auc_bounds((a).scores)::text, mlobs.roc_auc_bounds((b).scores)::text),
    ('score', 'pr_auc', 'exact', mlobs.pr_auc((a).scores)::text, mlobs.pr_auc((b).scores)::text),
    ('score', 'pr_auc_bounds', 'exact', mlobs.pr_auc_bounds((a).scores)::text, mlobs.pr_auc_bounds((b).scores)::text),
    ('score', 'calibration_error', 'exact', mlobs.calibration_error((a).scores)::text, mlobs.calibration_error((b).scores)::text),
    ('score', 'count', 'exact', mlobs.count((a).scores)::text, mlobs.count((b).scores)::text),
    ('score', 'log_loss', 'rounding', mlobs.log_loss((a).scores)::text, mlobs.log_loss((b).scores)::text),
    ('score', 'brier', 'rounding', mlobs.brier((a).scores)::text, mlobs.brier((b).scores)::text),
    ('regression', 'count', 'exact', mlobs.count((a).reg)::text, mlobs.count((b).reg)::text),
    ('regression', 'max_error', 'exact', mlobs.max_error((a).reg)::text, mlobs.max_error((b).reg)::text),
    ('regression', 'median_absolute_error', 'exact', mlobs.median_absolute_error((a).reg)::text, mlobs.median_absolute_error((b).reg)::text),
    ('regression', 'rmse', 'rounding', mlobs.rmse((a).reg)::text, mlobs.rmse((b).reg)::text),
    ('regression', 'mae', 'rounding', mlobs.mae((a).reg)::text, mlobs.mae((b).reg)::text),
    ('regression', 'mape', 'rounding', mlobs.mape((a).reg)::text, mlobs.mape((b).reg)::text),
    ('regression', 'r2', 'rounding', mlobs.r2((a).reg)::text, mlobs.r2((b).reg)::text),
    ('regression', 'explained_variance', 'rounding', mlobs.explained_variance((a).reg)::text, mlobs.explained_variance((b).reg)::text),
    ('regression', 'mean_error', 'amplified', mlobs.mean_error((a).reg)::text, mlobs.mean_error((b).reg)::text),
    ('cbpe', 'count', 'exact', mlobs.count((a).cbpe)::text, mlobs.count((b).cbpe)::text),
    ('cbpe', 'accuracy', 'rounding', mlobs.accuracy((a).cbpe)::text, mlobs.accuracy((b).cbpe)::text),
    -- (f1 is not STRICT and raises on a NULL summary: hours without unlabelled rows have none)
    ('cbpe', 'f1', 'rounding', CASE WHEN (a).cbpe IS NOT NULL THEN mlobs.f1((a).cbpe)::text END,
                               CASE WHEN (b).cbpe IS NOT NULL THEN mlobs.f1((b).cbpe)::text END),
    ('outliers', 'outlier_count_agg', 'exact', (a).outliers::text, (b).outliers::text),
    ('rows', 'count(*)', 'exact', (a).n::text, (b).n::text)) c(family, name, expect, single, merged)
UNION ALL
-- Drift, current window against reference window, from each side's summaries. Only the
-- normalised Wasserstein (÷ σ) and the t-test read the moments; every other method reads the
-- sketches' discretised samples, which merge exactly.
SELECT side, 'drift', NULL, 'drift ' || col, c.*
  FROM drifts, LATERAL (VALUES
    (m || ' statistic', CASE m WHEN 'wasserstein' THEN 'rounding' WHEN 't_test' THEN 'amplified' ELSE 'exact' END, (d1).statistic::text, (d2).statistic::text),
    (m || ' p_value', CASE WHEN m = 't_test' THEN 'amplified' ELSE 'exact' END, (d1).p_value::text, (d2).p_value::text),
    (m || ' drifted', 'exact', (d1).drifted::text, (d2).drifted::text)) c(name, expect, single, merged)
UNION ALL
SELECT side, 'drift', NULL, c.*
  FROM windows, LATERAL (VALUES
    ('drift amount', 'psi(profile, profile)', 'exact', mlobs.psi((ra).amount_p, (ca).amount_p)::text, mlobs.psi((rb).amount_p, (cb).amount_p)::text),
    ('drift amount', 'psi(histogram, histogram)', 'exact', mlobs.psi((ra).amount_h, (ca).amount_h)::text, mlobs.psi((rb).amount_h, (cb).amount_h)::text),
    ('quality amount', 'out_of_range_share', 'exact', mlobs.out_of_range_share((ra).amount_p, (ca).amount_p)::text, mlobs.out_of_range_share((rb).amount_p, (cb).amount_p)::text),
    ('drift merchant', 'chisquare', 'exact', mlobs.drift((ra).merchant_c, (ca).merchant_c, 'chisquare')::text, mlobs.drift((rb).merchant_c, (cb).merchant_c, 'chisquare')::text),
    ('drift merchant', 'jensenshannon', 'exact', mlobs.drift((ra).merchant_c, (ca).merchant_c, 'jensenshannon')::text, mlobs.drift((rb).merchant_c, (cb).merchant_c, 'jensenshannon')::text),
    ('drift merchant', 'psi', 'exact', mlobs.drift((ra).merchant_c, (ca).merchant_c, 'psi')::text, mlobs.drift((rb).merchant_c, (cb).merchant_c, 'psi')::text),
    ('drift merchant', 'hellinger', 'exact', mlobs.drift((ra).merchant_c, (ca).merchant_c, 'hellinger')::text, mlobs.drift((rb).merchant_c, (cb).merchant_c, 'hellinger')::text),
    ('drift merchant', 'g_test', 'exact', mlobs.drift((ra).merchant_c, (ca).merchant_c, 'g_test')::text, mlobs.drift((rb).merchant_c, (cb).merchant_c, 'g_test')::text),
    ('drift merchant', 'l_infinity', 'exact', mlobs.drift((ra).merchant_c, (ca).merchant_c, 'l_infinity')::text, mlobs.drift((rb).merchant_c, (cb).merchant_c, 'l_infinity')::text),
    ('quality merchant', 'new_categories', 'exact', mlobs.new_categories((ra).merchant_c, (ca).merchant_c)::text, mlobs.new_categories((rb).merchant_c, (cb).merchant_c)::text),
    ('quality merchant', 'new_category_share', 'exact', mlobs.new_category_share((ra).merchant_c, (ca).merchant_c)::text, mlobs.new_category_share((rb).merchant_c, (cb).merchant_c)::text),
    ('drift features', 'dataset_drift', 'exact', (SELECT d::text FROM mlobs.dataset_drift((ra).f, (ca).f) d), (SELECT d::text FROM mlobs.dataset_drift((rb).f, (cb).f) d)),
    ('metrics', 'performance_report(confusion)', 'exact', (SELECT array_agg(r)::text FROM mlobs.performance_report((ra).conf, (ca).conf) r),
                                                          (SELECT array_agg(r)::text FROM mlobs.performance_report((rb).conf, (cb).conf) r))) c(family, name, expect, single, merged)
UNION ALL
-- drift_report: numeric features use 'auto' = normalised Wasserstein here (moments), categorical ones exact counts.
SELECT side, 'drift', NULL, 'drift_report ' || d.feature, c.*
  FROM windows, LATERAL (SELECT feature, x, y FROM mlobs.drift_report((ra).f, (ca).f) x FULL JOIN mlobs.drift_report((rb).f, (cb).f) y USING (feature)) d,
       LATERAL (VALUES
         ('kind method threshold drifted', 'exact', row((d.x).kind, (d.x).method, (d.x).threshold, (d.x).drifted)::text, row((d.y).kind, (d.y).method, (d.y).threshold, (d.y).drifted)::text),
         ('statistic', CASE (d.x).method WHEN 'wasserstein' THEN 'rounding' WHEN 't_test' THEN 'amplified' ELSE 'exact' END, (d.x).statistic::text, (d.y).statistic::text),
         ('p_value', CASE WHEN (d.x).method = 't_test' THEN 'amplified' ELSE 'exact' END, (d.x).p_value::text, (d.y).p_value::text)) c(name, expect, single, merged)
UNION ALL
-- quality_report reads counts and sketches only (IQR fences by default): every row exact.
SELECT side, 'quality', NULL, 'quality_report ' || q.feature, q.check_name, 'exact', q.x::text, q.y::text
  FROM windows, LATERAL (SELECT feature, check_name, x, y FROM mlobs.quality_report((ra).f, (ca).f) x
                           FULL JOIN mlobs.quality_report((rb).f, (cb).f) y USING (feature, check_name)) q
UNION ALL
SELECT side, 'metrics', NULL, 'performance_report(regression)', r.metric || ' ' || c.name,
       CASE WHEN r.metric = 'mean_error' OR c.name = 'relative_change' THEN 'amplified' ELSE c.expect END, c.single, c.merged
  FROM windows, LATERAL (SELECT metric, x, y FROM mlobs.performance_report((ra).reg, (ca).reg) x
                           FULL JOIN mlobs.performance_report((rb).reg, (cb).reg) y USING (metric)) r,
       LATERAL (VALUES
         ('reference_value', 'rounding', (r.x).reference_value::text, (r.y).reference_value::text),
         ('current_value', 'rounding', (r.x).current_value::text, (r.y).current_value::text),
         ('relative_change', 'rounding', (r.x).relative_change::text, (r.y).relative_change::text),
         ('degraded', 'exact', (r.x).degraded::text, (r.y).degraded::text)) c(name, expect, single, merged);

-- Verdict per check. Pairs NULL on both sides (a distance's p-value, CBPE in fully labelled
-- hours) compare nothing and are dropped.
DELETE FROM checks WHERE single IS NULL AND merged IS NULL;
ALTER TABLE checks ADD COLUMN rel_diff float8, ADD COLUMN ok bool;
UPDATE checks SET rel_diff = CASE WHEN single IS NOT DISTINCT FROM merged THEN 0
                                  WHEN expect <> 'exact' AND single IS NOT NULL AND merged IS NOT NULL
                                  THEN abs(single::float8 - merged::float8) / greatest(abs(single::float8), abs(merged::float8)) END;
UPDATE checks SET ok = CASE expect WHEN 'exact' THEN single IS NOT DISTINCT FROM merged
                                   WHEN 'rounding' THEN coalesce(rel_diff <= 1e-12, false)
                                   WHEN 'amplified' THEN coalesce(rel_diff <= 1e-9, false) END;
