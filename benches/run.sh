#!/usr/bin/env bash
# Benchmarks (never part of the test suite): the SQL harness against built-in aggregates on a
# 10M-row table (release build, own cluster), then the criterion benches of the core crate.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=/usr/lib/postgresql/15/bin
PORT=${MLOBS_BENCH_PORT:-28818}
# `cargo pgrx test` installs the debug build; benchmarks need release.
cargo pgrx install --release --pg-config "$PG_BIN/pg_config" >/dev/null
bash scripts/pg_cluster.sh start bench "$PORT" "max_parallel_workers_per_gather = 2" "jit = off"
trap 'bash scripts/pg_cluster.sh stop bench' EXIT
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'mlobs_bench'" | grep -q 1 ||
  psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE mlobs_bench"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_bench -c "DROP TABLE IF EXISTS bench_hourly; DROP EXTENSION IF EXISTS mlobs CASCADE; CREATE EXTENSION mlobs"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_bench -f benches/aggregates.sql
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_bench -f benches/drift.sql
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_bench -f benches/metrics.sql
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_bench -f benches/models.sql
if [ -x tests/fixtures/.venv/bin/python ]; then
  tests/fixtures/.venv/bin/python benches/python_metrics_peer.py --port "$PORT"
fi
if [ -x tests/fixtures/.venv-models/bin/python ]; then
  tests/fixtures/.venv-models/bin/python benches/python_shap_peer.py
fi
if [ "${1:-}" != "--sql-only" ]; then
  cargo bench -p mlobs-core --bench core
  cargo bench -p mlobs-explain --bench explain
fi
