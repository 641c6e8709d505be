#!/usr/bin/env bash
# Fleet scale (issue 18, item 6): MODELS models (50), each with its own prediction log (ts,
# jsonb features with FEATURES numeric keys (20), score, label written later by UPDATE,
# predicted, latency_ms) and the standard monitor set (feature_drift, quality, classification
# with score, prediction_drift, latency) over hourly windows, default alert rules, serial plans,
# track_functions = all. Simulated time, driven as pg_cron would drive it:
#   1. bulk load: a reference day + FLEET_HISTORY_DAYS of history; the monitors are created;
#   2. first run: every window of the history (the initial backfill);
#   3. steady state: FLEET_STEADY_HOURS of ticks every 5 minutes, each ingesting the rows of its
#      5 minutes (labels: at hh:30 a labelling job UPDATEs a FLEET_LABEL_SHARE of the rows of
#      the hour 7 h to 6 h ago), then SELECT mlobs.run_monitors(tick): idle runs, runs where a
#      label batch landed (one window revised per monitor of the table: changes are tracked per
#      table), runs with a new hourly window due for every monitor;
#   4. outage: BACKLOG_HOURS (24) of rows and label batches arrive with no run, then one run
#      catches up.
# Per run: duration (mlobs.runs), windows, points, WAL bytes (pg_current_wal_insert_lsn diff),
# CPU time of the run's backend (/proc/self/stat, read with pg_read_file: superuser);
# per phase: pg_stat_user_functions (reset before) and pg_total_relation_size of the mlobs
# tables. Writes benches/results/fleet.md and prints it. Never part of the test suite.
#
# Usage: bash benches/fleet.sh [MODELS] [FEATURES] [BACKLOG_HOURS]     (defaults 50 20 24)
# Environment:
#   MLOBS_PG_BIN           PostgreSQL bin directory (a private copy with mlobs installed, see
#                          docs/performance.md); default /usr/lib/postgresql/15/bin
#   MLOBS_BENCH_NO_INSTALL set: use the installed mlobs as it is (no cargo build/install)
#   MLOBS_BENCH_PORT       port of the benchmark's own cluster "fleet" (28833)
#   FLEET_RATE             rows per model per hour (300; a multiple of 12 keeps 5-minute ticks even)
#   FLEET_HISTORY_DAYS     days of history after the reference day, backfilled by the first run (1)
#   FLEET_FIRST_RUN        how the history is backfilled: per-monitor (default: run_monitors(monitor
#                          => ...) for each monitor, ANALYZE of the mlobs tables after each model)
#                          or single (one run_monitors for the whole fleet: quadratic on a fresh
#                          install, see docs/performance.md "Fleet scale")
#   FLEET_STEADY_HOURS     hours of 5-minute ticks in the steady-state phase (3)
#   FLEET_LABEL_SHARE      share of rows whose label ever arrives (0.7)
#   FLEET_SEGMENTS         segments per model (0): each log gets a `segment` column with that many
#                          values and every monitor segment_by it (max_segments the same)
#   FLEET_SWEEP            space-separated MODELSxFEATURESxBACKLOG[xHISTORY_DAYS] configurations
#                          run after the main one, each in a fresh database with FLEET_SWEEP_RATE
#                          rows per hour (120), 1 day of history unless given, 1 steady hour: the
#                          growth table (e.g. "10x10x6 25x10x6 50x10x6 10x5x6 10x20x6 2x20x6x3")
#   FLEET_MAIN             0: skip the main configuration, append only the sweep to FLEET_RESULTS
#   FLEET_RESULTS          results file (benches/results/fleet.md)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${MLOBS_BENCH_PORT:-28833}
MODELS=${1:-50}
FEATURES=${2:-20}
BACKLOG=${3:-24}
RATE=${FLEET_RATE:-300}
HIST_DAYS=${FLEET_HISTORY_DAYS:-1}
STEADY_HOURS=${FLEET_STEADY_HOURS:-3}
LABEL_SHARE=${FLEET_LABEL_SHARE:-0.7}
SEGMENTS=${FLEET_SEGMENTS:-0}
SWEEP=${FLEET_SWEEP:-}
FIRST_RUN=${FLEET_FIRST_RUN:-per-monitor}
SWEEP_RATE=${FLEET_SWEEP_RATE:-120}
RESULTS=${FLEET_RESULTS:-benches/results/fleet.md}
T0='2026-06-01 00:00+00'
if [ -z "${MLOBS_BENCH_NO_INSTALL:-}" ]; then
  bash scripts/install.sh
  bash scripts/install_extension.sh --release --pg-config "$PG_BIN/pg_config" >/dev/null
