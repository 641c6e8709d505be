#!/usr/bin/env bash
# Hot standby (issue 21, item 2): a streaming replica on loopback serves the read side of mlobs, refuses
# its writers with a clear error, and after a promotion runs the monitors on from the watermarks.
#  1. a primary (.run/standby, port 28861, wal_level replica) and a streaming replica made by
#     pg_basebackup -R with a replication slot before any data (.run/standby-replica, port 28862,
#     hot_standby): the replica replays the whole demo (examples/demo.sql: logs, the three registered
#     models, the retraining loop) and the monitors of tests/integration/grafana/setup.sql run once;
#  2. tests/integration/standby/functions.sql — every function mlobs_reader may execute, the monitoring
#     view and tables, predict / predict_proba / shap by model name through the registry cache — as a
#     login member of mlobs_reader in read-only transactions on both servers: identical output, and no
#     such function left uncalled;
#  3. every Grafana panel's SQL (tests/integration/grafana/run_panels.py, macros expanded) as
#     mlobs_grafana on the replica (the whole window, then segment web), every result identical to the
#     primary's (--dump);
#  4. the writers on the replica (run_monitors, run_monitors_committed, register_model, train, promote,
#     evaluate_alerts, process_retraining_requests, drop_summarised_partitions, prune_history): SQLSTATE 25006, a message that says hot standby and
#     names the primary, a HINT;
#  5. the registry cache: one replica backend serves a model, the primary registers a new version,
#     promotes the old one, replaces a version under the same number; the same backend serves each
#     change once replayed (no NOTIFY reaches a standby: the lookup's snapshot and xmin do it);
#  6. pg_ctl promote; tests/integration/standby/promote.sql on the promoted server and on the old
#     primary (the control, running on independently): one more day of logs, one run: no window
#     recomputed or lost, new windows contiguous from the old watermarks, once per segment, rows counted
#     once, and windows, points, alerts and predictions identical on both.
# Exits non-zero on any failure; removes both clusters.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export MLOBS_STANDBY_PORT=${MLOBS_STANDBY_PORT:-28861}
export MLOBS_STANDBY_REPLICA_PORT=${MLOBS_STANDBY_REPLICA_PORT:-28862}
export MLOBS_STANDBY_DB=mlobs_standby_it
PORT=$MLOBS_STANDBY_PORT; SPORT=$MLOBS_STANDBY_REPLICA_PORT; DB=$MLOBS_STANDBY_DB
PG_BIN=/usr/lib/postgresql/15/bin
REPLICA=$PWD/.run/standby-replica
OUT=.run/standby-out
HERE=tests/integration/standby
start=$(date +%s)
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else sudo -u postgres -- "$@"; fi; }
cleanup() { bash scripts/pg_cluster.sh destroy standby-replica; bash scripts/pg_cluster.sh destroy standby; }
cleanup
trap cleanup EXIT
rm -rf "$OUT" && mkdir -p "$OUT"
P=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
S=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$SPORT" -U postgres)
fail=0
check() { if [ "$1" = ok ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi; }
same() { if diff -u "$2" "$3" > "$3.diff"; then check ok "$1"; else head -40 "$3.diff"; check no "$1"; fi; }

echo "== 1. primary, streaming replica, demo replayed"
bash scripts/pg_cluster.sh start standby "$PORT" "timezone = 'UTC'" "wal_level = replica" "max_wal_senders = 4" \
  "max_replication_slots = 4" "hot_standby = on" "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'postgres'"
"${P[@]}" -d postgres -c "CREATE DATABASE $DB" -c "CREATE EXTENSION pg_cron"
mkdir -p "$REPLICA" && chown postgres: "$REPLICA"
as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$REPLICA/data" -R -X stream -c fast \
  -C -S mlobs_standby
# The copy has the primary's postgresql.conf: its own port and socket directory; hot_standby_feedback
# and no cancelled query while replay waits (max_standby_streaming_delay -1: the test's queries are short).
printf '%s\n' "port = $SPORT" "unix_socket_directories = '$REPLICA'" "hot_standby_feedback = on" \
  "max_standby_streaming_delay = -1" | as_postgres tee -a "$REPLICA/data/postgresql.auto.conf" >/dev/null
as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA/data" -l "$REPLICA/server.log" -w -t 60 start >/dev/null
[ "$("${S[@]}" -At -d postgres -c "SELECT pg_is_in_recovery()")" = t ] && check ok "the replica is a hot standby (pg_is_in_recovery)" \
  || check no "the replica is not in recovery"
if ! "${P[@]}" -d "$DB" -f examples/demo.sql >"$OUT/demo.out" 2>&1; then
  tail -20 "$OUT/demo.out" >&2; echo "FAIL: examples/demo.sql" >&2; exit 1
fi
"${P[@]}" -d "$DB" -f tests/integration/grafana/setup.sql >/dev/null
# A reader for functions.sql (what mlobs_reader grants, plus the demo's logs); one summation order on
# both servers (no parallel plans: parallel workers combine partial sums in arrival order); a probe
# model for the registry cache.
"${P[@]}" -d "$DB" <<'SQL'
CREATE ROLE mlobs_standby_reader LOGIN IN ROLE mlobs_reader;
GRANT SELECT ON fraud_predictions, transactions, price_log, fraud_log TO mlobs_standby_reader;
ALTER DATABASE mlobs_standby_it SET max_parallel_workers_per_gather = 0;
SELECT mlobs.register_model('standby_probe', 'linear', '{"coefficients": [[1]], "intercept": [0], "link": "identity"}') \g /dev/null
SQL
# The pg_cron job as docs/monitoring.md schedules it from another database, on a schedule that never
# fires (February 31st): only where pg_cron runs matters here.
"${P[@]}" -d "$DB" -At -c "SELECT mlobs.schedule_monitors_command('0 0 31 2 *')" | "${P[@]}" -d postgres >/dev/null
bash "$HERE/replay.sh" && check ok "the replica replayed the demo, the monitors' run and the grants" \
  || check no "the replica did not catch up"
launchers() { psql -X -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_cron launcher'"; }
jobs=$("${S[@]}" -d postgres -At -c "SELECT string_agg(jobname || ' ' || schedule || ' ' || database, ', ') FROM cron.job")
[ "$jobs" = "mlobs_run_monitors_$DB 0 0 31 2 * $DB" ] && [ "$(launchers "$SPORT")" = 0 ] \
  && check ok "the replica has the pg_cron job ($jobs) and no pg_cron launcher (pg_cron starts after recovery)" \
  || check no "pg_cron on the replica: jobs '$jobs', $(launchers "$SPORT") launchers"
"${S[@]}" -d "$DB" -At -c "SELECT 'replica: ' || (SELECT count(*) FROM mlobs.models) || ' model versions, '
  || (SELECT count(*) FROM mlobs.monitor_windows) || ' windows, ' || (SELECT count(*) FROM mlobs.metric_points) || ' points, '
  || (SELECT count(*) FROM mlobs.alerts) || ' alerts'"

echo "== 2. every read-only function as a member of mlobs_reader, primary and replica"
R=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U mlobs_standby_reader -d "$DB")
PGOPTIONS="-c default_transaction_read_only=on" "${R[@]}" -p "$PORT" -f "$HERE/functions.sql" > "$OUT/functions-primary.txt" 2>&1 \
  && check ok "functions.sql on the primary ($(wc -l < "$OUT/functions-primary.txt") lines)" \
  || { tail -5 "$OUT/functions-primary.txt"; check no "functions.sql failed on the primary"; }
PGOPTIONS="-c default_transaction_read_only=on" "${R[@]}" -p "$SPORT" -f "$HERE/functions.sql" > "$OUT/functions-replica.txt" 2>&1 \
  && check ok "functions.sql on the replica" || { tail -5 "$OUT/functions-replica.txt"; check no "functions.sql failed on the replica"; }
same "the replica's results equal the primary's (every line)" "$OUT/functions-primary.txt" "$OUT/functions-replica.txt"
# Coverage: every function of schema mlobs that mlobs_reader may execute (the read side; the writers are
# not granted to it) is called in functions.sql.
"${S[@]}" -d "$DB" -At -c "SELECT DISTINCT p.proname FROM pg_proc p WHERE p.pronamespace = 'mlobs'::regnamespace
  AND p.proname !~ '^_' AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype)
  AND NOT (p.proargtypes::regtype[] && ARRAY['internal', 'cstring']::regtype[])
  AND has_function_privilege('mlobs_reader', p.oid, 'EXECUTE') ORDER BY 1" > "$OUT/reader-functions.txt"
