#!/usr/bin/env bash
# The monitoring runtime against one scan (issue 18): MLOBS_SCAN_ROWS (1M) logged predictions over
# 7 days (10-key jsonb features, score, label, predicted, latency), hourly windows, five monitors
# on that table (feature_drift, quality, classification with score, prediction_drift, latency),
# release build, serial plans. Measures side by side, interleaved, in one run:
#   the first run_monitors over the 7 days (168 windows x 5 monitors, a fresh copy of the
#   monitors each repetition) | one statement computing every summary those monitors need for
#   all 168 windows in one scan (GROUP BY hour).
# Writes benches/results/runtime_scan.md. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}
PORT=${MLOBS_BENCH_PORT:-28818}
ROWS=${MLOBS_SCAN_ROWS:-1000000}
REPS=${MLOBS_BENCH_REPS:-3}
if [ -z "${MLOBS_BENCH_NO_INSTALL:-}" ]; then
  bash scripts/install.sh
  bash scripts/install_extension.sh --release --pg-config "$PG_BIN/pg_config" >/dev/null
fi
bash scripts/pg_cluster.sh start bench "$PORT" "max_parallel_workers_per_gather = 0" "jit = off"
trap 'bash scripts/pg_cluster.sh stop bench' EXIT
P=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${P[@]}" -d postgres -c "DROP DATABASE IF EXISTS mlobs_scan" -c "CREATE DATABASE mlobs_scan"
"${P[@]}" -d mlobs_scan -v rows="$ROWS" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
SELECT setseed(0.18);
CREATE TABLE scan AS
SELECT timestamptz '2026-06-01' + (i * (7 * 86400.0 / :rows)) * interval '1 second' AS ts,
       jsonb_build_object('f1', u1, 'f2', u2 * 100, 'f3', -ln(1 - u3), 'f4', u4 * u1, 'f5', round(u5 * 10),
                          'f6', u6 - 0.5, 'f7', exp(u1 * 3), 'f8', u2 * u3, 'c1', (ARRAY['a','b','c','d'])[1 + floor(u4 * 4)::int],
                          'c2', 'country_' || floor(u5 * u5 * 30)::int) AS features,
       s AS score, (u6 < s)::int AS label, (s >= 0.5)::int AS predicted, 5 + 100 * u3 AS latency_ms
  FROM (SELECT i, random() u1, random() u2, random() u3, random() u4, random() u5, random() u6,
               1 / (1 + exp(-(3 * random() - 1.5))) AS s
          FROM generate_series(0, :rows - 1) i) x;
CREATE INDEX ON scan (ts);
VACUUM ANALYZE scan;
SQL
monitors() {  # a fresh set of the five monitors (the previous repetition's are dropped)
  "${P[@]}" -d mlobs_scan <<'SQL'
SET client_min_messages = warning;
DELETE FROM mlobs.monitors;
SELECT mlobs.create_monitor('drift', 'm', 'scan', 'feature_drift', '{}', '1 hour', '2026-06-01', '2026-06-02', start_at => '2026-06-01');
SELECT mlobs.create_monitor('quality', 'm', 'scan', 'quality', '{}', '1 hour', '2026-06-01', '2026-06-02', start_at => '2026-06-01');
SELECT mlobs.create_monitor('perf', 'm', 'scan', 'classification', '{"score": "score"}', '1 hour', '2026-06-01', '2026-06-02', start_at => '2026-06-01');
SELECT mlobs.create_monitor('pred', 'm', 'scan', 'prediction_drift', '{}', '1 hour', '2026-06-01', '2026-06-02', start_at => '2026-06-01');
SELECT mlobs.create_monitor('lat', 'm', 'scan', 'latency', '{}', '1 hour', start_at => '2026-06-01');
SQL
  # The previous repetition's points and windows were just deleted: vacuum them and checkpoint
  # now, so that neither autovacuum nor a checkpoint lands inside a timed statement (the second
  # repetition used to take twice as long as the others).
  "${P[@]}" -d mlobs_scan -c "VACUUM mlobs.metric_points, mlobs.monitor_windows, mlobs.monitors" -c "CHECKPOINT"
}
t() { local t0; t0=$(date +%s%N); "${P[@]}" -d mlobs_scan -c "$1" >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
SCAN="SELECT date_bin('1 hour', ts, '2000-01-01'), count(*), mlobs.features_agg(features)::text,
  mlobs.confusion_agg(label, predicted)::text, (mlobs.score_agg(score, label) FILTER (WHERE label IS NOT NULL))::text,
  mlobs.profile_agg(score)::text, mlobs.profile_agg(latency_ms)::text
  FROM scan WHERE ts >= '2026-06-01' AND ts < '2026-06-08' GROUP BY 1"
runs=(); scans=()
for _ in $(seq "$REPS"); do
  monitors
  runs+=("$(t "SELECT mlobs.run_monitors('2026-06-08')")")
  scans+=("$(t "$SCAN")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run=$(median "${runs[@]}"); scan=$(median "${scans[@]}")
check=$("${P[@]}" -d mlobs_scan -c "SELECT windows || ' windows, ' || points || ' points, ' || jsonb_array_length(errors) || ' errors' FROM mlobs.runs ORDER BY id DESC LIMIT 1")
mkdir -p benches/results
cat > benches/results/runtime_scan.md <<MD
# Monitoring runtime vs one scan ($(date -u +%Y-%m-%d), $ROWS rows over 7 days, 168 hourly windows, 5 monitors, release build, serial plans, median of $REPS interleaved)

| what | ms | runs |
|---|---|---|
| first \`run_monitors\` (5 monitors x 168 windows: $check) | $run | ${runs[*]} |
| one scan computing every summary (GROUP BY hour) | $scan | ${scans[*]} |
| ratio | $(awk -v a="$run" -v b="$scan" 'BEGIN {printf "%.2f", a / b}') | |
MD
cat benches/results/runtime_scan.md
