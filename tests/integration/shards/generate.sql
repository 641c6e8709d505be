-- A deterministic prediction log of :rows rows over 48 hours (psql variable `rows`), the
-- single-node reference every sharded result is compared with. Fraud-style model: numeric
-- features, a categorical, a jsonb payload, a score with its label (some labels late, i.e. NULL)
-- and a regression target. The last 12 hours drift (amounts grow, a new merchant appears) and
-- carry data-quality problems (NULL and NaN amounts, missing jsonb keys), so drift and quality
-- checks have something to find. `shard` is the shard key: a hash of id, 1..3.
SELECT setseed(0.17) \gset
CREATE TABLE predictions_single AS
WITH u AS (
  SELECT i AS id,
         timestamptz '2026-03-01 00:00:00+00' + (i - 1) * (interval '48 hours' / :rows) AS ts,
         random() r1, random() r2, random() r3, random() r4, random() r5, random() r6, random() r7
    FROM generate_series(1, :rows) i),
z AS (  -- Box-Muller normals, and the "current" window flag
  SELECT *, sqrt(-2 * ln(1 - r1)) * cos(2 * pi() * r2) AS z1, sqrt(-2 * ln(1 - r1)) * sin(2 * pi() * r2) AS z2,
         ts >= timestamptz '2026-03-02 12:00:00+00' AS late
    FROM u),
f AS (
  SELECT id, ts, late, r5, r6, r7,
         round((exp(3.5 + 0.9 * z1) * CASE WHEN late THEN 1.4 ELSE 1 END)::numeric, 2)::float8 AS amount_true,
         greatest(18, round(41 + 12 * z2))::float8 AS age,
         floor(-ln(1 - r3) * 3)::int AS n_tx,
         CASE WHEN r4 < 0.01 THEN NULL
              WHEN late AND r4 < 0.06 THEN 'casino'
              WHEN r4 < 0.45 THEN 'grocery' WHEN r4 < 0.65 THEN 'fuel'
              WHEN r4 < 0.80 THEN 'travel' ELSE 'online' END AS merchant,
         (ARRAY['ios', 'android', 'web'])[1 + floor(r5 * 3)::int] AS device
    FROM z),
m AS (  -- the model: a logistic score; the truth follows it loosely
  SELECT *, 1 / (1 + exp(-(-3.8 + 0.55 * ln(amount_true) + 0.18 * n_tx + CASE merchant WHEN 'casino' THEN 1.5 WHEN 'online' THEN 0.6 ELSE 0 END
                             + 0.8 * (r6 - 0.5)))) AS score
    FROM f)
SELECT ((hashint8(id) & 2147483647) % 3 + 1)::int AS shard,
       id, ts,
       -- logged amount: NULL or NaN now and then, more often in the drifted window
       CASE WHEN r7 < CASE WHEN late THEN 0.03 ELSE 0.005 END THEN NULL
            WHEN r7 > CASE WHEN late THEN 0.99 ELSE 0.998 END THEN 'NaN'
            ELSE amount_true END AS amount,
       age, n_tx, merchant, device,
       jsonb_strip_nulls(jsonb_build_object(
         'amount', amount_true, 'age', age, 'n_tx', n_tx, 'merchant', merchant, 'device', device,
         'vip', n_tx > 6,
         'coupon', CASE WHEN late AND r5 < 0.1 THEN 'SPRING' END)) AS features,
       score,
       (score >= 0.5)::int AS predicted,
       CASE WHEN late AND r6 < 0.3 THEN NULL            -- label not arrived yet
            ELSE (r5 * 0.7 + r6 * 0.3 < score * 1.1)::int END AS label,
       10 + 0.08 * amount_true + 2 * n_tx + 6 * (r6 - 0.5) AS delivery_min,            -- regression target
       10 + 0.075 * amount_true + 2.1 * n_tx AS delivery_min_pred                     -- and its prediction
  FROM m;