fi
bash scripts/pg_cluster.sh start fleet "$PORT" "max_parallel_workers_per_gather = 0" "jit = off" \
  "track_functions = all" "max_wal_size = 4GB"
trap 'bash scripts/pg_cluster.sh stop fleet' EXIT
P=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
log() { echo "[fleet $(date -u +%H:%M:%S)] $*" >&2; }

# One configuration, in database $DB: setup, first run, steady state, outage. Leaves its records
# in the database's fleet_* tables.
bench() {  # models features backlog rate hist_days steady_hours
  local models=$1 features=$2 backlog=$3 rate=$4 hist=$5 steady=$6
  local tss t k tick_min wal0
  "${P[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  "${P[@]}" -d "$DB" -v models="$models" -v features="$features" -v rate="$rate" -v t0="$T0" \
    -v label_share="$LABEL_SHARE" -v segments="$SEGMENTS" -f benches/fleet_setup.sql
  tss=$("${P[@]}" -d "$DB" -c "SELECT timestamptz '$T0' + interval '1 day' * (1 + $hist)")
  log "$DB: loading $models models x $((24 * (1 + hist))) h x $rate rows/h, $features features"
  "${P[@]}" -d "$DB" -c "SELECT fleet_ingest_upto('$tss', bulk => true)" -c "VACUUM ANALYZE" >/dev/null
  # The standard monitor set, default alert rules (installed with the extension).
  "${P[@]}" -d "$DB" -v t0="$T0" <<'SQL'
SET client_min_messages = warning;
DO $$
DECLARE
  k int;
  m text;
  t regclass;
  r0 timestamptz := (SELECT t0 FROM fleet_conf);
  r1 timestamptz := (SELECT t0 FROM fleet_conf) + interval '1 day';
  -- FLEET_SEGMENTS > 0: every monitor segmented by the log's segment column.
  seg jsonb := (SELECT CASE WHEN segments > 0 THEN jsonb_build_object('segment_by', '["segment"]'::jsonb, 'max_segments', segments)
                            ELSE '{}' END FROM fleet_conf);
BEGIN
  FOR k IN 1 .. (SELECT models FROM fleet_conf) LOOP
    m := format('m%s', lpad(k::text, 3, '0'));
    t := fleet_table(k);
    PERFORM mlobs.create_monitor(m || ' drift', m, t, 'feature_drift', seg, '1 hour', r0, r1, start_at => r1);
    PERFORM mlobs.create_monitor(m || ' quality', m, t, 'quality', seg, '1 hour', r0, r1, start_at => r1);
    PERFORM mlobs.create_monitor(m || ' perf', m, t, 'classification', '{"score": "score"}'::jsonb || seg, '1 hour', r0, r1, start_at => r1);
    PERFORM mlobs.create_monitor(m || ' pred', m, t, 'prediction_drift', seg, '1 hour', r0, r1, start_at => r1);
    PERFORM mlobs.create_monitor(m || ' latency', m, t, 'latency', seg, '1 hour', start_at => r1);
  END LOOP;
END $$;
SQL
  "${P[@]}" -d "$DB" -c "SELECT fleet_snapshot_sizes('0 loaded')" >/dev/null
  # 2. the first run: every window of the history.
  log "$DB: first run ($((24 * hist)) h of windows, FLEET_FIRST_RUN=$FIRST_RUN)"
  if [ "$FIRST_RUN" = single ]; then
    phase_run "1 first run" "$tss"
  else
    # One model at a time: its five monitors, each run in its own transaction, then ANALYZE.
    "${P[@]}" -d "$DB" -c "SELECT pg_stat_reset()" -c "SELECT fleet_snapshot_sizes('1 first run before')" >/dev/null
    for k in $(seq 1 "$models"); do
      for mon in drift quality perf pred latency; do
        tick "1 first run" "$tss" "$(printf 'm%03d %s' "$k" "$mon")"
      done
      "${P[@]}" -d "$DB" -c "ANALYZE mlobs.metric_points, mlobs.monitor_windows, mlobs.alerts"
    done
    sleep 1
    "${P[@]}" -d "$DB" -c "SELECT fleet_snapshot_funcs('1 first run')" -c "SELECT fleet_snapshot_sizes('1 first run after')" >/dev/null
  fi
  # 3. steady state: a tick every 5 minutes.
  log "$DB: steady state, $steady h of 5-minute ticks"
  "${P[@]}" -d "$DB" -c "SELECT pg_stat_reset()" -c "SELECT fleet_snapshot_sizes('2 steady start')" >/dev/null
  for k in $(seq 1 $((12 * steady))); do
    tick_min=$((5 * k))
    t=$("${P[@]}" -d "$DB" -c "SELECT timestamptz '$tss' + interval '1 minute' * $tick_min")
    wal0=$("${P[@]}" -d "$DB" -c "SELECT pg_current_wal_insert_lsn()")
    "${P[@]}" -d "$DB" -c "SELECT fleet_ingest_upto('$t')" >/dev/null
    "${P[@]}" -d "$DB" -c "INSERT INTO fleet_ingest_wal VALUES ('2 steady', pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$wal0'))"
    tick "2 steady" "$t"
  done
  sleep 1
  "${P[@]}" -d "$DB" -c "SELECT fleet_snapshot_funcs('2 steady')" -c "SELECT fleet_snapshot_sizes('2 steady end')" >/dev/null
  # 4. the outage: rows and labels keep arriving, no run for $backlog hours, then one run.
  t=$("${P[@]}" -d "$DB" -c "SELECT timestamptz '$tss' + interval '1 hour' * ($steady + $backlog)")
  log "$DB: outage of $backlog h, then one catch-up run"
  wal0=$("${P[@]}" -d "$DB" -c "SELECT pg_current_wal_insert_lsn()")
  "${P[@]}" -d "$DB" -c "SELECT fleet_ingest_upto('$t')" -c "ANALYZE" >/dev/null
  "${P[@]}" -d "$DB" -c "INSERT INTO fleet_ingest_wal VALUES ('3 outage', pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '$wal0'))"
  phase_run "3 catch-up" "$t"
  # One more tick: the run after the catch-up, nothing due.
  "${P[@]}" -d "$DB" -c "SELECT pg_stat_reset()" >/dev/null
  tick "4 after" "$("${P[@]}" -d "$DB" -c "SELECT timestamptz '$t' + interval '5 minutes'")"
}

