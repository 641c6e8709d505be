-- mlobs 0.2.0 -> 0.3.0. Runs inside ALTER EXTENSION mlobs UPDATE with the same shared library as
-- a fresh 0.3.0 install; every name is schema-qualified. tests/integration/upgrade.sh proves that
-- 0.2.0 + this script (and 0.1.0 + both scripts) describe exactly the same schema as a fresh 0.3.0
-- install and that values stored under the old versions still read and merge.
\echo Use "ALTER EXTENSION mlobs UPDATE TO '0.3.0'" to load this file. \quit

-- ==== section: runtime (monitoring tables and functions) ========================================

-- ==== section: jsonb (native jsonb reading) ======================================================

-- ==== section: numerics (drift, categories, profiles) ============================================
