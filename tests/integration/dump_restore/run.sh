#!/usr/bin/env bash
# pg_dump / pg_restore round trip of a monitored database (issue 13, item 2): custom format,
# plain format and a data-only restore into a database where the extension already exists.
# Each restored database must hold every mlobs table exactly as the source (edited, disabled,
# deleted, renamed and custom rules, routes, alerts in every state, retraining requests, a failed
# window, models, sequence positions), and then run on exactly as the source does: windows
# continue from the watermarks, nothing is recomputed twice, models predict equal.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_DUMP_PORT:-28851}
OUT=.run/dump-out
bash scripts/pg_cluster.sh destroy dump
bash scripts/pg_cluster.sh start dump "$PORT" "timezone = 'UTC'"
trap 'bash scripts/pg_cluster.sh destroy dump' EXIT
rm -rf "$OUT" && mkdir -p "$OUT" && chmod 777 "$OUT"
P=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
PG_BIN=/usr/lib/postgresql/15/bin
fail=0
check() { if [ "$1" = ok ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi; }
same() { if diff -u "$2" "$3" > "$3.diff"; then check ok "$1"; else head -40 "$3.diff"; check no "$1"; fi; }

"${P[@]}" -d postgres -c "CREATE DATABASE src"
"${P[@]}" -d src -f tests/integration/dump_restore/setup.sql > /dev/null
"${P[@]}" -d src -At -c "SELECT 'source: ' || (SELECT count(*) FROM mlobs.monitor_windows) || ' windows, ' || (SELECT count(*) FROM mlobs.metric_points) || ' points, alerts ' || (SELECT string_agg(state || '=' || n, ' ') FROM (SELECT state, count(*) n FROM mlobs.alerts GROUP BY 1 ORDER BY 1) s) || ', ' || (SELECT count(*) FROM mlobs.retraining_requests) || ' requests, ' || (SELECT count(*) FROM mlobs.window_failures) || ' failed windows'"
"${P[@]}" -d src -f tests/integration/dump_restore/snapshot.sql > "$OUT/src.txt"
echo "tables and sequences compared: $(wc -l < "$OUT/src.txt")"

DUMP=("$PG_BIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres)
"${DUMP[@]}" -Fc -f "$OUT/src.dump" src
"${DUMP[@]}" -Fp -f "$OUT/src.sql" src
"${DUMP[@]}" --data-only -Fc -f "$OUT/src-data.dump" src

# 1. custom format into a new database; 2. plain format through psql; 3. data only into a
# database with the extension and the log's schema already there.
"${P[@]}" -d postgres -c "CREATE DATABASE custom" -c "CREATE DATABASE plain" -c "CREATE DATABASE dataonly"
"$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres --exit-on-error -d custom "$OUT/src.dump" \
  && check ok "pg_restore -Fc: no error" || check no "pg_restore -Fc reported errors"
"${P[@]}" -d plain -f "$OUT/src.sql" > "$OUT/plain.log" 2>&1 && check ok "plain dump through psql: no error" \
  || { tail -5 "$OUT/plain.log"; check no "plain dump through psql reported errors"; }
"${DUMP[@]}" --schema-only -f "$OUT/src-schema.sql" src
"${P[@]}" -d dataonly -f "$OUT/src-schema.sql" > /dev/null
"$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres --exit-on-error -d dataonly "$OUT/src-data.dump" \
  && check ok "pg_restore --data-only: no error" || check no "pg_restore --data-only reported errors"

# A data-only restore loads the log into a table that already has mlobs' change triggers
# (restored with the schema): its rows are recorded in mlobs.source_changes as late rows, and the
# next run recomputes the windows within the horizons once (to the same values). That table and
# the next run's counts are compared for the other formats only.
for db in custom plain dataonly; do
  "${P[@]}" -d $db -f tests/integration/dump_restore/snapshot.sql > "$OUT/$db.txt"
  if [ $db = dataonly ]; then
    grep -v '^ source_changes' "$OUT/src.txt" > "$OUT/src-nochanges.txt"; grep -v '^ source_changes' "$OUT/$db.txt" > "$OUT/$db-nochanges.txt"
    same "$db: every mlobs table and sequence equals the source (but source_changes)" "$OUT/src-nochanges.txt" "$OUT/$db-nochanges.txt"
  else
    same "$db: every mlobs table and sequence equals the source" "$OUT/src.txt" "$OUT/$db.txt"
  fi
done

# 4. A parallel restore the documented way (docs/monitoring.md): pg_restore -j loads tables in
# parallel, each in its own transaction, and mlobs' tables reference each other by foreign keys
# that exist from CREATE EXTENSION on, so their data is restored in one process after the rest
# (review of 2026-12-08: a plain -j 2 lost every window, point, alert and request).
"${P[@]}" -d postgres -c "CREATE DATABASE parallel"
"$PG_BIN/pg_restore" -l "$OUT/src.dump" > "$OUT/all.list"
grep -v ' TABLE DATA mlobs ' "$OUT/all.list" > "$OUT/rest.list"
grep ' TABLE DATA mlobs ' "$OUT/all.list" > "$OUT/mlobs.list"
"$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres --exit-on-error -j 2 -L "$OUT/rest.list" -d parallel "$OUT/src.dump" \
  && "$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres --exit-on-error -L "$OUT/mlobs.list" -d parallel "$OUT/src.dump" \
  && check ok "pg_restore -j 2, then mlobs' data in one process: no error" || check no "the documented parallel restore reported errors"
"${P[@]}" -d parallel -f tests/integration/dump_restore/snapshot.sql > "$OUT/parallel.txt"
same "parallel: every mlobs table and sequence equals the source" "$OUT/src.txt" "$OUT/parallel.txt"

# Run on: the source and every restored copy compute the same next windows, alerts and requests.
"${P[@]}" -d src -f tests/integration/dump_restore/continue.sql > "$OUT/src-continue.txt"
cat "$OUT/src-continue.txt" | cut -c1-160
for db in custom plain dataonly; do
  "${P[@]}" -d $db -f tests/integration/dump_restore/continue.sql > "$OUT/$db-continue.txt"
  if [ $db = dataonly ]; then
    grep -v '^ run \|^ windows ' "$OUT/src-continue.txt" > "$OUT/src-continue-values.txt"
    grep -v '^ run \|^ windows ' "$OUT/$db-continue.txt" > "$OUT/$db-continue-values.txt"
    same "$db: monitors run on to the same points, alerts, requests and predictions" "$OUT/src-continue-values.txt" "$OUT/$db-continue-values.txt"
  else
    same "$db: monitors run on from the watermarks as in the source, models predict equal" "$OUT/src-continue.txt" "$OUT/$db-continue.txt"
  fi
done
grep -q 'recomputed=0' "$OUT/src-continue.txt" && check ok "no window computed before the dump was recomputed" \
  || check no "windows recomputed after restore"

# Label changes recorded but not yet run when the dump is taken: the restored copy (new OIDs)
# revises the window as the source does (source_changes.source is dumped by name).
"${P[@]}" -d postgres -c "CREATE DATABASE pending" -c "CREATE DATABASE pending_r"
"${P[@]}" -d pending > /dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
CREATE TABLE filler (x int);   -- the log's OID differs in the restored copy
CREATE TABLE labels_log (ts timestamptz, label int, predicted int, true_label int);
INSERT INTO labels_log SELECT ts, NULL, (i % 3 = 0)::int, (i % 2 = 0)::int
  FROM generate_series(timestamptz '2026-01-01', '2026-01-02 23:50', '10 minutes') WITH ORDINALITY g(ts, i);
SELECT mlobs.create_monitor('pending acc', 'pending', 'labels_log', 'classification', '{}', '6 hours', '2026-01-01', '2026-01-01 06:00');
SELECT mlobs.run_monitors('2026-01-03');
UPDATE labels_log SET label = true_label WHERE ts >= '2026-01-02 06:00' AND ts < '2026-01-02 12:00';
SQL
"${DUMP[@]}" -Fc -f "$OUT/pending.dump" pending
"$PG_BIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres --exit-on-error -d pending_r "$OUT/pending.dump"
for db in pending pending_r; do
  "${P[@]}" -d $db -At -c "SELECT revised FROM mlobs.run_monitors('2026-01-03')" \
    -c "SELECT p.value FROM mlobs.metric_points p WHERE p.metric = 'labelled_rows' AND p.window_start = '2026-01-02 06:00'" \
    > "$OUT/$db-labels.txt"
done
echo "pending changes: source $(tr '\n' ' ' < "$OUT/pending-labels.txt"), restored $(tr '\n' ' ' < "$OUT/pending_r-labels.txt")"
[ "$(cat "$OUT/pending-labels.txt")" = "$(printf '1\n36')" ] || check no "the source revised its changed window"
same "recorded changes survive the restore: the restored copy revises the same window" "$OUT/pending-labels.txt" "$OUT/pending_r-labels.txt"

[ $fail -eq 0 ] && echo "dump/restore: all checks passed" || { echo "dump/restore: FAILED"; exit 1; }
