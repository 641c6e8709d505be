-- Faults found by the adversarial review of the stored summary types (2026-12-07, on 2ef3001):
-- aggregates that stored a value no later read (or pg_dump) accepted, a histogram whose text form
-- could not be read back, and a report that failed on a documented infinite statistic. Each
-- case failed there.
\set VERBOSITY terse
CREATE FUNCTION pg_temp.state(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE q;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 1. Errors near ±1.8e308 summed beyond float8: the summary was stored, then every read of it
-- failed (22P03 "moments must be finite"). Now 22003 when it is made, by a row or by a rollup.
SELECT pg_temp.state($$CREATE TEMP TABLE rs_reg AS SELECT mlobs.regression_agg(y, p) r
  FROM (VALUES (1e308::float8, 1e307::float8), (1e308, 1e307), (1e308, 1e307)) v(y, p)$$);
CREATE TEMP TABLE rs_parts AS SELECT mlobs.regression_agg(y, p) r FROM (VALUES (1e308::float8, 1e307::float8)) v(y, p), generate_series(1, 3) g GROUP BY g;
SELECT count(*) AS parts, bool_and(mlobs.mae(r) > 0) AS each_reads FROM rs_parts;
SELECT pg_temp.state($$SELECT mlobs.rollup(r) FROM rs_parts$$);
-- Sample weights near 1.8e308 in a score summary: the same.
SELECT pg_temp.state($$SELECT mlobs.score_agg(s, y, w) FROM (VALUES (0.5::float8, true, 1e308::float8), (0.5, true, 1e308)) v(s, y, w)$$);
SELECT mlobs.brier(mlobs.score_agg(s, y, w)) FROM (VALUES (0.5::float8, true, 1e308::float8)) v(s, y, w);

-- (2. A histogram with infinite edges, which only the binary input of earlier releases' values
-- can give, is covered by crates/mlobs-core/tests/extreme_values.rs.)

-- 3. A reference with one category against a window with new ones: drift_report's χ² is
-- Infinity (docs/drift.md), and summary_report failed on it (22023 "report data").
SELECT d.method, d.statistic, d.drifted
  FROM (SELECT mlobs.features_agg(j) r FROM (VALUES ('{"b": "u"}'::jsonb)) v(j)) s,
       (SELECT mlobs.features_agg(jsonb_build_object('b', 'v' || (i % 4))) c FROM generate_series(1, 1000) i) s2,
       mlobs.drift_report(r, c) d;
SELECT position('∞' IN mlobs.summary_report(r, c, 'x')) > 0 AS shows_infinity
  FROM (SELECT mlobs.features_agg(j) r FROM (VALUES ('{"b": "u"}'::jsonb)) v(j)) s,
       (SELECT mlobs.features_agg(jsonb_build_object('b', 'v' || (i % 4))) c FROM generate_series(1, 1000) i) s2;

-- 4. Weighted confusions with weights near float8's limits: class_report gave recall 0 (true
-- 0.5), F1 NaN; chi2_contingency gave NaN for weights ×1e160 or ×1e-200. Ratios come from the
-- table scaled to unit size now; χ² is scaled back (it grows with the weights), Cramér's V not.
SELECT class, precision, recall, round(f1::numeric, 4) AS f1, support
  FROM mlobs.class_report((SELECT mlobs.confusion_agg(a, p, w)
                             FROM (VALUES (1::bigint, 1::bigint, 1e308::float8), (0, 1, 1e308), (0, 0, 1e308), (1, 0, 1e-300)) v(a, p, w)), 0);
SELECT w, round((r.statistic / w)::numeric, 4) AS statistic_per_weight, round(r.p_value::numeric, 4) AS p, round(r.cramers_v::numeric, 5) AS cramers_v
  FROM (VALUES (1e-200::float8), (1::float8), (1e160)) ww(w),
       LATERAL mlobs.chi2_contingency((SELECT mlobs.confusion_agg(a, p, k * ww.w)
                                         FROM (VALUES (1::bigint, 1::bigint, 3.0::float8), (0, 1, 1), (0, 0, 4), (1, 0, 2)) v(a, p, k)), false) r
 ORDER BY w;

-- 5. Text a summary can only hold if forged or damaged (left by that review, fixed 2026-12-07):
-- a key repeated within one object kept its last value (a count silently dropped), and a
-- profile's moments were not checked against its min and max (a standard deviation wider than
-- its range; a NaN mean for ordinary values). 22P02 now; what the aggregates write still reads.
SELECT pg_temp.state($$SELECT '{"counts":{"a":2,"a":1},"other_count":0,"null_count":0}'::mlobs.categories$$);
SELECT pg_temp.state($$SELECT '{"n":2,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":1.0,"max":2.0,"shift":1.0,"mean":0.5,"m2":50,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]},"negative":{"offset":0,"counts":[]}},"distinct":{"exact":[1.0,2.0]}}'::mlobs.profile$$);
SELECT pg_temp.state($$SELECT '{"n":2,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":1.0,"max":2.0,"shift":1.0,"mean":"NaN","m2":0.5,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1]},"negative":{"offset":0,"counts":[]}},"distinct":{"exact":[1.0,2.0]}}'::mlobs.profile$$);
SELECT (mlobs.category_agg(x)::text::mlobs.categories)::text AS category_text_round_trip,
       mlobs.stddev((mlobs.profile_agg(y)::text)::mlobs.profile) AS profile_text_round_trip
  FROM (VALUES ('a', 1.0::float8), ('b', 2.0), ('a', 2.0)) v(x, y);
