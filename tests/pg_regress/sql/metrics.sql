-- Model performance: classification, ranking, losses, regression, CBPE; bad input; parallel = serial.
CREATE TABLE preds AS
  SELECT i,
         (i % 3) AS y, CASE WHEN i % 4 = 0 THEN (i * 7 + i / 5) % 3 ELSE i % 3 END AS yhat,
         (i % 2 = 0) AS b,
         round((((i * 37) % 101) / 100.0) * 0.7 + 0.3 * (i % 2 = 0)::int, 2)::float8 AS s,
         (i % 5 = 0) AS bhat,
         (i % 13 + 1)::float8 AS target, ((i % 13 + 1) + sin(i))::float8 AS pred
    FROM generate_series(1, 240000) i;
INSERT INTO preds (i) SELECT 0 FROM generate_series(1, 10);  -- rows of NULLs are skipped
ANALYZE preds;
SET max_parallel_workers_per_gather = 0;  -- fixed summation order for the printed digits

-- Classification ---------------------------------------------------------------------------
SELECT round(mlobs.accuracy(c)::numeric, 6) AS accuracy,
       round(mlobs.f1(c, 'macro')::numeric, 6) AS f1_macro,
       round(mlobs.f1(c, 'micro')::numeric, 6) AS f1_micro,
       round(mlobs.precision(c, 'weighted')::numeric, 6) AS precision_weighted,
       round(mlobs.mcc(c)::numeric, 6) AS mcc,
       mlobs.count(c)
  FROM (SELECT mlobs.confusion_agg(y, yhat) c FROM preds) t;
SELECT mlobs.confusion_matrix(mlobs.confusion_agg(b, bhat)) FROM preds;
SELECT round(mlobs.tpr(c)::numeric, 6) tpr, round(mlobs.fpr(c)::numeric, 6) fpr,
       round(mlobs.tnr(c)::numeric, 6) tnr, round(mlobs.fnr(c)::numeric, 6) fnr,
       round(mlobs.recall(c, 'binary', 'false')::numeric, 6) AS recall_of_false
  FROM (SELECT mlobs.confusion_agg(b, bhat) c FROM preds) t;
-- Text labels need pos_label for binary metrics; weights count.
SELECT mlobs.f1(mlobs.confusion_agg(a, p), 'binary', 'spam') AS f1_spam,
       mlobs.accuracy(mlobs.confusion_agg(a, p, w)) AS weighted_accuracy
  FROM (VALUES ('spam', 'spam', 3.0), ('ham', 'spam', 1.0), ('ham', 'ham', 1.0)) v(a, p, w);
SELECT mlobs.f1(mlobs.confusion_agg(a, p)) FROM (VALUES ('spam', 'spam'), ('ham', 'ham')) v(a, p);
SELECT mlobs.f1(mlobs.confusion_agg(y, yhat)) FROM preds;
SELECT mlobs.precision(mlobs.confusion_agg(y, yhat), 'median') FROM preds;
SELECT mlobs.confusion_agg(1, 1, -2.0);
SELECT mlobs.confusion_agg(1, 1, 'NaN');
-- Empty input → NULL; one class → metrics defined, zero division → 0.
SELECT mlobs.confusion_agg(y, yhat) IS NULL AS empty_is_null FROM preds WHERE false;
SELECT mlobs.precision(mlobs.confusion_agg(0, 0)), mlobs.accuracy(mlobs.confusion_agg(0, 0));
-- Per-class report (scikit-learn classification_report): classes in label order, then accuracy,
-- macro avg, weighted avg; weighted support; zero_division 0, 1 or NULL (undefined).
SELECT class, round(precision::numeric, 6) AS precision, round(recall::numeric, 6) AS recall,
       round(f1::numeric, 6) AS f1, support
  FROM mlobs.class_report((SELECT mlobs.confusion_agg(y, yhat) FROM preds));
