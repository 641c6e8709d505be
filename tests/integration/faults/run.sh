#!/usr/bin/env bash
# Faults (issue 21, item 1): a run of the monitors killed with SIGKILL in the middle of its scan,
# of its metric point inserts and of its alert evaluation, the server stopped with -m immediate
# during a run and during register_model, and a full disk (a tmpfs tablespace holding
# mlobs.metric_points) during a run. Two databases get the same log, monitors, late labels,
# runs and model registrations: `faults` suffers the faults, `control` does not. After each fault
# the server restarts (crash recovery), nothing may be left running or locked, and the run is
# repeated; at the end every window, metric point, alert, watermark, counter and model of
# `faults` must equal `control`'s, and every window must exist exactly once.
# synchronous_commit is on (pg_cluster.sh turns it off for speed): with it off, a crash loses the
# commits of the last few hundred milliseconds, which the first check below would see as a lost
# group (the next run recomputes it, but the check is about what a commit promises).
# Own cluster (.run/faults, port 28871) and tmpfs mount (.run/faults-disk); root is needed for
# the mount and for kill -9 of a backend. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_FAULTS_PORT:-28871}
ROOT=$(pwd)
DATA=$ROOT/.run/faults/data
MNT=$ROOT/.run/faults-disk
OUT=$ROOT/.run/faults-out
PG_BIN=/usr/lib/postgresql/15/bin
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres -- "$@"; fi; }
cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  bash scripts/pg_cluster.sh destroy faults
  if mountpoint -q "$MNT"; then umount "$MNT"; fi
  rm -rf "$MNT"
}
cleanup
trap cleanup EXIT
bash scripts/pg_cluster.sh start faults "$PORT" "timezone = 'UTC'" "synchronous_commit = on" "restart_after_crash = on" "log_min_messages = warning"
rm -rf "$OUT" && mkdir -p "$OUT"
P=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
q() { local db=$1; shift; "${P[@]}" -d "$db" -At -c "$*"; }
fail=0; faults=0
check() { if [ "$1" = ok ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi; }
expect() { # expect NAME WANT GOT
  if [ "$2" = "$3" ]; then check ok "$1"; else echo "  want: $2"; echo "  got:  $3"; check no "$1"; fi
}

wait_up() {
  for _ in $(seq 1 240); do
    if q postgres "SELECT 1" > /dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  echo "FAIL: the server did not come back"; exit 1
}
# Polls until a backend of database faults whose query matches $1 waits for a lock of kind $2;
# prints its pid.
wait_blocked() {
  local pid
  for _ in $(seq 1 600); do
    pid=$(q postgres "SELECT pid FROM pg_stat_activity WHERE datname = 'faults' AND query LIKE '%$1%'
                        AND query NOT LIKE '%pg_stat_activity%' AND wait_event_type = 'Lock' AND wait_event = '$2' LIMIT 1")
    if [ -n "$pid" ]; then echo "$pid"; return 0; fi
    sleep 0.1
  done
  echo "FAIL: nothing matching '$1' ever waited for a $2 lock" >&2; return 1
}
# Runs SQL in the background in database faults, holding its transaction (or session locks) open.
hold() {
  local args=() sql
  for sql in "$@"; do args+=(-c "$sql"); done
  "${P[@]}" -d faults "${args[@]}" -c "SELECT pg_sleep(3600)" > /dev/null 2>&1 &
  HOLDER=$!
  for _ in $(seq 1 200); do
    [ "$(q postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = 'faults' AND query = 'SELECT pg_sleep(3600)'")" = 1 ] && return 0
    sleep 0.05
  done
  echo "FAIL: the lock holder did not start"; exit 1
}
# After a fault: the server is back, nothing of the killed run is left running or locked.
after_fault() {
  wait "$RUNNER" 2> /dev/null || true
  wait "$HOLDER" 2> /dev/null || true
  wait_up
  expect "$1: no run left 'running'" 0 "$(q faults "SELECT count(*) FROM mlobs.runs WHERE status = 'running'")"
  expect "$1: no advisory or relation lock left held" 0 \
    "$(q faults "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = 'faults' AND l.locktype IN ('advisory', 'relation') AND l.pid <> pg_backend_pid()")"
  faults=$((faults + 1))
}
kill9() { # kill9 NAME PID: SIGKILL one backend; the postmaster restarts every backend
  kill -9 "$2"
  after_fault "$1"
}
stop_immediate() {
  as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m immediate -w stop > /dev/null
  bash scripts/pg_cluster.sh start faults "$PORT"
  after_fault "$1"
}
# The same run in both databases; in faults it must complete ('ok'), having waited for nothing.
run_both() {
  local call=$1 got
  "${P[@]}" -d control -At -c "$call" > /dev/null
  got=$(q faults "SET lock_timeout = '20s'; $call" | tail -1)
  expect "faults: $call completes" ok "$got"
}
both() { q control "$1" > /dev/null; q faults "$1" > /dev/null; }
RUN_SQL="SELECT status FROM mlobs.run_monitors"

echo "== setup: two databases, same log and monitors"
for db in faults control; do
  q postgres "CREATE DATABASE $db"
  "${P[@]}" -d $db -f tests/integration/faults/setup.sql > /dev/null
done
both "SELECT mlobs.register_model('fraud', 'xgboost', '$(cat tests/fixtures/models/fraud_xgb.json)')"
run_both "$RUN_SQL('2026-03-02 06:00')"

echo "== 1. SIGKILL during the scan (run_monitors_committed: the first group has committed)"
q faults "UPDATE faults.trip SET trip_at = '2026-03-02 12:00'"
hold "SELECT pg_advisory_lock(777)"
"${P[@]}" -d faults -c "CALL mlobs.run_monitors_committed('2026-03-02 18:00')" > "$OUT/kill-scan.log" 2>&1 &
RUNNER=$!
pid=$(wait_blocked "run_monitors_committed" advisory)
committed=$(q faults "SELECT count(*) FROM mlobs.runs WHERE as_of = '2026-03-02 18:00' AND status = 'ok'")
expect "the scan of the gated view is blocked after the first group committed" 1 "$committed"
kill9 "SIGKILL during the scan" "$pid"
q faults "UPDATE faults.trip SET trip_at = 'infinity'"
expect "the first group's windows survived the crash" 12 \
  "$(q faults "SELECT count(*) FROM mlobs.monitor_windows w JOIN mlobs.monitors m ON m.id = w.monitor_id WHERE m.name = 'drift' AND w.window_start >= '2026-03-02 06:00'")"
q control "CALL mlobs.run_monitors_committed('2026-03-02 18:00')"
before=$(q faults "SELECT coalesce(max(id), 0) FROM mlobs.runs")
q faults "CALL mlobs.run_monitors_committed('2026-03-02 18:00')"
expect "the rerun completes every group" ok "$(q faults "SELECT string_agg(DISTINCT status, ',') FROM mlobs.runs WHERE id > $before")"

echo "== 2. SIGKILL during the metric point inserts"
# An uncommitted point of window 2026-03-03 00:00 of monitor quality: the run's insert of that
# key waits for it, with the windows before it stored in the same transaction.
hold "BEGIN" "INSERT INTO mlobs.metric_points (monitor_id, ts, window_start, model, metric)
             SELECT id, '2026-03-03 01:00', '2026-03-03 00:00', model, 'rows' FROM mlobs.monitors WHERE name = 'quality'"
"${P[@]}" -d faults -c "$RUN_SQL('2026-03-03 06:00')" > "$OUT/kill-points.log" 2>&1 &
RUNNER=$!
pid=$(wait_blocked "run_monitors" transactionid)
kill9 "SIGKILL during point inserts" "$pid"
run_both "$RUN_SQL('2026-03-03 06:00')"

echo "== late labels of 2026-03-02 arrive by UPDATE"
both "UPDATE log SET label = (faults.u(((extract(epoch FROM ts) - extract(epoch FROM timestamptz '2026-03-01 00:00+00')) / 6)::bigint, 5)
                              < 0.2 + 0.6 * score)::int WHERE ts >= '2026-03-02' AND ts < '2026-03-03'"

echo "== 3. SIGKILL during alert evaluation"
hold "BEGIN" "LOCK TABLE mlobs.alerts IN EXCLUSIVE MODE"
"${P[@]}" -d faults -c "$RUN_SQL('2026-03-03 18:00')" > "$OUT/kill-alerts.log" 2>&1 &
RUNNER=$!
pid=$(wait_blocked "run_monitors" relation)
expect "the run waits for mlobs.alerts" mlobs.alerts \
  "$(q faults "SELECT relation::regclass FROM pg_locks WHERE pid = $pid AND NOT granted")"
kill9 "SIGKILL during alert evaluation" "$pid"
run_both "$RUN_SQL('2026-03-03 18:00')"

echo "== 4. immediate shutdown during a run"
q faults "UPDATE faults.trip SET trip_at = '2026-03-03 20:00'"
hold "SELECT pg_advisory_lock(777)"
"${P[@]}" -d faults -c "$RUN_SQL('2026-03-04 00:00')" > "$OUT/stop-run.log" 2>&1 &
RUNNER=$!
wait_blocked "run_monitors" advisory > /dev/null
stop_immediate "immediate stop during a run"
q faults "UPDATE faults.trip SET trip_at = 'infinity'"
run_both "$RUN_SQL('2026-03-04 00:00')"

echo "== 5. immediate shutdown during register_model"
hold "BEGIN" "INSERT INTO mlobs.models (name, version, format, body, n_features, objective)
             VALUES ('fraud', 2, 'linear', '{}', 1, 'held')"
"${P[@]}" -d faults -c "SELECT mlobs.register_model('fraud', 'xgboost', '$(cat tests/fixtures/models/fraud_xgb.json)')" \
  > "$OUT/stop-register.log" 2>&1 &
RUNNER=$!
wait_blocked "register_model" transactionid > /dev/null
stop_immediate "immediate stop during register_model"
expect "the registry holds version 1 only" "1 1" "$(q faults "SELECT count(*) || ' ' || max(version) FROM mlobs.models WHERE name = 'fraud'")"
both "SELECT mlobs.register_model('fraud', 'xgboost', '$(cat tests/fixtures/models/fraud_xgb.json)')"
expect "registering again gives version 2, which predicts" "2 true" \
  "$(q faults "SELECT max(version) || ' ' || (mlobs.predict('fraud', ARRAY[120, 40, 3, 12.5, 2, 0.7]::float8[]) BETWEEN 0 AND 1) FROM mlobs.models WHERE name = 'fraud'")"

echo "== 6. full disk during a run"
mkdir -p "$MNT"
mount -t tmpfs -o "size=48m,mode=0700,uid=$(id -u postgres),gid=$(id -g postgres)" tmpfs "$MNT"
q faults "CREATE TABLESPACE small LOCATION '$MNT'"
q faults "ALTER TABLE mlobs.metric_points SET TABLESPACE small"
q faults "ALTER INDEX mlobs.metric_points_pkey SET TABLESPACE small"
q faults "ALTER INDEX mlobs.metric_points_series SET TABLESPACE small"
dd if=/dev/zero of="$MNT/filler" bs=64k > /dev/null 2>&1 || true
echo "tablespace small: $(df -h --output=avail "$MNT" | tail -1 | tr -d ' ') free"
q faults "$RUN_SQL('2026-03-04 12:00')" > "$OUT/full.txt" 2>&1 || true
expect "a run on a full disk ends 'partial'" partial "$(q faults "SELECT status FROM mlobs.runs ORDER BY id DESC LIMIT 1")"
expect "its errors say disk full (53100)" t \
  "$(q faults "SELECT bool_and(e->>'sqlstate' = '53100') AND count(*) > 0 FROM mlobs.runs r, jsonb_array_elements(r.errors) e WHERE r.id = (SELECT max(id) FROM mlobs.runs)")"
echo "windows recorded as failed: $(q faults "SELECT count(*) FROM mlobs.window_failures")"
q faults "SELECT DISTINCT e->>'error' FROM mlobs.runs r, jsonb_array_elements(r.errors) e WHERE r.id = (SELECT max(id) FROM mlobs.runs)" | head -2
rm -f "$MNT/filler"
run_both "$RUN_SQL('2026-03-04 12:00')"
expect "no window left failed once space returned" 0 "$(q faults "SELECT count(*) FROM mlobs.window_failures")"

echo "== late labels of 2026-03-03 and 03-04 arrive; the last run"
both "UPDATE log SET label = (faults.u(((extract(epoch FROM ts) - extract(epoch FROM timestamptz '2026-03-01 00:00+00')) / 6)::bigint, 5)
                              < 0.2 + 0.6 * score)::int WHERE ts >= '2026-03-03'"
