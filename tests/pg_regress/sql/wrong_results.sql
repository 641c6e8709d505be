-- Wrong results (issue 13, item 4): each query gave a wrong number before its fix; the comment
-- above it says what it was.
SET extra_float_digits = 0;
CREATE FUNCTION pg_temp.outcome(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
  EXECUTE q INTO r;
  RETURN coalesce(r, 'NULL');
EXCEPTION WHEN OTHERS THEN
  RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

-- 1. KS with p_value 'exact' above 10 000 values per side: exact, as scipy's method='exact'.
-- scipy 1.17.1 ks_2samp(a, b, method='exact') = (0.025204545454545455, 0.001333933161374876);
-- before, 'exact' returned the limiting-distribution value 0.00133874...
WITH a AS (SELECT array_agg(((i * 7919) % 100003)::float8) x FROM generate_series(0, 11999) i),
     b AS (SELECT array_agg(((j * 6007) % 100003 + 2500)::float8) x FROM generate_series(0, 10999) j),
     d AS (SELECT mlobs.drift(a.x, b.x, 'ks', options => '{"p_value": "exact"}') e,
                  mlobs.drift(a.x, b.x, 'ks', options => '{"p_value": "asymptotic"}') s FROM a, b)
SELECT abs((e).statistic - 0.025204545454545455) < 1e-15 AS d_equals_scipy,
       abs((e).p_value / 0.001333933161374876 - 1) < 1e-9 AS exact_p_equals_scipy,
       abs((s).p_value / 0.001333933161374876 - 1) > 1e-3 AS asymptotic_differs
FROM d;

-- 2. New categories against a capped summary: NULL, not 10 000 keys that occur in the reference.
CREATE TEMP TABLE capped AS
SELECT (SELECT mlobs.category_agg('u' || lpad(i::text, 6, '0')) FROM generate_series(0, 19999) i) r,
       (SELECT mlobs.category_agg('u' || lpad(i::text, 6, '0')) FROM generate_series(10000, 29999) i) c;
SELECT mlobs.new_categories(r, c) IS NULL AS list_null, mlobs.new_category_share(r, c) IS NULL AS share_null,
       mlobs.other_count(r) AS reference_folded, mlobs.other_count(c) AS current_folded
FROM capped;
-- Uncapped summaries are unchanged.
SELECT mlobs.new_categories(mlobs.category_agg(x), (SELECT mlobs.category_agg(y) FROM unnest('{b,c,c,z}'::text[]) y)),
       mlobs.new_category_share(mlobs.category_agg(x), (SELECT mlobs.category_agg(y) FROM unnest('{b,c,c,z}'::text[]) y))
FROM unnest('{a,b}'::text[]) x;
-- The quality report's row (was 0.5, flagged).
SELECT check_name, value, flagged
FROM mlobs.quality_report(
  (SELECT mlobs.features_agg(jsonb_build_object('m', 'u' || lpad(i::text, 6, '0'))) FROM generate_series(0, 19999) i),
  (SELECT mlobs.features_agg(jsonb_build_object('m', 'u' || lpad(i::text, 6, '0'))) FROM generate_series(10000, 29999) i))
WHERE check_name = 'new_category_share';

-- 3. Profiles near float8's limits (mean was -Infinity, variance 0), serial and rolled up.
CREATE TEMP TABLE huge AS SELECT * FROM unnest('{1e308, 1e308, -1e308}'::float8[]) WITH ORDINALITY u(x, k);
SELECT mlobs.mean(p), mlobs.stddev(p), mlobs.stddev_pop(p), mlobs.min(p), mlobs.max(p)
FROM (SELECT mlobs.profile_agg(x) p FROM huge) s;
SELECT mlobs.mean(p), mlobs.stddev(p)
FROM (SELECT mlobs.rollup(p) p FROM (SELECT mlobs.profile_agg(x) p FROM huge GROUP BY k) g) s;
SELECT pg_temp.outcome($$SELECT mlobs.variance(mlobs.profile_agg(x)) FROM huge$$) AS variance;
-- Quantiles between neighbours ±1e308 apart (the 0.3-quantile was -Infinity).
SELECT mlobs.quantile(mlobs.profile_agg(x), 0.3) FROM huge;
-- An ordinary profile merged with a huge one.
SELECT mlobs.mean(p), mlobs.stddev(p)
FROM (SELECT mlobs.rollup(p) p FROM (SELECT mlobs.profile_agg(x) p FROM unnest('{1,2,3}'::float8[]) x
                                     UNION ALL SELECT mlobs.profile_agg(1e300::float8)) g) s;
-- Ordinary data has no "scale" in its text form (0.3.0 adds "distinct").
SELECT mlobs.profile_agg(x)::text FROM unnest('{1,2,3}'::float8[]) x;
-- Hellinger over a huge range, same support (was 1): √(1 − √(1/6) − √(1/3)) = 0.120006.
SELECT round((mlobs.drift('{1e308,-1e308,1e308}'::float8[], '{-1e308,1e308}'::float8[], 'hellinger')).statistic::numeric, 6);

-- 4. PSI: a bin empty on both sides adds nothing (the empty underflow bin added 0.00145).
WITH r AS (SELECT array_agg(i::float8) x FROM generate_series(1, 20000) i),
     c AS (SELECT array_append(r.x, 30000) x FROM r)
SELECT round(mlobs.psi(r.x, c.x, 'reference_quantile', 10)::numeric, 10) AS psi_arrays,
       round((mlobs.drift(r.x, c.x, 'psi', options => '{"binning": "reference_quantile"}')).statistic::numeric, 10) AS drift_psi
FROM r, c;
SELECT round(mlobs.psi(r, c)::numeric, 10) AS psi_histograms FROM
  (SELECT mlobs.histogram_agg(i::float8, (SELECT array_agg(0.5 + 2000.0 * k)::float8[] FROM generate_series(0, 10) k)) r FROM generate_series(1, 20000) i) a,
  (SELECT mlobs.histogram_agg(i::float8, (SELECT array_agg(0.5 + 2000.0 * k)::float8[] FROM generate_series(0, 10) k)) c
   FROM (SELECT generate_series(1, 20000) i UNION ALL SELECT 30000) v) b;

-- 5. One PSI default: profiles, arrays and drift(..., 'psi') all use Evidently's bins.
CREATE TEMP TABLE psi_windows AS
SELECT (SELECT mlobs.profile_agg(i::float8) FROM generate_series(1, 5000) i) rp,
       (SELECT mlobs.profile_agg(i::float8 + 1500) FROM generate_series(1, 5000) i) cp,
       (SELECT array_agg(i::float8) FROM generate_series(1, 5000) i) ra,
       (SELECT array_agg(i::float8 + 1500) FROM generate_series(1, 5000) i) ca;
SELECT mlobs.psi(rp, cp) = (mlobs.drift(rp, cp, 'psi')).statistic AS profile_default_is_drift,
       mlobs.psi(ra, ca) = (mlobs.drift(ra, ca, 'psi')).statistic AS array_default_is_drift,
       mlobs.psi(rp, cp) = mlobs.psi(rp, cp, 'evidently') AS profile_default_is_evidently,
       abs(mlobs.psi(rp, cp) - mlobs.psi(ra, ca)) / mlobs.psi(ra, ca) < 0.05 AS profile_near_exact,
       mlobs.psi(rp, cp, 10) = mlobs.psi(rp, cp, 'reference_quantile', 10) AS positional_bins_kept,
       mlobs.psi(rp, cp, 'reference_quantile') = mlobs.psi(rp, cp, 'reference_quantile', 10) AS quantile_default_10
FROM psi_windows;
SELECT pg_temp.outcome($$SELECT mlobs.psi(rp, cp, bins => 20) FROM psi_windows$$) AS bins_with_evidently,
       pg_temp.outcome($$SELECT mlobs.psi(rp, cp, 'quantiles') FROM psi_windows$$) AS unknown_binning,
       pg_temp.outcome($$SELECT mlobs.psi(rp, cp, NULL) FROM psi_windows$$) AS null_binning,
       pg_temp.outcome($$SELECT mlobs.psi(NULL::mlobs.profile, cp) FROM psi_windows$$) AS null_profile;

-- 6. Counts beyond bigint: 22003 naming the summary, never a wrapped negative count.
CREATE TEMP TABLE forged AS SELECT
  '{"n":9223372036854775807,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":0.0,"max":0.0,"shift":0.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":9223372036854775807,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile p,
  '{"counts":{"a":9223372036854775807},"other_count":0,"null_count":0}'::mlobs.categories c,
  '{"edges":[0.0,1.0],"counts":[9223372036854775807],"underflow":0,"overflow":0,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0}'::mlobs.histogram h;
SELECT mlobs.count(p), mlobs.count(c), mlobs.count(h) FROM forged;
SELECT pg_temp.outcome($$SELECT mlobs.count(mlobs.rollup(p)) FROM (SELECT p FROM forged UNION ALL SELECT p FROM forged) s$$) AS profile_rollup,
       pg_temp.outcome($$SELECT mlobs.count(mlobs.rollup(c)) FROM (SELECT c FROM forged UNION ALL SELECT c FROM forged) s$$) AS categories_rollup,
       pg_temp.outcome($$SELECT mlobs.count(mlobs.rollup(h)) FROM (SELECT h FROM forged UNION ALL SELECT h FROM forged) s$$) AS histogram_rollup;
-- A forged count above i64::MAX read directly (was -1).
SELECT pg_temp.outcome($$SELECT mlobs.count('{"n":18446744073709551615,"null_count":0,"nan_count":0,"pos_inf_count":0,"neg_inf_count":0,"min":0.0,"max":0.0,"shift":0.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":18446744073709551615,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile)$$) AS profile_count,
       pg_temp.outcome($$SELECT mlobs.inf_count('{"n":0,"null_count":0,"nan_count":0,"pos_inf_count":9223372036854775807,"neg_inf_count":9223372036854775807,"min":null,"max":null,"shift":0.0,"mean":0.0,"m2":0.0,"sketch":{"zero_count":0,"positive":{"offset":0,"counts":[]},"negative":{"offset":0,"counts":[]}}}'::mlobs.profile)$$) AS inf_count;