SELECT r.* FROM mlobs.class_report((SELECT mlobs.confusion_agg(a, p, w)
  FROM (VALUES ('cat', 'cat', 2.0), ('cat', 'dog', 1.0), ('bird', 'cat', 0.5), ('bird', 'bird', 0.0)) v(a, p, w))) r;
SELECT zd, r.class, r.precision, r.recall, r.f1
  FROM (VALUES (0.0), (1.0), (NULL), ('NaN')) z(zd),
       mlobs.class_report((SELECT mlobs.confusion_agg(a, p) FROM (VALUES ('x', 'x'), ('x', 'y')) v(a, p)), zd) r
 ORDER BY zd NULLS FIRST, r.class;
SELECT count(*) AS null_summary_rows FROM mlobs.class_report(NULL);
SELECT * FROM mlobs.class_report((SELECT mlobs.confusion_agg(1, 1)), 0.5);
-- The report of rolled-up halves equals the report of the whole.
SELECT bool_and(a IS NOT DISTINCT FROM b) AS rollup_equals_whole
  FROM (SELECT array_agg(r ORDER BY r.class) a FROM mlobs.class_report((SELECT mlobs.confusion_agg(y, yhat) FROM preds)) r) w,
       (SELECT array_agg(r ORDER BY r.class) b FROM mlobs.class_report((
          SELECT mlobs.rollup(c) FROM (SELECT mlobs.confusion_agg(y, yhat) c FROM preds GROUP BY i % 2) h)) r) m;

