-- mlobs.psi over arrays, histograms and profiles.
-- Identical samples → 0; NULL/NaN/±Inf dropped; empty side → NULL.
SELECT mlobs.psi('{1,2,3,4,5}'::float8[], '{1,2,3,4,5}'::float8[]) AS identical;
SELECT mlobs.psi('{1,2,3,NULL,NaN,Infinity}'::float8[], '{1,2,3}'::float8[]) AS dropped_non_finite;
SELECT mlobs.psi('{}'::float8[], '{1,2}'::float8[]) IS NULL AS empty_reference,
       mlobs.psi('{NULL,NaN}'::float8[], '{1,2}'::float8[]) IS NULL AS nothing_finite;
-- Distinct-value bins (≤ 20 distinct reference values): a worked example.
-- reference shares {1: .5, 2: .5, 3: 0→1e-4}, current {1: .25, 2: .25, 3: .5}.
SELECT round(mlobs.psi('{1,1,2,2}'::float8[], '{1,2,3,3}'::float8[])::numeric, 12) AS psi_distinct;
-- reference_quantile binning.
SELECT round(mlobs.psi(array(SELECT i::float8 FROM generate_series(1, 1000) i),
                       array(SELECT i::float8 + 300 FROM generate_series(1, 1000) i), 'reference_quantile', 10)::numeric, 9) AS psi_rq;
-- Parameter errors name the argument (SQLSTATE 22023).
\set VERBOSITY sqlstate
SELECT mlobs.psi('{1,2}'::float8[], '{1}'::float8[], 'nope');
\set VERBOSITY default
SELECT mlobs.psi('{1,2}'::float8[], '{1}'::float8[], 'nope');
SELECT mlobs.psi('{1,2}'::float8[], '{1}'::float8[], 'reference_quantile', 0);
SELECT mlobs.psi('{1,2}'::float8[], '{1}'::float8[], 'evidently', 10);
-- Histograms: same edges required.
SELECT round(mlobs.psi(a, b)::numeric, 12) AS psi_hist FROM
  (SELECT mlobs.histogram_agg(x, '{0,25,50,75,100}') a FROM generate_series(0, 99) x) r,
  (SELECT mlobs.histogram_agg(x, '{0,25,50,75,100}') b FROM generate_series(50, 149) x) c;
SELECT mlobs.psi(mlobs.histogram_agg(1.0, '{0,1}'), mlobs.histogram_agg(1.0, '{0,2}'));
-- Profiles: close to the exact reference_quantile PSI (sketch error), 0 for equal profiles.
-- (Profiles default to Evidently's bins since 0.3.0, as arrays do: the binning is named here.)
WITH r AS (SELECT array_agg(x) a, mlobs.profile_agg(x) p FROM (SELECT (i % 997)::float8 * 1.37 x FROM generate_series(1, 20000) i) t),
     c AS (SELECT array_agg(x) a, mlobs.profile_agg(x) p FROM (SELECT (i % 997)::float8 * 1.37 + 150 x FROM generate_series(1, 20000) i) t)
SELECT mlobs.psi(r.p, r.p) AS same_profile,
       abs(mlobs.psi(r.p, c.p, 'reference_quantile') - mlobs.psi(r.a, c.a, 'reference_quantile', 10)) / mlobs.psi(r.a, c.a, 'reference_quantile', 10) < 0.05 AS within_5pct
  FROM r, c;
SELECT mlobs.psi(mlobs.profile_agg(x), mlobs.profile_agg(x), 0) FROM generate_series(1, 10) x;