# A run of its own phase: function statistics reset before, sizes before and after.
phase_run() {  # phase as_of
  "${P[@]}" -d "$DB" -c "SELECT pg_stat_reset()" -c "SELECT fleet_snapshot_sizes('$1 before')" >/dev/null
  tick "$1" "$2"
  sleep 1  # the run's backend has exited and flushed its function statistics
  "${P[@]}" -d "$DB" -c "SELECT fleet_snapshot_funcs('$1')" -c "SELECT fleet_snapshot_sizes('$1 after')" >/dev/null
}

# One scheduled run, as pg_cron runs it: its own session and transaction (of one monitor when
# a third argument names it).
tick() {  # phase as_of [monitor]
  "${P[@]}" -d "$DB" -v phase="$1" -v as_of="$2" -v mon="${3:-}" <<'SQL'
SELECT pg_current_wal_insert_lsn() AS l0, clock_timestamp() AS c0, fleet_cpu_ms() AS u0 \gset
SELECT id AS run_id FROM mlobs.run_monitors(:'as_of', monitor => nullif(:'mon', '')) \gset
INSERT INTO fleet_ticks VALUES (:'phase', :'as_of', :run_id, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :'l0'),
                                extract(epoch FROM clock_timestamp() - :'c0') * 1000, fleet_cpu_ms() - :u0);
SQL
}

