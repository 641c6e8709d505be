#!/usr/bin/env bash
# Local PostgreSQL 15 clusters for the demo, the tests and the benchmarks: under the repo's .run/,
# owned by the postgres OS user (initdb refuses root), listening on 127.0.0.1 only.
# Usage: pg_cluster.sh start NAME PORT [extra postgresql.conf lines...] | stop NAME | psql NAME PORT [args]
set -euo pipefail
# MLOBS_PG_BIN: another installation (e.g. a private copy for benchmarks, docs/performance.md).
PG_BIN=${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN_DIR="$ROOT/.run"

as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres -- "$@"; fi
}

cmd=${1:?usage}; name=${2:?cluster name}
data="$RUN_DIR/$name/data"; log="$RUN_DIR/$name/server.log"
case "$cmd" in
  start)
    port=${3:?port}; shift 3
    mkdir -p "$RUN_DIR/$name"
    # postgres must be able to reach the directory through the repo path.
    chmod o+x "$ROOT" "$RUN_DIR" 2>/dev/null || true
    chown postgres: "$RUN_DIR/$name"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_postgres "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
      {
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = '$RUN_DIR/$name'"
        echo "max_worker_processes = 16"
        echo "max_parallel_workers = 8"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "shared_buffers = 512MB"
        for line in "$@"; do echo "$line"; done
      } | as_postgres tee -a "$data/postgresql.conf" >/dev/null
    fi
    if ! as_postgres "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_postgres "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
    fi
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ]; then
      as_postgres "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    ;;
  destroy)
    "$0" stop "$name"
    rm -rf "${RUN_DIR:?}/$name"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
