-- Builds one stored value of every mlobs summary type per bucket from deterministic rows (no
-- random()): the values a 0.1.0 user has in their tables when they upgrade.
CREATE TABLE upgrade_rows AS
SELECT g AS id, g % 3 AS bucket,
       (sin(g) * 10 + (g % 7))::float8 AS x,
       CASE WHEN g % 11 = 0 THEN NULL ELSE 'c' || (g % 5) END AS cat,
       jsonb_build_object('amount', (g % 13) * 1.5, 'country', 'k' || (g % 4)) AS features,
       (0.5 + 0.49 * sin(g * 0.7))::float8 AS score,
       ((sin(g * 0.7) > 0.3) <> (g % 5 = 0)) AS label,
       (g % 17)::float8 AS target, (g % 17 + cos(g))::float8 AS prediction
FROM generate_series(1, 3000) g;

CREATE TABLE upgrade_states (
  bucket int PRIMARY KEY,
  p mlobs.profile, h mlobs.histogram, c mlobs.categories, f mlobs.feature_profiles,
  cf mlobs.confusion, s mlobs.score_summary, r mlobs.regression_summary, cal mlobs.calibration);

INSERT INTO upgrade_states
SELECT bucket, mlobs.profile_agg(x), mlobs.histogram_agg(x, '{-10,-5,0,5,10,15}'),
       mlobs.category_agg(cat), mlobs.features_agg(features),
       mlobs.confusion_agg(label, score >= 0.5), mlobs.score_agg(score, label),
       mlobs.regression_agg(target, prediction), mlobs.calibration_agg(score, label)
FROM upgrade_rows GROUP BY bucket;