# Segments: only when create_monitor knows segment_by.
segment_note() {
  local probe
  probe=$("${P[@]}" -d "$DB" 2>&1 <<'SQL' || true
SET client_min_messages = warning;
CREATE TEMP TABLE seg_probe (ts timestamptz, latency_ms float8, segment text);
SELECT mlobs.create_monitor('seg probe', 'probe', 'seg_probe', 'latency', '{"segment_by": ["segment"]}', '1 hour');
SQL
)
  if echo "$probe" | grep -q ERROR; then
    echo "Segments (FLEET_SEGMENTS=$SEGMENTS): **not yet measured** — this build's create_monitor rejects config key segment_by ($(echo "$probe" | grep ERROR | head -1 | cut -c1-160))."
  elif [ "$SEGMENTS" = 0 ]; then
    echo "Segments: this build accepts segment_by; not measured (FLEET_SEGMENTS=0)."
  else
    echo "Segments: every monitor segmented by the log's \`segment\` column, $SEGMENTS values (max_segments $SEGMENTS), uniformly distributed."
  fi
}

# Two schedulers in one database: while another run holds a monitor (its row locked, as
# run_monitors does), a run of that monitor (run_monitors(monitor => ...)) returns at once with
# status 'skipped'.
lock_note() {
  local status
  "${P[@]}" -d "$DB" -c "BEGIN" -c "SELECT 1 FROM mlobs.monitors WHERE name = 'm001 latency' FOR NO KEY UPDATE" \
    -c "SELECT pg_sleep(3)" -c "COMMIT" >/dev/null &
  sleep 1
  status=$("${P[@]}" -d "$DB" -c "SELECT status FROM mlobs.run_monitors('$T0', monitor => 'm001 latency')")
  wait
  echo "Two schedulers in one database: a run_monitors(monitor => 'm001 latency') started while another session held it returned status '$status'."
}

if [ "${FLEET_MAIN:-1}" != 0 ]; then
DB=fleet_main
t_all=$(now_ms)
bench "$MODELS" "$FEATURES" "$BACKLOG" "$RATE" "$HIST_DAYS" "$STEADY_HOURS"
main_ms=$(( $(now_ms) - t_all ))
SEG_NOTE=$(segment_note)
LOCK_NOTE=$(lock_note)

