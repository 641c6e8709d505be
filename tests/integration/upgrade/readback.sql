-- Reads every stored value of upgrade_states and merges them; the output must not change across
-- an upgrade (or when the rows come from the 0.1.0 COPY fixtures).
\pset footer off
SELECT bucket, p::text, h::text, c::text, f::text, cf::text, s::text, r::text, cal::text
FROM upgrade_states ORDER BY bucket;
SELECT bucket, mlobs.count(p), mlobs.mean(p), mlobs.quantile(p, 0.9), mlobs.bin_counts(h),
       mlobs.category_counts(c), mlobs.features(f), mlobs.accuracy(cf), mlobs.roc_auc(s),
       mlobs.rmse(r), mlobs.calibrate(cal, 0.7)
FROM upgrade_states ORDER BY bucket;
-- Merges: every rollup over the stored states, then readers of the merged values.
WITH m AS (
  SELECT mlobs.rollup(p) p, mlobs.rollup(h) h, mlobs.rollup(c) c, mlobs.rollup(f) f,
         mlobs.rollup(cf) cf, mlobs.rollup(s) s, mlobs.rollup(r) r
  FROM upgrade_states)
SELECT p::text, h::text, c::text, f::text, cf::text, s::text, r::text,
       -- psi(profile, profile, n): n reference-quantile bins in every version (0.3.0 changed only
       -- the default of the two-argument form, to Evidently's bins).
       mlobs.psi(p, (SELECT p FROM upgrade_states WHERE bucket = 0), 10) AS psi,
       (mlobs.drift(c, (SELECT c FROM upgrade_states WHERE bucket = 1), 'chisquare')).p_value AS chi2_p,
       mlobs.log_loss(s), mlobs.r2(r), mlobs.f1(cf, 'binary', NULL)
FROM m;
