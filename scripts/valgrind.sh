#!/usr/bin/env bash
# Nightly-style memcheck run (not part of the CI suite: it takes tens of minutes): the postmaster
# and every backend it forks run under valgrind while the pg_regress suites run against it; the
# per-process logs are then scanned and every error whose stack touches mlobs is printed.
# PostgreSQL's own known noise is suppressed by scripts/valgrind.supp (Debian's server is not
# built with USE_VALGRIND, so memcheck cannot see palloc chunks: it checks malloc'd memory, which
# is where mlobs' Rust states live, and every read of uninitialised or freed memory in mlobs).
#
#   bash scripts/valgrind.sh [suite ...]     # default: every suite in tests/pg_regress/sql
# Exits non-zero if any valgrind error involves mlobs or the server does not start under valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${MLOBS_VALGRIND_PORT:-28896}
PG_BIN=/usr/lib/postgresql/15/bin
OUT=.run/valgrind-out  # kept after the cluster is destroyed
DATA=.run/valgrind/data
REGRESS="$(dirname "$($PG_BIN/pg_config --pgxs)")/../test/regress/pg_regress"
if [ $# -gt 0 ]; then suites="00_setup $*"; else suites=$(cd tests/pg_regress/sql && ls *.sql | sed 's/\.sql$//' | sort); fi

command -v valgrind >/dev/null || apt-get install -y -qq valgrind >/dev/null
# A fresh cluster (configuration only: pg_cluster.sh initialises it, the postmaster is started
# below under valgrind). Timeouts are generous: everything runs ~20-50x slower. No JIT: LLVM's
# generated code is opaque to memcheck and only slows the run down.
bash scripts/pg_cluster.sh destroy valgrind
bash scripts/pg_cluster.sh start valgrind "$PORT" "shared_buffers = 128MB" "max_connections = 20" \
  "authentication_timeout = 10min" "max_parallel_workers_per_gather = 2" "autovacuum = off" "jit = off"
bash scripts/pg_cluster.sh stop valgrind
mkdir -p "$OUT" && rm -f "$OUT"/vg.*.log && chown -R postgres: .run/valgrind "$OUT"
stop() {
  sudo -u postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 600 stop >/dev/null 2>&1 || true
  bash scripts/pg_cluster.sh destroy valgrind
}
trap stop EXIT

# --error-exitcode=1: a backend that had errors exits 1, which the postmaster treats like a FATAL
# exit; any other code would make it restart every session as after a crash. The logs decide.
sudo -u postgres valgrind --quiet --trace-children=yes --leak-check=no --track-origins=yes \
  --error-exitcode=1 --error-limit=no --num-callers=40 --read-var-info=no --vgdb=no \
  --suppressions="$ROOT/scripts/valgrind.supp" --gen-suppressions=all \
  --log-file="$ROOT/$OUT/vg.%p.log" \
  "$PG_BIN/postgres" -D "$DATA" > "$OUT/server.log" 2>&1 &
for _ in $(seq 1 600); do
  "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
  sleep 1
done
"$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" || { echo "FAIL: postmaster under valgrind did not start"; tail "$OUT/server.log"; exit 1; }

psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "DROP DATABASE IF EXISTS mlobs_regress" -c "CREATE DATABASE mlobs_regress"
start=$(date +%s)
set +e
# shellcheck disable=SC2086
"$REGRESS" --use-existing --host=127.0.0.1 --port="$PORT" --user=postgres --inputdir=tests/pg_regress \
  --outputdir="$OUT/regress" --dbname=mlobs_regress $suites
regress_rc=$?
set -e
echo "pg_regress under valgrind: exit $regress_rc after $(( $(date +%s) - start )) s (output diffs are expected where"
echo "  a suite measures time or hits a timeout; this run judges memory errors, not outputs)"
sudo -u postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 600 stop >/dev/null 2>&1 || true

python3 scripts/valgrind_report.py "$OUT"