# ---- the report ---------------------------------------------------------------------------------
Q() { "${P[@]}" -d "$DB" -F ' | ' -c "$1"; }
mkdir -p "$(dirname "$RESULTS")"
{
  echo "# Fleet scale ($(date -u +%Y-%m-%d), $MODELS models x 5 monitors x $FEATURES features, hourly windows, $RATE rows/model/h)"
  echo
  echo "mlobs: $("${P[@]}" -d "$DB" -c "SELECT extversion FROM pg_extension WHERE extname = 'mlobs'") at $(md5sum "$("$PG_BIN/pg_config" --pkglibdir)/mlobs.so" | cut -c1-12) (mlobs.so md5), repo $(git rev-parse --short HEAD);"
  echo "first run: FLEET_FIRST_RUN=$FIRST_RUN; serial plans, jit off, track_functions = all, fsync off; $(nproc) cores; reference 1 day, history $HIST_DAYS d, labels for $LABEL_SHARE of rows 6-7 h late (hourly batch at hh:30). Benchmark wall time $((main_ms / 1000)) s, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "## Runs"
  echo
  echo "| run | runs | windows new / revised per run | points per run | ms per run (median / max) | CPU ms per run (median) | ms (all runs) | CPU ms (all runs) | WAL per run (median) |"
  echo "|---|---|---|---|---|---|---|---|---|"
  Q "SELECT CASE WHEN t.phase LIKE '2%' THEN '5-min tick: ' || CASE WHEN r.windows > 0 THEN 'new hourly window due' WHEN r.revised > 0 THEN 'label batch landed' ELSE 'nothing due' END
                 ELSE t.phase END, count(*),
            round(avg(r.windows)) || ' / ' || round(avg(r.revised)), round(avg(r.points)),
            round(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.duration_ms)) || ' / ' || round(max(r.duration_ms)),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY t.cpu_ms), round(sum(r.duration_ms)), sum(t.cpu_ms), pg_size_pretty(percentile_cont(0.5) WITHIN GROUP (ORDER BY t.wal_bytes)::bigint)
       FROM fleet_ticks t JOIN mlobs.runs r ON r.id = t.run_id GROUP BY 1 ORDER BY min(t.as_of)" | sed 's/^/| /; s/$/ |/'
  echo
  echo "Steady state: $("${P[@]}" -d "$DB" -c "SELECT round(sum(r.duration_ms) / 1000 * 24 / $STEADY_HOURS) || ' s of runs per simulated day (' || round((sum(r.duration_ms) / 1000 * 24 / $STEADY_HOURS / 864)::numeric, 2) || ' % of one core; CPU ' || round(sum(t.cpu_ms) / 1000.0 * 24 / $STEADY_HOURS) || ' s)' FROM fleet_ticks t JOIN mlobs.runs r ON r.id = t.run_id WHERE t.phase = '2 steady'")."
  echo
  echo "Errors in any run: $("${P[@]}" -d "$DB" -c "SELECT coalesce(sum(jsonb_array_length(errors)), 0) FROM mlobs.runs"); alert transitions: $("${P[@]}" -d "$DB" -c "SELECT sum(alert_transitions) FROM mlobs.runs"); open alerts at the end: $("${P[@]}" -d "$DB" -c "SELECT count(*) FROM mlobs.alerts WHERE state <> 'resolved'")."
  echo
  echo "## Where a window's time goes (pg_stat_user_functions, per window computed)"
  echo
  echo "| function | first run: calls, total ms, self ms, self µs/window | catch-up: calls, total ms, self ms, self µs/window | steady ticks: calls, total ms, self ms |"
  echo "|---|---|---|---|"
  Q "WITH w AS (SELECT t.phase, sum(r.windows + r.revised) n FROM fleet_ticks t JOIN mlobs.runs r ON r.id = t.run_id GROUP BY 1),
          f AS (SELECT f.phase, f.funcname, f.calls, f.total_ms, f.self_ms, w.n FROM fleet_funcs f LEFT JOIN w ON w.phase = f.phase)
     SELECT funcname,
            coalesce(a.calls || ', ' || round(a.total_ms) || ', ' || round(a.self_ms) || ', ' || round(1000 * a.self_ms / nullif(a.n, 0)), '–'),
            coalesce(b.calls || ', ' || round(b.total_ms) || ', ' || round(b.self_ms) || ', ' || round(1000 * b.self_ms / nullif(b.n, 0)), '–'),
            coalesce(c.calls || ', ' || round(c.total_ms) || ', ' || round(c.self_ms), '–')
       FROM (SELECT * FROM f WHERE phase = '1 first run') a
       FULL JOIN (SELECT * FROM f WHERE phase = '3 catch-up') b USING (funcname)
       FULL JOIN (SELECT * FROM f WHERE phase = '2 steady') c USING (funcname)
      WHERE greatest(a.total_ms, b.total_ms, c.total_ms) >= 50
      ORDER BY coalesce(b.total_ms, 0) DESC, coalesce(a.total_ms, 0) DESC" | sed 's/^/| /; s/$/ |/'
  echo
  echo "## Growth (pg_total_relation_size)"
  echo
  echo "| table | after load | first run (+) | steady $STEADY_HOURS h (+) | catch-up of $BACKLOG h (+) | per day (from the catch-up) |"
  echo "|---|---|---|---|---|---|"
  Q "SELECT s0.rel, pg_size_pretty(s0.bytes), pg_size_pretty(s2.bytes - s1.bytes), pg_size_pretty(s4.bytes - s3.bytes),
            pg_size_pretty(s6.bytes - s5.bytes), pg_size_pretty(((s6.bytes - s5.bytes) * 24.0 / $BACKLOG)::bigint)
       FROM fleet_sizes s0
       JOIN fleet_sizes s1 ON s1.rel = s0.rel AND s1.phase = '1 first run before'
       JOIN fleet_sizes s2 ON s2.rel = s0.rel AND s2.phase = '1 first run after'
       JOIN fleet_sizes s3 ON s3.rel = s0.rel AND s3.phase = '2 steady start'
       JOIN fleet_sizes s4 ON s4.rel = s0.rel AND s4.phase = '2 steady end'
       JOIN fleet_sizes s5 ON s5.rel = s0.rel AND s5.phase = '3 catch-up before'
       JOIN fleet_sizes s6 ON s6.rel = s0.rel AND s6.phase = '3 catch-up after'
      WHERE s0.phase = '0 loaded' AND (s6.bytes > s0.bytes OR s0.rel LIKE 'prediction%')
      ORDER BY s6.bytes - s5.bytes DESC" | sed 's/^/| /; s/$/ |/'
  echo
  echo "WAL written by the monitoring runs: steady state $("${P[@]}" -d "$DB" -c "SELECT pg_size_pretty(sum(wal_bytes)::bigint) || ' in $STEADY_HOURS h = ' || pg_size_pretty((sum(wal_bytes) * 24 / $STEADY_HOURS)::bigint) || ' per day' FROM fleet_ticks WHERE phase = '2 steady'"); catch-up run $("${P[@]}" -d "$DB" -c "SELECT pg_size_pretty(sum(wal_bytes)::bigint) FROM fleet_ticks WHERE phase = '3 catch-up'") for $BACKLOG h. WAL of ingest and label UPDATEs (not the runs): steady $("${P[@]}" -d "$DB" -c "SELECT pg_size_pretty(sum(wal_bytes)::bigint) FROM fleet_ingest_wal WHERE phase = '2 steady'"), outage $("${P[@]}" -d "$DB" -c "SELECT pg_size_pretty(sum(wal_bytes)::bigint) FROM fleet_ingest_wal WHERE phase = '3 outage'")."
  echo
  echo "$SEG_NOTE"
  echo
  echo "$LOCK_NOTE"
} > "$RESULTS"
fi

