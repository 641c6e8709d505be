#!/usr/bin/env bash
# A monitored table on a logical replication subscriber (review of 2026-12-07). PostgreSQL's
# apply worker fires no statement trigger, so labels replicated by UPDATE were never recorded
# and the window kept labelled_rows 0 for good. A subscribed table now counts as untracked: its
# label monitors revise every window within label_horizon on every run. One cluster with
# wal_level = logical, publisher and subscriber in two databases (.run/logical). Exits non-zero
# on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_LOGICAL_PORT:-28876}
bash scripts/pg_cluster.sh destroy logical
bash scripts/pg_cluster.sh start logical "$PORT" "wal_level = logical" "max_replication_slots = 4" "max_wal_senders = 4"
trap 'bash scripts/pg_cluster.sh destroy logical' EXIT
P=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
fail=0
expect() { if [ "$2" = "$3" ]; then echo "PASS: $1"; else echo "  want: $2"; echo "  got:  $3"; echo "FAIL: $1"; fail=1; fi; }
wait_for() { # wait_for DB SQL WANT: until the query gives WANT (30 s)
  local i got
  for i in $(seq 1 60); do got=$("${P[@]}" -d "$1" -c "$2"); [ "$got" = "$3" ] && return 0; sleep 0.5; done
  echo "timed out waiting for $2 = $3 (last: $got)"; return 1
}
DDL="CREATE TABLE predictions (id bigint PRIMARY KEY, ts timestamptz NOT NULL, predicted int, label int)"
"${P[@]}" -d postgres -c "CREATE DATABASE pub" -c "CREATE DATABASE sub"
"${P[@]}" -d pub -c "$DDL" \
  -c "INSERT INTO predictions SELECT i, timestamptz '2026-01-01 00:00+00' + i * interval '1 minute', i % 2, NULL FROM generate_series(0, 3 * 1440 - 1) i" \
  -c "UPDATE predictions SET label = predicted WHERE ts < '2026-01-02 00:00+00'" \
  -c "CREATE PUBLICATION pub FOR TABLE predictions" \
  -c "SELECT 1 FROM pg_create_logical_replication_slot('sub_slot', 'pgoutput')" > /dev/null
"${P[@]}" -d sub -c "$DDL" -c "CREATE EXTENSION mlobs" \
  -c "CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=$PORT dbname=pub user=postgres' PUBLICATION pub WITH (create_slot = false, slot_name = 'sub_slot')"
wait_for sub "SELECT count(label) FROM predictions" 1440
"${P[@]}" -d sub -c "SET client_min_messages = warning" \
  -c "SELECT mlobs.create_monitor('acc', 'fraud', 'predictions', 'classification', '{}', '1 day', '2026-01-01 00:00+00', '2026-01-02 00:00+00')" > /dev/null
expect "the subscriber's table has the change triggers" 4 \
  "$("${P[@]}" -d sub -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'predictions'::regclass AND tgname LIKE 'mlobs_changes_%'")"
expect "a table a subscription writes counts as untracked" f \
  "$("${P[@]}" -d sub -c "SELECT mlobs._changes_tracked('predictions', 'ts')")"
"${P[@]}" -d sub -c "SELECT status FROM mlobs.run_monitors('2026-01-04 00:00+00')" > /dev/null
labelled() { "${P[@]}" -d sub -c "SELECT value FROM mlobs.metric_points WHERE metric = 'labelled_rows' AND window_start = '2026-01-02 00:00+00'"; }
expect "before the labels land: 0 labelled rows on 2026-01-02" 0 "$(labelled)"
# The labels land on the publisher, by UPDATE, and are replicated.
"${P[@]}" -d pub -c "UPDATE predictions SET label = predicted WHERE ts >= '2026-01-02 00:00+00' AND ts < '2026-01-03 00:00+00'"
wait_for sub "SELECT count(label) FROM predictions WHERE ts >= '2026-01-02 00:00+00' AND ts < '2026-01-03 00:00+00'" 1440
"${P[@]}" -d sub -c "SELECT status FROM mlobs.run_monitors('2026-01-04 00:05+00')" > /dev/null
expect "replicated labels are counted by the next run (was 0 for good)" 1440 "$(labelled)"
"${P[@]}" -d sub -c "ALTER SUBSCRIPTION sub DISABLE" -c "ALTER SUBSCRIPTION sub SET (slot_name = NONE)" -c "DROP SUBSCRIPTION sub"
"${P[@]}" -d pub -c "SELECT pg_drop_replication_slot('sub_slot')" > /dev/null
[ $fail -eq 0 ] && echo "logical replication: all checks passed" || { echo "logical replication: FAILED"; exit 1; }