-- Feature-target association (scipy chi2_contingency, Cramér's V) on a (feature, target) summary.
SELECT round(statistic::numeric, 9) AS statistic, round(p_value::numeric, 12) AS p_value, dof,
       round(cramers_v::numeric, 9) AS cramers_v
  FROM mlobs.chi2_contingency((SELECT mlobs.confusion_agg((i % 5)::text, y::text) FROM preds));
SELECT round(statistic::numeric, 9) AS statistic, round(p_value::numeric, 12) AS p_value, dof,
       round(cramers_v::numeric, 9) AS cramers_v
  FROM mlobs.chi2_contingency((SELECT mlobs.confusion_agg(s >= 0.5, b) FROM preds));
-- 2x2 by hand: Yates' correction by default, none with correction => false.
SELECT c, r.* FROM (VALUES (true), (false)) v(c),
  mlobs.chi2_contingency((SELECT mlobs.confusion_agg(a, t) FROM (VALUES ('a', 'x'), ('a', 'y'), ('a', 'x'), ('b', 'y'),
                                                                    ('b', 'y'), ('b', 'y'), ('b', 'x'), ('a', 'x')) v(a, t)), c) r;
SELECT * FROM mlobs.chi2_contingency((SELECT mlobs.confusion_agg('a', t) FROM (VALUES ('x'), ('y')) v(t)));
SELECT count(*) AS null_summary_rows FROM mlobs.chi2_contingency(NULL);
SELECT * FROM mlobs.chi2_contingency((SELECT mlobs.confusion_agg(1, 1)), NULL);

-- Ranking ----------------------------------------------------------------------------------
SELECT round(mlobs.roc_auc_agg(s, b)::numeric, 9) AS auc, round(mlobs.pr_auc_agg(s, b)::numeric, 9) AS ap,
       round(mlobs.ece_agg(s, b)::numeric, 9) AS ece FROM preds;
SELECT mlobs.roc_auc_agg(s, y % 2) = mlobs.roc_auc_agg(s, y % 2 = 1) AS int_equals_bool FROM preds;
SELECT mlobs.roc_auc_agg(0.5, b) AS all_equal_scores FROM preds;
SELECT mlobs.roc_auc_agg(s, true) AS one_class, mlobs.pr_auc_agg(s, false) AS no_positives FROM preds;
SELECT mlobs.roc_auc_agg(s, b) FROM preds WHERE false;
SELECT mlobs.roc_auc_agg('NaN', true);
SELECT mlobs.roc_auc_agg(0.3, 2);
SELECT round(mlobs.roc_auc_ovr_agg(ARRAY[p0, p1, 1 - p0 - p1], y)::numeric, 9) AS ovr_auc
  FROM (SELECT y, (0.2 + 0.3 * (y = 0)::int) * s AS p0, 0.3 * (1 - s) AS p1 FROM preds WHERE y IS NOT NULL) t;
SELECT round(mlobs.roc_auc_ovr_weighted_agg(ARRAY[p0, p1, 1 - p0 - p1], y)::numeric, 9) AS ovr_weighted,
       round(mlobs.roc_auc_ovo_agg(ARRAY[p0, p1, 1 - p0 - p1], y)::numeric, 9) AS ovo_macro,
       round(mlobs.roc_auc_ovo_weighted_agg(ARRAY[p0, p1, 1 - p0 - p1], y)::numeric, 9) AS ovo_weighted
  FROM (SELECT y, (0.2 + 0.3 * (y = 0)::int) * s AS p0, 0.3 * (1 - s) AS p1 FROM preds WHERE y IS NOT NULL) t;
SELECT mlobs.roc_auc_ovo_agg(p, y) IS NULL AS class_without_rows
  FROM (VALUES (ARRAY[0.6, 0.3, 0.1], 0), (ARRAY[0.3, 0.6, 0.1], 1)) v(p, y);
SELECT round(mlobs.pr_auc_ovr_agg(ARRAY[p0, p1, 1 - p0 - p1], y)::numeric, 9) AS ap_macro,
       round(mlobs.pr_auc_ovr_weighted_agg(ARRAY[p0, p1, 1 - p0 - p1], y)::numeric, 9) AS ap_weighted
  FROM (SELECT y, (0.2 + 0.3 * (y = 0)::int) * s AS p0, 0.3 * (1 - s) AS p1 FROM preds WHERE y IS NOT NULL) t;
-- each class's AP is pr_auc_agg of its column, so two classes give the mean of the two binary APs
SELECT mlobs.pr_auc_ovr_agg(ARRAY[1 - s, s], b::int) = (mlobs.pr_auc_agg(1 - s, NOT b) + mlobs.pr_auc_agg(s, b)) / 2 AS binary_agrees,
       mlobs.pr_auc_ovr_weighted_agg(ARRAY[1 - s, s], b::int) = (mlobs.pr_auc_agg(1 - s, NOT b) * count(*) FILTER (WHERE NOT b)
                                                                 + mlobs.pr_auc_agg(s, b) * count(*) FILTER (WHERE b)) / count(*) AS binary_weighted_agrees
  FROM preds WHERE b IS NOT NULL;
SELECT mlobs.pr_auc_ovr_agg(p, y) IS NULL AS macro_class_without_rows, mlobs.pr_auc_ovr_weighted_agg(p, y) AS weighted
  FROM (VALUES (ARRAY[0.6, 0.3, 0.1], 0), (ARRAY[0.3, 0.6, 0.1], 1), (ARRAY[0.5, 0.2, 0.3], 0)) v(p, y);
SELECT mlobs.pr_auc_ovr_agg(ARRAY[0.5, 0.6], 0);
-- Top-k accuracy: ties rank the higher class index first; k >= K always hits; two classes use the
-- binary rule on P(class 1) (0.5 is not above the threshold).
SELECT mlobs.in_top_k(ARRAY[0.4, 0.4, 0.2], 0, 1) AS tie_lower_index, mlobs.in_top_k(ARRAY[0.4, 0.4, 0.2], 1, 1) AS tie_higher_index,
       mlobs.in_top_k(ARRAY[0.1, 0.2, 0.7], 0, 3) AS k_ge_classes, mlobs.in_top_k(ARRAY[0.5, 0.5], 1, 1) AS binary_half,
       mlobs.in_top_k(ARRAY[-3, 1.5, 0.25], 2) AS decision_values;
SELECT round(avg(mlobs.in_top_k(ARRAY[p0, p1, 1 - p0 - p1], y, 1)::int), 9) AS top_1,
       round(avg(mlobs.in_top_k(ARRAY[p0, p1, 1 - p0 - p1], y)::int), 9) AS top_2
  FROM (SELECT y, (0.2 + 0.3 * (y = 0)::int) * s AS p0, 0.3 * (1 - s) AS p1 FROM preds WHERE y IS NOT NULL) t;
SELECT mlobs.in_top_k(ARRAY[0.2, 0.3, 0.5], 1, 0);
SELECT mlobs.roc_auc_ovr_agg(ARRAY[0.5, 0.6], 0);
SELECT mlobs.roc_auc_ovr_agg(ARRAY[0.5, 0.5], 2);
SELECT round(mlobs.calibration_error(ARRAY[0.1, 0.4, 0.35, 0.8], ARRAY[0, 0, 1, 1], 2)::numeric, 12) AS ece_2_bins;

-- Mergeable score summary: estimate within its bounds, bounds contain the exact value.
SELECT round(mlobs.roc_auc(x)::numeric, 9) AS auc, mlobs.roc_auc_bounds(x) AS auc_bounds,
       (mlobs.roc_auc_bounds(x))[1] <= (SELECT mlobs.roc_auc_agg(s, b) FROM preds)
         AND (SELECT mlobs.roc_auc_agg(s, b) FROM preds) <= (mlobs.roc_auc_bounds(x))[2] AS auc_within_bounds,
       (mlobs.pr_auc_bounds(x))[1] <= (SELECT mlobs.pr_auc_agg(s, b) FROM preds)
         AND (SELECT mlobs.pr_auc_agg(s, b) FROM preds) <= (mlobs.pr_auc_bounds(x))[2] AS ap_within_bounds,
       mlobs.count(x)
  FROM (SELECT mlobs.score_agg(s, b) x FROM preds) t;
SELECT mlobs.score_agg(1.5, true);
SELECT mlobs.rollup(x) IS NOT NULL FROM (SELECT mlobs.score_agg(0.3, true, 100) x UNION ALL SELECT mlobs.score_agg(0.3, true)) t;
-- Calibration error from the summary: bounds contain the exact ECE.
SELECT (mlobs.calibration_error_bounds(x, b))[1] <= mlobs.calibration_error(array_s, array_y, b)
         AND mlobs.calibration_error(array_s, array_y, b) <= (mlobs.calibration_error_bounds(x, b))[2] AS ece_within_bounds,
       b AS bins
  FROM (SELECT mlobs.score_agg(s, b) x, array_agg(s) FILTER (WHERE s IS NOT NULL) array_s,
               array_agg(b::int) FILTER (WHERE s IS NOT NULL) array_y FROM preds) t, (VALUES (5), (10), (20)) v(b);
-- Log loss and Brier from the summary are exact and merge across windows.
SELECT abs(mlobs.log_loss(mlobs.rollup(x)) - (SELECT mlobs.log_loss_agg(s, b) FROM preds)) < 1e-12 AS log_loss_exact,
       abs(mlobs.brier(mlobs.rollup(x)) - (SELECT mlobs.brier_agg(s, b) FROM preds)) < 1e-12 AS brier_exact
  FROM (SELECT mlobs.score_agg(s, b) x FROM preds GROUP BY i % 7) t;

-- Losses ---------------------------------------------------------------------------------------
SELECT round(mlobs.log_loss_agg(s, b)::numeric, 9) AS log_loss, round(mlobs.brier_agg(s, b)::numeric, 9) AS brier FROM preds;
SELECT mlobs.log_loss_agg(0.0, 1) AS clipped_at_eps;
SELECT round(mlobs.brier_agg(ARRAY[0.2, 0.8, 0.0], 0)::numeric, 12) AS multiclass_brier;
SELECT mlobs.log_loss_agg(1.5, 1);
SELECT mlobs.brier_agg(p, 0) FROM (VALUES (ARRAY[0.5, 0.5]), (ARRAY[0.2, 0.3, 0.5])) v(p);

-- Regression ---------------------------------------------------------------------------------
SELECT (SELECT jsonb_object_agg(key, round(value::text::numeric, 6)) FROM jsonb_each(mlobs.regression_report(r) - 'median_absolute_error')) AS report,
       abs(mlobs.median_absolute_error(r) - (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(pred - target)) FROM preds))
         <= 0.01 * (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(pred - target)) FROM preds) AS median_within_1pct
  FROM (SELECT mlobs.regression_agg(target, pred) r FROM preds) t;
