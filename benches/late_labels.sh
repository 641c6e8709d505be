#!/usr/bin/env bash
# What keeping windows open for late labels costs (issue 14): MLOBS_LATE_ROWS (10M) predictions
# over 7 days, hourly windows, labels NULL at insert, one classification monitor with a score and
# a 7-day label horizon, release build, serial plans. Measures, in one run:
#   first run (168 windows) | a run with nothing changed (change triggers: no window touched) |
#   a run after one hour of labels landed by UPDATE (one window revised) | the same two runs
#   without change tracking (every open window recomputed) | the one-scan GROUP BY baseline.
# Writes benches/results/late_labels.md. Never part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}   # a private copy keeps tests off the benchmark's mlobs.so
PORT=${MLOBS_BENCH_PORT:-28818}
ROWS=${MLOBS_LATE_ROWS:-10000000}
if [ -z "${MLOBS_BENCH_NO_INSTALL:-}" ]; then
  bash scripts/install.sh
  bash scripts/install_extension.sh --release --pg-config "$PG_BIN/pg_config" >/dev/null
fi
bash scripts/pg_cluster.sh start bench "$PORT" "max_parallel_workers_per_gather = 0" "jit = off"
trap 'bash scripts/pg_cluster.sh stop bench' EXIT
P=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${P[@]}" -d postgres -c "DROP DATABASE IF EXISTS mlobs_late" -c "CREATE DATABASE mlobs_late"
"${P[@]}" -d mlobs_late -v rows="$ROWS" <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
CREATE TABLE late AS
SELECT t AS ts, (random() < 0.3)::int AS true_label, NULL::int AS label, s AS score, (s >= 0.5)::int AS predicted
  FROM (SELECT timestamptz '2026-06-01' + (i * (7 * 86400.0 / :rows)) * interval '1 second' AS t, random() AS s
          FROM generate_series(0, :rows - 1) i) x;
CREATE INDEX ON late (ts);
UPDATE late SET label = true_label WHERE ts < '2026-06-02';     -- the reference day is labelled
VACUUM ANALYZE late;
SELECT mlobs.create_monitor('late', 'bench', 'late', 'classification', '{"score": "score"}', '1 hour',
                            '2026-06-01', '2026-06-02', start_at => '2026-06-01');
SQL
t() { local t0; t0=$(date +%s%N); "${P[@]}" -d mlobs_late -c "$1" >/dev/null; echo $(( ($(date +%s%N) - t0) / 1000000 )); }
first=$(t "SELECT mlobs.run_monitors('2026-06-08')")
idle=$(t "SELECT mlobs.run_monitors('2026-06-08 00:05')")
"${P[@]}" -d mlobs_late -c "UPDATE late SET label = true_label WHERE ts >= '2026-06-05' AND ts < '2026-06-05 01:00'"
one=$(t "SELECT mlobs.run_monitors('2026-06-08 00:10')")
revised=$("${P[@]}" -d mlobs_late -c "SELECT revised FROM mlobs.runs ORDER BY id DESC LIMIT 1")
"${P[@]}" -d mlobs_late -c "DROP TRIGGER mlobs_changes_insert_$(echo -n ts | md5sum | cut -c1-8) ON late"
untracked=$(t "SELECT mlobs.run_monitors('2026-06-08 00:15')")
revised_untracked=$("${P[@]}" -d mlobs_late -c "SELECT revised FROM mlobs.runs ORDER BY id DESC LIMIT 1")
scan=$(t "SELECT date_bin('1 hour', ts, '2000-01-01'), count(*), mlobs.confusion_agg(label, predicted), mlobs.score_agg(score, label) FILTER (WHERE label IS NOT NULL) FROM late WHERE ts >= '2026-06-01' GROUP BY 1")
mkdir -p benches/results
cat > benches/results/late_labels.md <<MD
# Late labels: the cost of keeping windows open ($(date -u +%Y-%m-%d), $ROWS rows, 168 hourly windows, label_horizon 7 days)

| run | ms | windows recomputed |
|---|---|---|
| first run (every window) | $first | 168 new |
| nothing changed, changes tracked | $idle | 0 |
| one hour of labels landed, changes tracked | $one | $revised |
| nothing changed, not tracked (every open window recomputed) | $untracked | $revised_untracked |
| one-scan GROUP BY of the same summaries (baseline) | $scan | — |
MD
cat benches/results/late_labels.md