run_both "$RUN_SQL('2026-03-05 00:00')"

echo "== checks"
for db in faults control; do "${P[@]}" -d $db -f tests/integration/faults/state.sql > "$OUT/$db.txt"; done
if diff -u "$OUT/control.txt" "$OUT/faults.txt" > "$OUT/state.diff"; then
  check ok "every window, point, alert, watermark, counter and model equals the control's"
else
  head -40 "$OUT/state.diff"; check no "faults differs from control"
fi
expect "every window exactly once, none missing up to each watermark" 0 "$(q faults "
  SELECT count(*) FROM mlobs.monitors m,
         LATERAL (SELECT count(*) AS n, min(window_start) AS first FROM mlobs.monitor_windows w
                   WHERE w.monitor_id = m.id AND w.segment = '') w
   WHERE w.n <> extract(epoch FROM m.watermark - w.first) / extract(epoch FROM m.window_size)")"
expect "each window's rows equal the log's, and rows_total their sum" 0 "$(q faults "
  SELECT count(*) FROM mlobs.monitors m WHERE m.source = 'log'::regclass AND (
     m.rows_total <> (SELECT sum(rows) FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.segment = '')
     OR EXISTS (SELECT 1 FROM mlobs.monitor_windows w WHERE w.monitor_id = m.id AND w.segment = ''
                   AND w.rows <> (SELECT count(*) FROM log l WHERE l.ts >= w.window_start AND l.ts < w.window_end)))")"
expect "a new run finds no lock held (not 'skipped') and nothing to do" "ok 0" \
  "$(q faults "SELECT status || ' ' || windows FROM mlobs.run_monitors('2026-03-05 00:00')")"
kills=$(grep -c "was terminated by signal 9" "$DATA/../server.log" || true)
expect "the server log shows the 3 backends killed" 3 "$kills"
if grep -q PANIC "$DATA/../server.log"; then check no "a PANIC in the server log"; else check ok "no PANIC in the server log"; fi
echo "faults injected: $faults; windows checked: $(q faults "SELECT count(*) FROM mlobs.monitor_windows"); metric points checked: $(q faults "SELECT count(*) FROM mlobs.metric_points"); alerts checked: $(q faults "SELECT count(*) FROM mlobs.alerts"); lines differing from the control: $(grep -c '^[-+][^-+]' "$OUT/state.diff" || true)"
[ $fail -eq 0 ] && echo "faults: all checks passed" || { echo "faults: FAILED"; exit 1; }