SELECT mlobs.r2(mlobs.regression_agg(1, 2)) AS r2_n1, mlobs.rmse(mlobs.regression_agg(1, 2)) AS rmse_n1;
SELECT mlobs.regression_agg('Infinity', 1);
SELECT mlobs.relative_change(0.9, 0.8) < -0.1 AS dropped, mlobs.degraded(0.9, 0.8) AS alert,
       mlobs.degraded(10, 10.5, 0.1, false) AS rmse_alert, mlobs.relative_change(0, 1) AS from_zero;

-- CBPE: a calibration map from labelled reference rows, then unlabelled windows ---------------
CREATE TABLE cal AS SELECT mlobs.calibration_agg(s, b) AS c FROM preds WHERE i <= 120000;
SELECT mlobs.calibrate(c, -1) AS clipped_low, mlobs.calibrate(c, 2) AS clipped_high FROM cal;
SELECT abs(mlobs.accuracy(est) - mlobs.accuracy(real)) < 0.02 AS accuracy_tracks,
       abs(mlobs.f1(est) - mlobs.f1(real)) < 0.02 AS f1_tracks,
       abs(auc_est - auc_real) < 0.02 AS auc_tracks
  FROM (SELECT mlobs.cbpe_agg(p.s, cal.c) est, mlobs.confusion_agg(p.b, p.s >= 0.5) real,
               mlobs.cbpe_roc_auc_agg(p.s, cal.c) auc_est, mlobs.roc_auc_agg(p.s, p.b) auc_real
          FROM preds p, cal WHERE p.i > 120000) t;
