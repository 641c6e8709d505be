-- The benchmark dataset: :rows logged predictions of one model over 90 days, 10 numeric and 3
-- categorical features (as columns and as the jsonb payload teams log), score, label, a
-- regression target/prediction pair and latency. Built once per size (the table is kept).
-- psql variables: tbl (table name), rows (row count).
\set ON_ERROR_STOP on
SELECT to_regclass(:'tbl') IS NOT NULL AS exists \gset
\if :exists
\else
SELECT setseed(0.42);
CREATE UNLOGGED TABLE :tbl AS
WITH r AS (
  SELECT i, random() u1, random() u2, random() u3, random() u4, random() u5, random() u6
  FROM generate_series(1, :rows) i),
f AS (
  SELECT i,
    -- Box-Muller normals and a few skewed shapes, drifting a little over time (i / rows).
    sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2) + 0.3 * i / :rows AS f1,
    sqrt(-2 * ln(1 - u1)) * sin(2 * pi() * u2) * 15 + 50 AS f2,
    exp(3 + 2 * u3) AS f3,
    -ln(1 - u4) * 120 AS f4,
    u5 * 100 AS f5,
    CASE WHEN u6 < 0.02 THEN NULL ELSE floor(u6 * 700) END AS f6,
    round((u1 * u3 * 1000)::numeric, 2)::float8 AS f7,
    (u2 - 0.5) * (u4 + 1) AS f8,
    CASE WHEN u5 < 0.01 THEN 'NaN'::float8 ELSE ln(1 + u5 * u6 * 1e4) END AS f9,
    floor(u3 * 24) AS f10,
    (ARRAY['grocery', 'fuel', 'travel', 'online', 'atm'])[1 + floor(u4 * 5)::int] AS c1,
    'country_' || floor(u5 * u5 * 50)::int AS c2,
    CASE WHEN u6 < 0.05 THEN NULL ELSE 'merchant_' || floor(u1 * u2 * 1000)::int END AS c3,
    u6 AS u
  FROM r)
SELECT i AS id,
       timestamptz '2026-01-01 00:00+00' + (i - 1) * interval '90 days' / :rows AS ts,
       f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, c1, c2, c3,
       jsonb_build_object('f1', f1, 'f2', f2, 'f3', f3, 'f4', f4, 'f5', f5, 'f6', f6, 'f7', f7,
                          'f8', f8, 'f9', CASE WHEN f9 = 'NaN' THEN NULL ELSE f9 END, 'f10', f10,
                          'c1', c1, 'c2', c2, 'c3', c3) AS features,
       s AS score,
       u < s AS label,
       f2 * 2 + f5 AS target,
       f2 * 2 + f5 + (u - 0.5) * 10 AS prediction,
       5 + f4 / 10 AS latency_ms
FROM (SELECT *, 1 / (1 + exp(-(0.8 * f1 + 0.02 * (f2 - 50) - 0.5))) AS s FROM f) x;
ANALYZE :tbl;
\endif
SELECT count(*) AS rows, pg_size_pretty(pg_total_relation_size(:'tbl')) AS size FROM :tbl;
