-- mlobs 0.1.0 -> 0.2.0. Runs inside ALTER EXTENSION mlobs UPDATE with the same shared library as
-- a fresh 0.2.0 install; every name is schema-qualified. tests/integration/upgrade.sh proves that
-- 0.1.0 + this script describes exactly the same schema as a fresh 0.2.0 install and that values
-- stored under 0.1.0 still read and merge.
\echo Use "ALTER EXTENSION mlobs UPDATE TO '0.2.0'" to load this file. \quit