SELECT mlobs.rollup(c) FROM cal;
SELECT '{"x":[0.5,0.2],"y":[0,1],"fitted_rows":2}'::mlobs.calibration;

-- Stored summaries round-trip through text and binary COPY.
CREATE TABLE perf_store AS SELECT mlobs.confusion_agg(y, yhat) c, mlobs.score_agg(s, b) sc, mlobs.regression_agg(target, pred) r FROM preds;
COPY perf_store TO '/tmp/mlobs_perf_store.bin' WITH (FORMAT binary);
CREATE TABLE perf_store2 (LIKE perf_store);
COPY perf_store2 FROM '/tmp/mlobs_perf_store.bin' WITH (FORMAT binary);
SELECT a.c::text = b.c::text AND a.sc::text = b.sc::text AND a.r::text = b.r::text AS binary_round_trip,
       a.c::text::mlobs.confusion::text = a.c::text AS text_round_trip
  FROM perf_store a, perf_store2 b;
SELECT 'garbage'::mlobs.confusion;

-- Parallel plans equal serial ones ------------------------------------------------------------
CREATE TEMP TABLE m_serial AS
  SELECT i % 3 AS g, mlobs.confusion_agg(y, yhat)::text c, mlobs.score_agg(s, b)::text sc,
         mlobs.roc_auc_agg(s, b) auc, mlobs.pr_auc_agg(s, b) ap, mlobs.ece_agg(s, b) ece,
         mlobs.log_loss_agg(s, b) ll, mlobs.regression_agg(target, pred) r,
         mlobs.cbpe_agg(s, (SELECT c FROM cal))::text cb,
         mlobs.brier_agg(s, b) br, mlobs.roc_auc_ovr_agg(ARRAY[0.5 * s, 0.5 * s, 1 - s], coalesce((i / 3) % 3, 0)) ovr,
         mlobs.roc_auc_ovo_weighted_agg(ARRAY[0.5 * s, 0.5 * s, 1 - s], coalesce((i / 3) % 3, 0)) ovo,
         mlobs.pr_auc_ovr_agg(ARRAY[0.5 * s, 0.5 * s, 1 - s], coalesce((i / 3) % 3, 0)) ovr_ap,
         mlobs.calibration_agg(s, b)::text cal, mlobs.cbpe_roc_auc_agg(s, (SELECT c FROM cal)) cba
    FROM preds GROUP BY 1;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT mlobs.confusion_agg(y, yhat), mlobs.roc_auc_agg(s, b), mlobs.regression_agg(target, pred) FROM preds;
