#!/usr/bin/env bash
# Memory bound of a GROUP BY with 100k groups over 1M rows for every summary aggregate
# (tests/integration/memory/memory.py): peak private memory of the backend, sampled from /proc, must stay
# under the documented bound (docs/performance.md, "Memory"), and every row must be counted once
# across HashAggregate's spilled batches. Own cluster, default settings (work_mem 4MB); ~1 minute.
#   MLOBS_MEMORY_DETAILS=1 adds spill batches and per-state sizes (3x slower).
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_MEMORY_PORT:-28895}
bash scripts/pg_cluster.sh destroy sec
bash scripts/pg_cluster.sh start sec "$PORT"
trap 'bash scripts/pg_cluster.sh destroy sec' EXIT
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE mlobs_memory"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_memory -c "CREATE EXTENSION mlobs"
python3 tests/integration/memory/memory.py --port "$PORT" --bound-mb "${MLOBS_MEMORY_BOUND_MB:-64}" \
  ${MLOBS_MEMORY_DETAILS:+--details}