missing=$(while read -r f; do grep -Eq "mlobs\.\"?$f\"?\(" "$HERE/functions.sql" || echo "$f"; done < "$OUT/reader-functions.txt")
n_reader=$(wc -l < "$OUT/reader-functions.txt")
[ -z "$missing" ] && [ "$n_reader" -gt 100 ] && check ok "all $n_reader functions mlobs_reader may execute are called on the replica" \
  || check no "functions mlobs_reader may execute not called in functions.sql: $(echo $missing)"

echo "== 3. every Grafana panel as mlobs_grafana on the replica, results equal to the primary's"
DASH=examples/grafana/dashboards
# The explainability explorer computes SHAP for every transaction in range: 6 hours of them (the
# grafana suite runs the whole range once on the primary).
panels() {  # port dump-dir [run_panels options]
  local port=$1 dir=$2; shift 2
  python3 tests/integration/grafana/run_panels.py --port "$port" --db "$DB" --user mlobs_grafana --dump "$dir/all" \
    --from 2026-01-01T00:00:00Z --to 2026-01-15T00:00:00Z "$@" $(ls $DASH/*.json | grep -v explainability) &&
  python3 tests/integration/grafana/run_panels.py --port "$port" --db "$DB" --user mlobs_grafana --dump "$dir/explainability" \
    --from 2026-01-14T18:00:00Z --to 2026-01-15T00:00:00Z "$@" $DASH/explainability.json &&
  python3 tests/integration/grafana/run_panels.py --port "$port" --db "$DB" --user mlobs_grafana --dump "$dir/web" \
    --from 2026-01-01T00:00:00Z --to 2026-01-15T00:00:00Z --var segment=web "$@"
}
panels "$SPORT" "$OUT/panels-replica" > "$OUT/panels-replica.txt" 2>&1 && check ok "every panel ran on the replica" \
  || { grep -v '^ok' "$OUT/panels-replica.txt" | head -20; check no "panels failed on the replica"; }
grep '^grafana panels:' "$OUT/panels-replica.txt" | sed 's/^/  replica: /'
panels "$PORT" "$OUT/panels-primary" > "$OUT/panels-primary.txt" 2>&1 || { grep -v '^ok' "$OUT/panels-primary.txt" | head; check no "panels failed on the primary"; }
n_panels=$(grep -c '^ok ' "$OUT/panels-replica.txt" || true)
n_queries=$(cat "$OUT"/panels-replica/*/*.txt | grep -c '^-- query ' || true)
n_rows=$(cat "$OUT"/panels-replica/*/*.txt | grep -c '^\[' || true)
if diff -ru "$OUT/panels-primary" "$OUT/panels-replica" > "$OUT/panels.diff"; then
  check ok "$n_panels panel and annotation queries: all $n_queries results (with the variables' queries; $n_rows lines) equal on the replica and the primary"
else
  head -40 "$OUT/panels.diff"; check no "panel results differ between the replica and the primary"
fi

echo "== 4. the writers on the replica: 25006, hot standby, run it on the primary"
while IFS='|' read -r what sql; do
  err=$("${S[@]}" -d "$DB" -v VERBOSITY=verbose -c "$sql" 2>&1 >/dev/null || true)
  line=$(grep -m1 '^ERROR:' <<<"$err" || true)
  if [[ "$line" == "ERROR:  25006: $what writes, and this server is a hot standby (in recovery, read-only): run it on the primary" ]] \
     && grep -q '^HINT:  Schedule pg_cron jobs on the primary only' <<<"$err"; then
    check ok "$what: $line"
  else
    echo "$err" | head -5; check no "$what on the replica"
  fi
done <<'CASES'
mlobs.run_monitors|SELECT mlobs.run_monitors('2026-01-16')
mlobs.run_monitors_committed|CALL mlobs.run_monitors_committed('2026-01-16')
mlobs.register_model|SELECT mlobs.register_model('standby_probe', 'linear', '{"coefficients": [[2]], "intercept": [0], "link": "identity"}')
mlobs.train|SELECT mlobs.train('fraud', 'fraud_log', 'label', ARRAY['features'])
mlobs.promote|SELECT mlobs.promote('fraud', 1)
mlobs.evaluate_alerts|SELECT mlobs.evaluate_alerts()
mlobs.process_retraining_requests|SELECT * FROM mlobs.process_retraining_requests()
mlobs.drop_summarised_partitions|SELECT * FROM mlobs.drop_summarised_partitions('fraud_log')
mlobs.prune_history|SELECT * FROM mlobs.prune_history()
CASES
# No LISTEN on a standby: the alert relay (docs/prometheus.md) connects to the primary.
err=$("${S[@]}" -d "$DB" -v VERBOSITY=verbose -c "LISTEN mlobs_alerts" 2>&1 || true)
grep -q '^ERROR:  25006: cannot execute LISTEN during recovery' <<<"$err" \
  && check ok "LISTEN mlobs_alerts on the replica: $(grep -m1 '^ERROR' <<<"$err")" || { echo "$err"; check no "LISTEN on the replica"; }
# A reader calling a writer still gets 42501 first (the privilege check precedes the body).
err=$(psql -X -q -h 127.0.0.1 -p "$SPORT" -U mlobs_grafana -d "$DB" -v VERBOSITY=verbose -c "SELECT mlobs.run_monitors()" 2>&1 || true)
grep -q '^ERROR:  42501: permission denied for function run_monitors' <<<"$err" \
  && check ok "mlobs_grafana calling run_monitors on the replica: 42501" || { echo "$err"; check no "reader run_monitors on the replica"; }

echo "== 5. the registry cache of one replica backend follows the primary's registry"
# One psql session on the replica; between its statements \! changes the model on the primary and waits
# until the replica has replayed it. standby_probe is f(x) = x + intercept.
cat > "$OUT/cache.sql" <<EOF
\set ON_ERROR_STOP on
\pset tuples_only on
\pset format unaligned
SELECT pg_backend_pid() AS pid \gset
SELECT 'v1 cached', mlobs.predict('standby_probe', '{1}'::float8[]), mlobs.model_version('standby_probe');
\! bash $HERE/replay.sh "SELECT mlobs.register_model('standby_probe', 'linear', '{\"coefficients\": [[1]], \"intercept\": [10], \"link\": \"identity\"}')"
SELECT 'v2 registered', mlobs.predict('standby_probe', '{1}'::float8[]), mlobs.model_version('standby_probe');
\! bash $HERE/replay.sh "SELECT mlobs.promote('standby_probe', 1)"
SELECT 'v1 promoted', mlobs.predict('standby_probe', '{1}'::float8[]), mlobs.model_version('standby_probe');
\! bash $HERE/replay.sh "DELETE FROM mlobs.models WHERE name = 'standby_probe' AND version = 2" "DELETE FROM mlobs.model_stages WHERE name = 'standby_probe'" "SELECT mlobs.register_model('standby_probe', 'linear', '{\"coefficients\": [[1]], \"intercept\": [20], \"link\": \"identity\"}')"
SELECT 'v2 replaced', mlobs.predict('standby_probe', '{1}'::float8[]), mlobs.model_version('standby_probe'),
       mlobs.predict('standby_probe', 2, '{1}'::float8[]);
SELECT 'same backend', pg_backend_pid() = :pid;
EOF
"${S[@]}" -d "$DB" -f "$OUT/cache.sql" > "$OUT/cache.txt" 2>&1 || { cat "$OUT/cache.txt"; check no "the cache session failed"; }
printf '%s\n' 'v1 cached|1|1' 'v2 registered|11|2' 'v1 promoted|1|1' 'v2 replaced|21|2|21' 'same backend|t' > "$OUT/cache.expected"
same "one replica backend serves v1, then the new v2, the promoted v1, a replaced v2 (same number, new xmin)" \
  "$OUT/cache.expected" "$OUT/cache.txt"

echo "== 6. promotion: the promoted replica runs the monitors on from the watermarks, as the old primary does"
as_postgres "$PG_BIN/pg_ctl" -D "$REPLICA/data" -w -t 60 promote >/dev/null
for _ in $(seq 300); do [ "$(launchers "$SPORT")" = 1 ] && break; sleep 0.1; done
[ "$(launchers "$SPORT")" = 1 ] && check ok "promoted: pg_cron's launcher started (the replicated job runs here from now on)" \
  || check no "no pg_cron launcher on the promoted server within 30 s"
"${S[@]}" -d "$DB" -f "$HERE/promote.sql" > "$OUT/promote-replica.txt" 2>&1 \
  || { tail -5 "$OUT/promote-replica.txt"; check no "promote.sql failed on the promoted replica"; }
"${P[@]}" -d "$DB" -f "$HERE/promote.sql" > "$OUT/promote-primary.txt" 2>&1 \
  || { tail -5 "$OUT/promote-primary.txt"; check no "promote.sql failed on the old primary"; }
cut -c1-160 "$OUT/promote-replica.txt" | grep -v '^in recovery' | sed 's/^/  /'
grep -qx 'in recovery|f' "$OUT/promote-replica.txt" && check ok "promoted: pg_is_in_recovery() is false" || check no "still in recovery"
run=$(grep '^run|' "$OUT/promote-replica.txt" || true)
[[ "$run" == "run|ok|"* ]] && check ok "run_monitors on the promoted server: $run (status|windows|revised|points|transitions|errors)" \
  || check no "run on the promoted server: $run"
revised=$(grep '^revised within the horizons|' "$OUT/promote-replica.txt" | awk -F'|' '{n += $3; c += $6} END {print n + 0, c + 0}')
grep -qx 'recomputed outside the revision horizons|0' "$OUT/promote-replica.txt" && grep -qx 'lost|0' "$OUT/promote-replica.txt" \
  && [ "${revised#* }" = 0 ] \
  && check ok "no window computed before the promotion lost or recomputed (but ${revised% *} revised within label_horizon, as every run does for a monitor over a view: same summaries)" \
  || check no "windows recomputed or lost (revised, changed summaries: $revised)"
bad=$(grep '^new windows|' "$OUT/promote-replica.txt" | awk -F'|' '$7 != 0 || $8 != 0 || $9 != "t" || $10 != "t" || $11 != 0' || true)
n_moved=$(grep -c '^new windows|' "$OUT/promote-replica.txt" || true)
# Every enabled monitor of grafana/setup.sql with a window to close by then: 7 (a daily
# feature_drift monitor beside the hourly one since the review of 2026-12-07).
[ -z "$bad" ] && [ "$n_moved" -eq 7 ] \
  && check ok "$n_moved monitors: new windows contiguous from the old watermark to the new, once per segment, rows counted once" \
  || { echo "$bad"; check no "new windows after the promotion ($n_moved monitors moved)"; }
same "the promoted server and the old primary: same run, windows, points, alerts, predictions" \
  "$OUT/promote-primary.txt" "$OUT/promote-replica.txt"

[ $fail -eq 0 ] && echo "hot standby: all checks passed ($(( $(date +%s) - start )) s)" || { echo "hot standby: FAILED"; exit 1; }