# ---- the sweep: how each dimension grows ------------------------------------------------------
if [ -n "$SWEEP" ]; then
  {
    echo
    echo "## Growth with models, features, backlog and history ($SWEEP_RATE rows/model/h, 1 steady hour)"
    echo
    echo "Each cell: wall ms / CPU ms of the run's backend (medians of the steady ticks of that kind)."
    echo
    echo "| models x features x backlog h x history d | monitors | first run (the history, all runs): ms / CPU ms, CPU ms per window | nothing due | label batch | new window due | catch-up | catch-up windows new + revised | catch-up CPU ms per window | catch-up WAL | load average (1 min) at the end |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
  } >> "$RESULTS"
  for cfg in $SWEEP; do
    IFS=x read -r sm sf sb sh <<< "$cfg"
    sh=${sh:-1}
    DB="fleet_s${sm}_${sf}_${sb}_${sh}"
    bench "$sm" "$sf" "$sb" "$SWEEP_RATE" "$sh" 1
    Q "WITH r AS (SELECT t.phase, t.wal_bytes, t.cpu_ms, r.*, CASE WHEN r.windows > 0 THEN 'due' WHEN r.revised > 0 THEN 'label' ELSE 'idle' END AS what
                    FROM fleet_ticks t JOIN mlobs.runs r ON r.id = t.run_id)
       SELECT '${sm}x${sf}x${sb}x${sh}', (SELECT count(*) FROM mlobs.monitors),
              (SELECT round(sum(duration_ms)) || ' / ' || sum(cpu_ms) || ', ' || round((sum(cpu_ms) / nullif(sum(windows), 0))::numeric, 2) FROM r WHERE phase = '1 first run'),
              (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)) || ' / ' || percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) FROM r WHERE phase = '2 steady' AND what = 'idle'),
              (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)) || ' / ' || percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) FROM r WHERE phase = '2 steady' AND what = 'label'),
              (SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms)) || ' / ' || percentile_cont(0.5) WITHIN GROUP (ORDER BY cpu_ms) FROM r WHERE phase = '2 steady' AND what = 'due'),
              (SELECT round(duration_ms) || ' / ' || cpu_ms FROM r WHERE phase = '3 catch-up'),
              (SELECT windows || ' + ' || revised FROM r WHERE phase = '3 catch-up'),
              (SELECT round((cpu_ms::numeric / nullif(windows + revised, 0)), 2) FROM r WHERE phase = '3 catch-up'),
              (SELECT pg_size_pretty(wal_bytes::bigint) FROM r WHERE phase = '3 catch-up'),
              '$(cut -d' ' -f1 /proc/loadavg)'" | sed 's/^/| /; s/$/ |/' >> "$RESULTS"
    "${P[@]}" -d postgres -c "DROP DATABASE $DB"
  done
fi
cat "$RESULTS"
