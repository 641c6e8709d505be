#!/usr/bin/env bash
# Hostile calls against a server that must not crash: every mlobs function and aggregate called
# with random NULL / NaN / ±Infinity / empty / huge / mismatched / forged arguments
# (tests/integration/hostile/random_calls.py), on its own cluster with restart_after_crash = off so a
# crashed backend cannot hide behind a restart; the server log is scanned for signals.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_HOSTILE_PORT:-28850}
CALLS=${MLOBS_HOSTILE_CALLS:-20000}
bash scripts/pg_cluster.sh destroy hostile
bash scripts/pg_cluster.sh start hostile "$PORT" "restart_after_crash = off"
trap 'bash scripts/pg_cluster.sh destroy hostile' EXIT
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE mlobs_hostile"
psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d mlobs_hostile -c "CREATE EXTENSION mlobs"
python3 tests/integration/hostile/random_calls.py --port "$PORT" --log .run/hostile/server.log --calls "$CALLS" --seed "${MLOBS_HOSTILE_SEED:-1}"
