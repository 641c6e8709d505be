#!/usr/bin/env bash
# sqlsmith (random SQL from the catalog) against a server with mlobs loaded, judged on the server:
# no backend terminated by a signal, no postmaster restart (restart_after_crash = off), no PANIC,
# no lost connection, server accepting connections at the end (tests/integration/sqlsmith/sqlsmith_run.py).
# CI mode is bounded by time; the nightly mode by a query count:
#   bash tests/integration/sqlsmith/run.sh                                  # ~90 s, one sqlsmith
#   MLOBS_SQLSMITH_QUERIES=100000 bash tests/integration/sqlsmith/run.sh    # >= 100k queries
# sqlsmith connects as mlobs_smith, a non-superuser that reads the data and calls mlobs's read-only
# functions (see sqlsmith_setup.sql): as superuser it would call pg_terminate_backend,
# pg_reload_conf, lo_import, pg_promote... and judge those instead of mlobs.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_SQLSMITH_PORT:-28870}
QUERIES=${MLOBS_SQLSMITH_QUERIES:-0}
# Nightly: two processes (different seeds), one with forced parallel plans; CI: one, focused.
PROCS=${MLOBS_SQLSMITH_PROCS:-$([ "$QUERIES" -gt 0 ] && echo 2 || echo 1)}
MODES=${MLOBS_SQLSMITH_MODES:-focused,parallel}
OUT=${MLOBS_SQLSMITH_OUT:-.run/sqlsmith-out}
command -v sqlsmith >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q sqlsmith >/dev/null

bash scripts/pg_cluster.sh destroy sqlsmith
rm -rf "$OUT"; mkdir -p "$OUT"
# Every server process gets a 4 GiB address-space limit: a runaway query then meets ERROR out of
# memory (mlobs's allocator turns a refused malloc into an ERROR too) instead of the kernel's OOM
# killer, whose SIGKILL would look like a crash (and hit the other jobs on the machine).
# log_min_messages = log keeps the postmaster's crash reports and drops the flood of ERRORs.
(ulimit -v $((4 << 20)); bash scripts/pg_cluster.sh start sqlsmith "$PORT" "restart_after_crash = off" \
  "log_min_messages = log" "track_functions = all" "max_connections = 40")
trap 'cp .run/sqlsmith/server.log "$OUT/" 2>/dev/null || true; bash scripts/pg_cluster.sh destroy sqlsmith' EXIT
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE mlobs_sqlsmith"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_sqlsmith -f tests/integration/sqlsmith/sqlsmith_setup.sql >/dev/null

python3 tests/integration/sqlsmith/sqlsmith_run.py --port "$PORT" --data .run/sqlsmith/data --log .run/sqlsmith/server.log \
  --out "$OUT" --seconds "${MLOBS_SQLSMITH_SECONDS:-90}" --queries "$QUERIES" --procs "$PROCS" \
  --modes "$MODES" --seed "${MLOBS_SQLSMITH_SEED:-1}" --max-seconds "${MLOBS_SQLSMITH_MAX_SECONDS:-14400}" \
  --replay tests/integration/sqlsmith/sqlsmith_regressions.sql