CREATE TEMP TABLE m_parallel AS
  SELECT i % 3 AS g, mlobs.confusion_agg(y, yhat)::text c, mlobs.score_agg(s, b)::text sc,
         mlobs.roc_auc_agg(s, b) auc, mlobs.pr_auc_agg(s, b) ap, mlobs.ece_agg(s, b) ece,
         mlobs.log_loss_agg(s, b) ll, mlobs.regression_agg(target, pred) r,
         mlobs.cbpe_agg(s, (SELECT c FROM cal))::text cb,
         mlobs.brier_agg(s, b) br, mlobs.roc_auc_ovr_agg(ARRAY[0.5 * s, 0.5 * s, 1 - s], coalesce((i / 3) % 3, 0)) ovr,
         mlobs.roc_auc_ovo_weighted_agg(ARRAY[0.5 * s, 0.5 * s, 1 - s], coalesce((i / 3) % 3, 0)) ovo,
         mlobs.pr_auc_ovr_agg(ARRAY[0.5 * s, 0.5 * s, 1 - s], coalesce((i / 3) % 3, 0)) ovr_ap,
         mlobs.calibration_agg(s, b)::text cal, mlobs.cbpe_roc_auc_agg(s, (SELECT c FROM cal)) cba
    FROM preds GROUP BY 1;
SELECT count(*) AS groups,
       bool_and(a.c = b.c) AS confusion_identical,
       bool_and(mlobs.roc_auc(a.sc::mlobs.score_summary) = mlobs.roc_auc(b.sc::mlobs.score_summary)
                AND mlobs.roc_auc_bounds(a.sc::mlobs.score_summary) = mlobs.roc_auc_bounds(b.sc::mlobs.score_summary)
                AND mlobs.pr_auc_bounds(a.sc::mlobs.score_summary) = mlobs.pr_auc_bounds(b.sc::mlobs.score_summary)
                AND abs(mlobs.log_loss(a.sc::mlobs.score_summary) - mlobs.log_loss(b.sc::mlobs.score_summary)) <= 1e-12)
         AS score_summary_eq,
       bool_and(a.auc = b.auc AND a.ap = b.ap AND a.ece = b.ece) AS exact_ranking_identical,
       bool_and(abs(a.ll - b.ll) <= 1e-12 * a.ll) AS log_loss_eq_to_rounding,
       bool_and(abs(mlobs.rmse(a.r) - mlobs.rmse(b.r)) <= 1e-12 * mlobs.rmse(a.r)
                AND abs(mlobs.r2(a.r) - mlobs.r2(b.r)) <= 1e-12 AND mlobs.count(a.r) = mlobs.count(b.r)) AS regression_eq_to_rounding,
       bool_and(abs(mlobs.accuracy(a.cb::mlobs.confusion) - mlobs.accuracy(b.cb::mlobs.confusion)) <= 1e-12) AS cbpe_eq_to_rounding,
       bool_and(abs(a.br - b.br) <= 1e-12 * a.br) AS brier_eq_to_rounding,
       bool_and(a.ovr = b.ovr AND a.ovo = b.ovo AND a.ovr_ap = b.ovr_ap AND a.cal = b.cal AND a.cba = b.cba) AS ovr_calibration_cbpe_auc_identical
  FROM m_serial a JOIN m_parallel b USING (g);
RESET ALL;
