#!/usr/bin/env bash
# The benchmark command (never part of the test suite). Builds the datasets once — 1M and 10M
# logged predictions with 10 numeric + 3 categorical features (columns and jsonb), score,
# label — on its own cluster with the release build, then for each size: every single-pass
# aggregate vs avg(x), the exact ones vs percentile_cont, the jsonb aggregates vs built-ins,
# drift over 90 days of hourly summaries, state sizes, peak memory per aggregate and the
# end-to-end comparison with the Python peer; then predict/SHAP in SQL and against
# XGBoost/shap, and the criterion benches. Writes benches/results/latest.md (docs/performance.md
# quotes it).
#   bash benches/run.sh [--sql-only]        sizes: MLOBS_BENCH_SIZES="1000000 10000000"
#   bash benches/run.sh --aggregates        only benches/aggregates.sql (issue 20's tables)
#   bash benches/run.sh --layout            only benches/layout.sql (the log table's column order)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=/usr/lib/postgresql/15/bin
PORT=${MLOBS_BENCH_PORT:-28818}
SIZES=${MLOBS_BENCH_SIZES:-"1000000 10000000"}
REPS=${MLOBS_BENCH_REPS:-3}
# `cargo pgrx test` installs the debug build; benchmarks need release (mlobs and its companion extensions).
bash scripts/install_extension.sh --release --pg-config "$PG_BIN/pg_config" >/dev/null
bash scripts/pg_cluster.sh start bench "$PORT" "max_parallel_workers_per_gather = 2" "jit = off"
trap 'bash scripts/pg_cluster.sh stop bench' EXIT
P=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${P[@]}" -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = 'mlobs_bench'" | grep -q 1 ||
  "${P[@]}" -d postgres -c "CREATE DATABASE mlobs_bench"
"${P[@]}" -d mlobs_bench -c "DROP EXTENSION IF EXISTS mlobs CASCADE" -c "CREATE EXTENSION mlobs"
"${P[@]}" -d mlobs_bench -c "DROP TABLE IF EXISTS bench_results"

# The Python peers (pinned: tests/fixtures/requirements.txt + psycopg); --aggregates needs none.
VENV=tests/fixtures/.venv
if [ "${1:-}" != "--aggregates" ] && [ "${1:-}" != "--layout" ] &&
  { [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import psycopg, evidently" 2>/dev/null; }; then
  python3 -m venv "$VENV" && "$VENV/bin/pip" install -q -r benches/requirements.txt
fi

for n in $SIZES; do
  tbl=predictions_$((n / 1000000))m
  [ "$n" -lt 1000000 ] && tbl=predictions_${n}
  echo "==== $tbl"
  "${P[@]}" -d mlobs_bench -v tbl="$tbl" -v rows="$n" -f benches/dataset.sql
  if [ "${1:-}" = "--layout" ]; then
    "${P[@]}" -d mlobs_bench -v tbl="$tbl" -v rows="$n" -v reps="$REPS" -f benches/layout.sql
    continue
  fi
  if [ "${1:-}" = "--aggregates" ]; then
    "${P[@]}" -d mlobs_bench -v tbl="$tbl" -v rows="$n" -v reps="$REPS" -f benches/aggregates.sql
    continue
  fi
  "${P[@]}" -d mlobs_bench -v tbl="$tbl" -v rows="$n" -v reps="$REPS" -f benches/suite.sql
  python3 benches/memory.py --port "$PORT" --tbl "$tbl" --rows "$n"
  "$VENV/bin/python" benches/python_e2e_peer.py --port "$PORT" --tbl "$tbl" --rows "$n"
done

case "${1:-}" in --aggregates | --layout) exit 0 ;; esac
mkdir -p benches/results
{
  echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%MZ) ($(nproc) cores, release build, medians of $REPS interleaved runs)"
  python3 benches/report.py --port "$PORT"
} > benches/results/latest.md
cat benches/results/latest.md

"${P[@]}" -d mlobs_bench -f benches/models.sql
if [ -x tests/fixtures/.venv-models/bin/python ]; then
  tests/fixtures/.venv-models/bin/python benches/python_shap_peer.py
fi
if [ "${1:-}" != "--sql-only" ]; then
  cargo bench -p mlobs-core --bench core
  cargo bench -p mlobs-explain --bench explain
fi
