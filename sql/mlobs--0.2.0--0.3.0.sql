-- mlobs 0.2.0 -> 0.3.0. Runs inside ALTER EXTENSION mlobs UPDATE with the same shared library as
-- a fresh 0.3.0 install; every name is schema-qualified. tests/integration/upgrade.sh proves that
-- 0.2.0 + this script (and 0.1.0 + both scripts) describe exactly the same schema as a fresh 0.3.0
-- install and that values stored under the old versions still read and merge.
\echo Use "ALTER EXTENSION mlobs UPDATE TO '0.3.0'" to load this file. \quit

-- ==== section: runtime (monitoring tables and functions) ========================================

-- ==== section: jsonb (native jsonb reading) ======================================================

-- ==== section: numerics (drift, categories, profiles) ============================================
-- mlobs.psi(profile, profile): one name, one default. Without a binning it now uses Evidently's
-- bins like mlobs.psi(float8[], float8[]) and mlobs.drift(p, p, 'psi') (0.2.0 used 10
-- reference-quantile bins); binning => 'reference_quantile' keeps the old numbers. The 0.2.0
-- positional form psi(r, c, n) keeps its meaning (n reference-quantile bins) under the same C
-- symbol, without a default so that psi(r, c) is not ambiguous. A view calling
-- mlobs.psi(profile, profile[, int]) must be dropped before this update and recreated after.
DROP FUNCTION mlobs.psi(mlobs.profile, mlobs.profile, integer);
CREATE FUNCTION mlobs.psi(
	"reference" mlobs.profile,
	"current" mlobs.profile,
	"reference_quantile_bins" INT
) RETURNS double precision
IMMUTABLE STRICT PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'psi_profiles_wrapper';
CREATE FUNCTION mlobs.psi(
	"reference" mlobs.profile,
	"current" mlobs.profile,
	"binning" TEXT DEFAULT 'evidently',
	"bins" INT DEFAULT NULL
) RETURNS double precision
IMMUTABLE PARALLEL SAFE
LANGUAGE c
AS 'MODULE_PATHNAME', 'psi_profiles_binned_wrapper';
