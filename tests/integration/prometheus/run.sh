#!/usr/bin/env bash
# mlobs → Prometheus and Alertmanager, with the real Debian 12 binaries on loopback:
#  0. static checks: promtool check config (production and test configs), promtool check rules,
#     amtool check-config (the shipped Alertmanager config and the test's copy), every ```yaml
#     block of docs/prometheus.md, every query of examples/prometheus/queries.yaml cached;
#  1. prometheus-postgres-exporter (0.11.1) with examples/prometheus/queries.yaml (cache_seconds
#     stripped, so a run shows at once), connected as a login role that only has mlobs_reader,
#     scraped every second by Prometheus (2.42) with examples/prometheus/prometheus-test.yml: the
#     query API must return every ml_* family equal to the latest metric point / table row, with
#     the expected number of series; ml_predictions_total typed counter, increasing between two
#     runs without resets; `promtool check metrics` passes on a live scrape of the ml_* families;
#     a second exporter with the shipped (cached) file serves the same families and keeps a value
#     for its cache_seconds; the staleness rules (examples/prometheus/rules.yml) evaluate; a
#     failing window shows in ml_monitor_failed_windows and ml_run_last_status{status="partial"};
#  2. examples/alertmanager/relay.py against two Alertmanagers (0.25, an HA pair's list) with
#     examples/alertmanager/alertmanager.yml (test timings): --once sends the firing alerts, and
#     check_alertmanager.py compares each alert field by field (labels, annotations, startsAt,
#     endsAt, generatorURL, routing, inhibition of a warning under the matching critical);
#     listening, a new firing transition arrives through LISTEN/NOTIFY, and alerts resolved by
#     disabling their rule disappear. The relay's timestamp format parses with 5-digit fractions.
# Own cluster (.run/prom, port 28820); exporters 28821 (test) and 28825 (shipped file), Prometheus
# 28822, Alertmanagers 28823 and 28824; state and logs in .run/prom-stack. MLOBS_PROM_PORT moves the
# six ports (that port and the 5 after it), MLOBS_PROM_CLUSTER the cluster's name (and the stack's). Installs the three
# Debian packages when missing (their services are not used). Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
BASE_PORT=${MLOBS_PROM_PORT:-28820}
PG_PORT=$BASE_PORT EXPORTER_PORT=$((BASE_PORT + 1)) PROM_PORT=$((BASE_PORT + 2)) AM_PORT=$((BASE_PORT + 3))
AM2_PORT=$((BASE_PORT + 4)) CACHED_PORT=$((BASE_PORT + 5))
CLUSTER=${MLOBS_PROM_CLUSTER:-prom}
DB=mlobs_prom
STACK=$ROOT/.run/$CLUSTER-stack
T0=$(date +%s)

packages=(prometheus prometheus-alertmanager prometheus-postgres-exporter)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The packages start their own services where an init system allows it: this test uses none of
  # them (own ports, own data directories), so stop them if they run.
  for s in prometheus prometheus-alertmanager prometheus-postgres-exporter; do
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
      systemctl disable --now "$s" >/dev/null 2>&1 || true
    fi
  done
fi

for port in "$PG_PORT" "$EXPORTER_PORT" "$PROM_PORT" "$AM_PORT" "$AM2_PORT" "$CACHED_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    [ "$port" = "$PG_PORT" ] && [ -f ".run/$CLUSTER/data/postmaster.pid" ] && continue  # our own leftover cluster
    echo "FAIL: port $port on 127.0.0.1 is in use" >&2; exit 1
  fi
done

pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    for f in exporter exporter-cached prometheus alertmanager alertmanager2 relay; do
      [ -f "$STACK/$f.log" ] && { echo "--- tail $f.log"; tail -15 "$STACK/$f.log"; }
    done
  fi
  bash scripts/pg_cluster.sh destroy "$CLUSTER"
}
fail() { echo "FAIL: $*" >&2; exit 1; }
bash scripts/pg_cluster.sh destroy "$CLUSTER"
rm -rf "$STACK" && mkdir -p "$STACK"

echo "== static checks: promtool check config/rules, amtool check-config, docs yaml, cache_seconds"
promtool check config examples/prometheus/prometheus.yml >/dev/null || fail "promtool check config prometheus.yml"
promtool check config examples/prometheus/prometheus-test.yml >/dev/null || fail "promtool check config prometheus-test.yml"
promtool check rules examples/prometheus/rules.yml >/dev/null || fail "promtool check rules rules.yml"
# The meta-alerts fire with what postgres_exporter 0.11.1 serves: a failing query's error flag set on
# one scrape per cache_seconds only, its families absent; per-monitor failures and stalls.
promtool test rules tests/integration/prometheus/rules_test.yml || fail "promtool test rules rules_test.yml"
amtool check-config examples/alertmanager/alertmanager.yml >/dev/null || fail "amtool check-config alertmanager.yml"
# The test's Alertmanager config: the shipped one with short timings (its only difference).
sed -e 's/^\(  group_wait:\) 30s$/\1 1s/' -e 's/^\(  group_interval:\) 5m$/\1 5s/' \
  examples/alertmanager/alertmanager.yml >"$STACK/alertmanager.yml"
[ "$(diff examples/alertmanager/alertmanager.yml "$STACK/alertmanager.yml" | grep -c '^>')" = 2 ] \
  || fail "the test timings did not replace group_wait/group_interval of alertmanager.yml"
amtool check-config "$STACK/alertmanager.yml" >/dev/null || fail "amtool check-config (test copy)"
# Every ```yaml block of docs/prometheus.md is a complete config of its kind and passes its checker.
python3 - "$STACK" <<'PY' || fail "docs/prometheus.md yaml blocks"
import re, subprocess, sys
blocks = re.findall(r"^```yaml\n(.*?)^```", open("docs/prometheus.md").read(), re.S | re.M)
assert blocks, "no yaml block"
for i, b in enumerate(blocks):
    f = f"{sys.argv[1]}/docs-{i}.yml"
    open(f, "w").write(b)
    cmd = (["amtool", "check-config", f] if re.search(r"^route:", b, re.M) else
           ["promtool", "check", "rules", f] if re.search(r"^groups:", b, re.M) else
           ["promtool", "check", "config", "--syntax-only", f] if re.search(r"^scrape_configs:", b, re.M) else None)
    if cmd is None:
        sys.exit(f"docs yaml block {i}: neither an Alertmanager config, rules nor a Prometheus config")
    r = subprocess.run(cmd, capture_output=True, text=True)
    print(f"  {'ok  ' if r.returncode == 0 else 'FAIL'} docs yaml block {i}: {' '.join(cmd[:-1])}")
    if r.returncode:
        sys.exit(r.stdout + r.stderr)
PY
# Each query of the shipped file is cached (values change once per window); the test's copy is not.
[ "$(grep -c '^[a-z_0-9]*:$' examples/prometheus/queries.yaml)" = "$(grep -c '^  cache_seconds: 60$' examples/prometheus/queries.yaml)" ] \
  || fail "every query of queries.yaml needs cache_seconds: 60"
grep -v '^  cache_seconds:' examples/prometheus/queries.yaml >"$STACK/queries-uncached.yaml"

bash scripts/pg_cluster.sh start "$CLUSTER" "$PG_PORT" "timezone = 'UTC'"
trap cleanup EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
sql() { "${PSQL[@]}" -d "$DB" -At -c "$1"; }
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"

# Three days of one prediction a minute. From 2026-01-03 the feature `amount` and the score drift;
# from 2026-01-03 12:00 the latency jumps. Model `fraud` (drift, prediction drift, quality,
# classification, CBPE, latency monitors) and model `eta` (a regression monitor on the same log).
# The drift, classification and latency monitors are segmented by the jsonb key features->merchant
# (a, b, c; max_segments 2: the two most frequent, the third in '(other)'): their whole-window
# series must stay exactly as they were, and their segments' series come with a `segment` label.
"${PSQL[@]}" -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
SELECT setseed(0.25);
CREATE TABLE predictions AS
SELECT ts, jsonb_build_object('amount', round((exp(3 + random() + CASE WHEN ts >= '2026-01-03' THEN 1 ELSE 0 END))::numeric, 2),
                              'merchant', (ARRAY['a', 'b', 'c'])[1 + floor(random() * 3)::int]) AS features,
       s AS score, (s >= 0.5)::int AS predicted, (random() < s)::int AS label,
       20 + random() * 60 + CASE WHEN ts >= '2026-01-03 12:00' THEN 250 ELSE 0 END AS latency_ms,
       10 * s AS target, 10 * s + random() - 0.5 AS prediction, random() < 0.02 AS failed
FROM (SELECT ts, CASE WHEN ts >= '2026-01-03' THEN sqrt(random()) ELSE random() END AS s
      FROM generate_series(timestamptz '2026-01-01', timestamptz '2026-01-04' - interval '1 minute', interval '1 minute') ts) x;
SELECT mlobs.create_monitor('fraud drift', 'fraud', 'predictions', 'feature_drift', '{"segment_by": ["features->merchant"], "max_segments": 2}',
                            '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud score drift', 'fraud', 'predictions', 'prediction_drift', '{}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud quality', 'fraud', 'predictions', 'quality', '{}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud accuracy', 'fraud', 'predictions', 'classification',
                            '{"score": "score", "segment_by": ["features->merchant"], "max_segments": 2}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud cbpe', 'fraud', 'predictions', 'cbpe', '{}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud latency', 'fraud', 'predictions', 'latency',
                            '{"error": "failed", "segment_by": ["features->merchant"], "max_segments": 2}', '12 hours', start_at => '2026-01-02');
SELECT mlobs.create_monitor('eta error', 'eta', 'predictions', 'regression', '{}', '12 hours', '2026-01-01', '2026-01-02');
-- Multivariate drift of amount and score (a view: the monitor reads jsonb keys), against a
-- reference after both drifted, so its windows stay undrifted (no alert); 6-hour windows, so the
-- first run computes one (the cached exporter serves the first run's families).
CREATE VIEW predictions_mv AS SELECT ts, jsonb_build_object('amount', features->'amount', 'score', score) AS features FROM predictions;
SELECT mlobs.create_monitor('fraud multivariate', 'fraud', 'predictions_mv', 'multivariate_drift',
                            '{"keys": ["amount", "score"], "method": "domain_classifier"}', '6 hours', '2026-01-03', '2026-01-03 06:00');
-- The exporter and the relay log in with read access only.
CREATE ROLE mlobs_exporter LOGIN IN ROLE mlobs_reader;
CREATE ROLE mlobs_relay LOGIN IN ROLE mlobs_reader;
SQL
READER_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB sslmode=disable"

echo "== start postgres_exporter (test and shipped queries), Prometheus, 2 Alertmanagers on 127.0.0.1"
start_exporter() {  # port, queries file, log
  DATA_SOURCE_NAME="postgresql://mlobs_exporter@127.0.0.1:$PG_PORT/$DB?sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address="127.0.0.1:$1" \
    --extend.query-path="$2" --disable-default-metrics --disable-settings-metrics \
    --no-collector.database --no-collector.bgwriter >"$STACK/$3.log" 2>&1 &
  pids+=($!)
}
start_exporter "$EXPORTER_PORT" "$STACK/queries-uncached.yaml" exporter
start_exporter "$CACHED_PORT" examples/prometheus/queries.yaml exporter-cached
# The test config, with the exporter's port of this run (and the rules beside it).
sed "s/127\.0\.0\.1:28821/127.0.0.1:$EXPORTER_PORT/" examples/prometheus/prometheus-test.yml >"$STACK/prometheus-test.yml"
cp examples/prometheus/rules.yml "$STACK/rules.yml"
grep -q "127.0.0.1:$EXPORTER_PORT" "$STACK/prometheus-test.yml" || fail "prometheus-test.yml: no target 127.0.0.1:28821"
prometheus --config.file="$STACK/prometheus-test.yml" --storage.tsdb.path="$STACK/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$STACK/prometheus.log" 2>&1 &
pids+=($!)
for port in "$AM_PORT" "$AM2_PORT"; do
  prometheus-alertmanager --config.file="$STACK/alertmanager.yml" --storage.path="$STACK/alertmanager-$port" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >"$STACK/alertmanager$([ "$port" = "$AM_PORT" ] || echo 2).log" 2>&1 &
  pids+=($!)
done

# Python helper: wait for Prometheus values (polling, 40 s at most).
check_prom() {  # stdin: lines "<promql>\t<expected value>"; args: label for the output
  local input; input=$(cat)
  python3 - "$PROM_PORT" "$1" "$input" <<'PY'
import json, math, sys, time, urllib.parse, urllib.request
port, what = sys.argv[1], sys.argv[2]
checks = [l.split("\t") for l in sys.argv[3].splitlines() if l.strip()]
def query(q):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": q})
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            res = json.load(r)["data"]["result"]
    except OSError:
        return None
    return [float(s["value"][1]) for s in res]
deadline = time.time() + 40
while True:
    got = {q: query(q) for q, _ in checks}
    bad = [(q, e, got[q]) for q, e in checks
           if not (got[q] and len(got[q]) == 1 and math.isclose(got[q][0], float(e), rel_tol=1e-9, abs_tol=1e-12))]
    if not bad or time.time() > deadline:
        break
    time.sleep(0.5)
for q, e in checks:
    print(f"  {'ok  ' if (q, e, got[q]) not in bad else 'FAIL'} {q} = {got[q][0] if got[q] and len(got[q]) == 1 else got[q]} (expected {float(e):.10g})")
if bad:
    sys.exit(f"Prometheus ({what}): {len(bad)} of {len(checks)} checks failed")
PY
}
GRAFANA=http://grafana.test:3000
RUNBOOK='https://runbooks.test/mlobs/{alertname}?model={model}&feature={feature}&metric={metric}'
RESEND=3600
RELAY=(python3 examples/alertmanager/relay.py --dsn "$READER_DSN user=mlobs_relay"
       --alertmanager "http://127.0.0.1:$AM_PORT" --alertmanager "http://127.0.0.1:$AM2_PORT"
       --grafana-url "$GRAFANA" --runbook-url "$RUNBOOK" --resend "$RESEND")
# Every firing mlobs alert, compared field by field with both Alertmanagers.
check_am() {  # $1: label (also names the saved rows, passed to later checks: values as last sent)
  local f="$STACK/alerts-$((++am_checks)).jsonl" earlier=()
  for g in "$STACK"/alerts-*.jsonl; do [ -f "$g" ] && earlier+=(--sent "$g"); done
  sql "SELECT json_build_object('id', a.id, 'state', a.state, 'rule', r.name, 'mode', r.mode, 'model', a.model,
                                'feature', a.feature, 'segment', a.segment, 'metric', a.metric, 'severity', a.severity, 'value', a.value,
                                'threshold', a.threshold, 'monitor', m.name, 'kind', m.kind, 'receiver', rt.receiver,
                                'started_epoch', extract(epoch FROM a.started_at))
       FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id JOIN mlobs.monitors m ON m.id = a.monitor_id
       JOIN mlobs.alert_routes rt ON rt.severity = a.severity
       WHERE a.state = 'firing' ORDER BY a.id" >"$f.new"
  python3 tests/integration/prometheus/check_alertmanager.py --what "$1" --grafana "$GRAFANA" --runbook "$RUNBOOK" \
      "${earlier[@]}" <"$f.new" \
      --resend "$RESEND" --alertmanager "http://127.0.0.1:$AM_PORT" --alertmanager "http://127.0.0.1:$AM2_PORT"
  mv "$f.new" "$f"
}
am_checks=0
latest() {  # model feature metric [segment] → the latest point's value (of the whole window), straight from metric_points
  sql "SELECT value FROM mlobs.metric_points WHERE model = '$1' AND feature = '$2' AND metric = '$3' AND segment = '${4:-}'
       AND value IS NOT NULL ORDER BY ts DESC LIMIT 1"
}
scrape_ml() {  # port → the ml_* families of one scrape (HELP, TYPE and samples)
  curl -sf "http://127.0.0.1:$1/metrics" | grep -E '^(# (HELP|TYPE) )?ml_'
}

echo "== relay: timestamps formatted by PostgreSQL parse on every Python 3.7+ (5-digit fraction)"
python3 - "$READER_DSN user=mlobs_relay" <<'PY' || fail "relay timestamp format"
import importlib.util, subprocess, sys
spec = importlib.util.spec_from_file_location("relay", "examples/alertmanager/relay.py")
relay = importlib.util.module_from_spec(spec); spec.loader.exec_module(relay)
sql = "SELECT " + relay.TS_SQL.format("timestamptz '2026-01-03 12:00:00.12345+01'")
out = subprocess.run(["psql", "-X", "-At", "-d", sys.argv[1], "-c", sql], capture_output=True, text=True, check=True).stdout.strip()
t = relay.parse_ts(out)
assert out == "2026-01-03T11:00:00.123450Z" and t.timestamp() == 1767438000.12345, (out, t)
assert relay.rfc3339(t) == out
print(f"  ok   {out} -> {t.isoformat()}")
PY

echo "== run_monitors up to 2026-01-03 12:00 (amount and score drift: psi alerts fire)"
sql "SELECT 'run: ' || status || ', windows ' || windows || ', points ' || points || ', transitions ' || alert_transitions
     FROM mlobs.run_monitors('2026-01-03 12:00')"
total_a=$(sql "SELECT max(rows_total) FROM mlobs.monitors WHERE model = 'fraud'")
echo "== Prometheus: ml_predictions_total after the first run"
printf 'ml_predictions_total{model="fraud"}\t%s\n' "$total_a" | check_prom "first run"
# The exporter with the shipped file caches its queries for 60 s: scrape it now, again after the
# second run (well within 60 s), and expect the first run's value both times.
cached_a=$(scrape_ml "$CACHED_PORT" | grep '^ml_predictions_total{.*model="fraud"' || true)
cached_t0=$(date +%s)
[ -n "$cached_a" ] || fail "the exporter with the shipped queries.yaml serves no ml_predictions_total"

echo "== relay --once: the firing alerts reach both Alertmanagers, field by field; warnings inhibited"
"${RELAY[@]}" --once | tee "$STACK/relay-once.log"
[ "$(sql "SELECT count(*) FROM mlobs.alerts WHERE state = 'firing' AND severity = 'critical'")" -ge 1 ] \
  || fail "expected a critical alert after the drift"
[ "$(sql "SELECT count(*) FROM mlobs.alerts a JOIN mlobs.alerts c ON (c.model, c.feature, c.segment, c.metric) = (a.model, a.feature, a.segment, a.metric)
          WHERE a.state = 'firing' AND a.severity = 'warning' AND c.state = 'firing' AND c.severity = 'critical'")" -ge 1 ] \
  || fail "expected a warning and a critical alert firing for the same model, feature, segment and metric"
check_am "after --once"
echo "== relay --once with a third, unreachable Alertmanager: the others get the alerts, exit status 1"
rc=0; "${RELAY[@]}" --alertmanager http://127.0.0.1:1 --once >"$STACK/relay-once-down.log" 2>&1 || rc=$?
cat "$STACK/relay-once-down.log"
[ "$rc" = 1 ] && grep -q 'POST http://127.0.0.1:1/api/v2/alerts failed' "$STACK/relay-once-down.log" \
  && grep -q 'sent firing id=.* to 2/3 ' "$STACK/relay-once-down.log" || fail "relay with one Alertmanager down (exit $rc)"

echo "== relay listening; run_monitors up to 2026-01-04 (latency jumps: latency_p99 fires)"
"${RELAY[@]}" --timeout 90 >"$STACK/relay.log" 2>&1 &
relay=$!
pids+=("$relay")
for _ in $(seq 1 50); do grep -q 'listening on mlobs_alerts' "$STACK/relay.log" && break; sleep 0.2; done
grep -q 'listening on mlobs_alerts' "$STACK/relay.log" || fail "relay did not start listening"
sql "SELECT 'run: ' || status || ', windows ' || windows || ', points ' || points || ', transitions ' || alert_transitions
     FROM mlobs.run_monitors('2026-01-04')"
[ "$(sql "SELECT count(*) FROM mlobs.alerts r JOIN mlobs.alert_rules u ON u.id = r.rule_id
          WHERE u.name = 'latency_p99' AND r.state = 'firing' AND r.segment = ''")" = 1 ] || fail "latency_p99 should fire"
[ "$(sql "SELECT count(*) FROM mlobs.alerts WHERE segment <> '' AND state = 'firing'")" -ge 1 ] \
  || fail "expected firing alerts of segments (relayed with a segment label)"
check_am "after the second run (via NOTIFY)"

echo "== Prometheus: every ml_* family after the second run"
n() { sql "$1"; }
{
  for f in amount merchant; do
    printf 'ml_feature_drift_psi{segment="",model="fraud",feature="%s"}\t%s\n' "$f" "$(latest fraud "$f" psi)"
  done
  printf 'ml_prediction_score_drift_psi{segment="",model="fraud"}\t%s\n' "$(latest fraud prediction psi)"
  printf 'ml_prediction_score_drift_kl{segment="",model="fraud"}\t%s\n' "$(latest fraud prediction kl_div)"
  # The deprecated aliases: feature drift and prediction drift under one name, feature="prediction".
  for f in amount merchant prediction; do
    printf 'ml_prediction_drift_psi{segment="",model="fraud",feature="%s"}\t%s\n' "$f" "$(latest fraud "$f" psi)"
  done
  printf 'ml_prediction_drift_kl{segment="",model="fraud",feature="prediction"}\t%s\n' "$(latest fraud prediction kl_div)"
  printf 'ml_drifted_features{segment="",model="fraud"}\t%s\n' "$(latest fraud '' drifted_features)"
  printf 'ml_drifted_features_ratio{segment="",model="fraud"}\t%s\n' "$(latest fraud '' drift_share)"
  printf 'ml_concept_drift_score{segment="",model="fraud",feature="score"}\t%s\n' "$(latest fraud score concept_drift_score)"
  for f in $(n "SELECT DISTINCT feature FROM mlobs.metric_points WHERE metric = 'missing_share' ORDER BY 1"); do
    printf 'ml_feature_missing_ratio{segment="",model="fraud",feature="%s"}\t%s\n' "$f" "$(latest fraud "$f" missing_share)"
  done
  for f in $(n "SELECT DISTINCT feature FROM mlobs.metric_points WHERE metric = 'outlier_share' ORDER BY 1"); do
    printf 'ml_feature_outlier_ratio{segment="",model="fraud",feature="%s"}\t%s\n' "$f" "$(latest fraud "$f" outlier_share)"
    printf 'ml_feature_out_of_range_ratio{segment="",model="fraud",feature="%s"}\t%s\n' "$f" "$(latest fraud "$f" out_of_range_share)"
  done
  printf 'ml_model_accuracy{segment="",model="fraud"}\t%s\n' "$(latest fraud '' accuracy)"
  printf 'ml_model_f1_score{segment="",model="fraud"}\t%s\n' "$(latest fraud '' f1)"
  printf 'ml_model_auc_roc{segment="",model="fraud"}\t%s\n' "$(latest fraud '' roc_auc)"
  printf 'ml_model_label_coverage_ratio{segment="",model="fraud"}\t%s\n' "$(latest fraud '' labelled_share)"
  printf 'ml_model_label_rows{segment="",model="fraud"}\t%s\n' "$(latest fraud '' labelled_rows)"
  printf 'ml_model_estimated_accuracy{segment="",model="fraud"}\t%s\n' "$(latest fraud '' cbpe_accuracy)"
  printf 'ml_model_estimated_f1_score{segment="",model="fraud"}\t%s\n' "$(latest fraud '' cbpe_f1)"
  printf 'ml_model_rmse{segment="",model="eta"}\t%s\n' "$(latest eta '' rmse)"
  printf 'ml_prediction_latency_p99_seconds{segment="",model="fraud"}\t%s\n' "$(latest fraud '' latency_p99_seconds)"
  printf 'ml_prediction_latency_p50_seconds{segment="",model="fraud"}\t%s\n' "$(latest fraud '' latency_p50_seconds)"
  printf 'ml_prediction_error_ratio{segment="",model="fraud"}\t%s\n' "$(latest fraud '' error_rate)"
  printf 'ml_multivariate_drift{segment="",model="fraud"}\t%s\n' "$(latest fraud '' multivariate_drift)"
  printf 'ml_multivariate_domain_classifier_auc{segment="",model="fraud"}\t%s\n' "$(latest fraud '' domain_classifier_auc)"
  for m in fraud eta; do
    printf 'ml_predictions_total{model="%s"}\t%s\n' "$m" "$(n "SELECT max(rows_total) FROM mlobs.monitors WHERE model = '$m'")"
  done
  # Pipeline health: per monitor, open alerts per model and severity, the last run.
  while IFS='|' read -r mon end size; do
    printf 'ml_monitor_last_window_end_timestamp_seconds{monitor="%s"}\t%s\n' "$mon" "$end"
    printf 'ml_monitor_window_size_seconds{monitor="%s"}\t%s\n' "$mon" "$size"
  done < <(n "SELECT name, extract(epoch FROM watermark), extract(epoch FROM window_size) FROM mlobs.monitors ORDER BY id")
  printf 'sum(ml_monitor_failed_windows)\t%s\n' "$(n "SELECT count(*) FROM mlobs.window_failures")"
  for s in info warning critical; do
    for st in firing pending; do
      printf 'ml_alerts_%s{segment="",model="fraud",severity="%s"}\t%s\n' "$st" "$s" \
        "$(n "SELECT count(*) FROM mlobs.alerts WHERE model = 'fraud' AND segment = '' AND severity = '$s' AND state = '$st'")"
    done
  done
  printf 'ml_run_last_duration_seconds\t%s\n' "$(n "SELECT duration_ms / 1000 FROM mlobs.runs ORDER BY id DESC LIMIT 1")"
  printf 'ml_run_last_end_timestamp_seconds\t%s\n' "$(n "SELECT extract(epoch FROM finished_at) FROM mlobs.runs ORDER BY id DESC LIMIT 1")"
  printf 'ml_run_last_errors\t0\n'
  printf 'ml_run_last_status{status="ok"}\t1\n'
  printf 'ml_run_last_status{status="partial"}\t0\n'
  # Cardinality: one series per model and feature the monitors are configured with, per monitor,
  # per model and severity; nothing else (no NaN or duplicate series).
  printf 'count(ml_feature_drift_psi{segment=""})\t2\n'
  printf 'count(ml_prediction_drift_psi{segment=""})\t3\n'
  printf 'count(ml_prediction_score_drift_psi{segment=""})\t1\n'
  printf 'count(ml_feature_missing_ratio)\t%s\n' "$(n "SELECT count(DISTINCT (model, feature)) FROM mlobs.metric_points WHERE metric = 'missing_share'")"
  printf 'count(ml_model_accuracy{segment=""})\t1\n'
  printf 'count(ml_prediction_latency_p99_seconds{segment=""})\t1\n'
  printf 'count(ml_predictions_total)\t2\n'
  printf 'count(ml_monitor_last_window_end_timestamp_seconds)\t%s\n' "$(n "SELECT count(*) FROM mlobs.monitors")"
  printf 'count(ml_alerts_firing{segment=""})\t6\n'
  printf 'count(ml_run_last_status)\t2\n'
  # The counter never reset between the two runs and grew by the second run's rows.
  printf 'resets(ml_predictions_total{model="fraud"}[5m])\t0\n'
  printf 'max_over_time(ml_predictions_total{model="fraud"}[5m]) - min_over_time(ml_predictions_total{model="fraud"}[5m])\t%s\n' \
    "$(( $(n "SELECT max(rows_total) FROM mlobs.monitors WHERE model = 'fraud'") - total_a ))"
  # Every custom query ran without error as the mlobs_reader login.
  printf 'pg_exporter_last_scrape_error\t0\n'
} | check_prom "second run"
echo "== Prometheus: the segmented monitors' series, labelled with their segment"
segments() { n "SELECT segment FROM mlobs.monitor_segments g JOIN mlobs.monitors m ON m.id = g.monitor_id WHERE m.name = '$1' ORDER BY rank"; }
[ "$(segments 'fraud drift' | tr '\n' ' ')" = "$(n "SELECT string_agg(v, ' ') || ' (other) ' FROM (SELECT features->>'merchant' v, count(*) FROM predictions
    WHERE ts < '2026-01-02' GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2) s")" ] \
  || fail "fraud drift: expected the two most frequent merchants of the reference and (other), got $(segments 'fraud drift' | tr '\n' ' ')"
pairs=$(n "SELECT count(*) FROM (SELECT model, '' FROM mlobs.monitors UNION
                                  SELECT m.model, g.segment FROM mlobs.monitors m JOIN mlobs.monitor_segments g ON g.monitor_id = m.id) x")
{
  for s in $(segments 'fraud drift'); do
    for f in amount merchant; do
      printf 'ml_feature_drift_psi{model="fraud",feature="%s",segment="%s"}\t%s\n' "$f" "$s" "$(latest fraud "$f" psi "$s")"
      printf 'ml_prediction_drift_psi{model="fraud",feature="%s",segment="%s"}\t%s\n' "$f" "$s" "$(latest fraud "$f" psi "$s")"
    done
    printf 'ml_drifted_features_ratio{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' drift_share "$s")"
  done
  for s in $(segments 'fraud accuracy'); do
    printf 'ml_model_accuracy{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' accuracy "$s")"
    printf 'ml_model_auc_roc{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' roc_auc "$s")"
    printf 'ml_model_label_coverage_ratio{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' labelled_share "$s")"
    printf 'ml_model_label_rows{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' labelled_rows "$s")"
  done
  for s in $(segments 'fraud latency'); do
    printf 'ml_prediction_latency_p50_seconds{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' latency_p50_seconds "$s")"
    printf 'ml_prediction_latency_p99_seconds{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' latency_p99_seconds "$s")"
    printf 'ml_prediction_error_ratio{model="fraud",segment="%s"}\t%s\n' "$s" "$(latest fraud '' error_rate "$s")"
  done
  for s in $(n "SELECT DISTINCT segment FROM mlobs.monitor_segments ORDER BY 1"); do
    for sev in warning critical; do
      printf 'ml_alerts_firing{model="fraud",segment="%s",severity="%s"}\t%s\n' "$s" "$sev" \
        "$(n "SELECT count(*) FROM mlobs.alerts WHERE model = 'fraud' AND segment = '$s' AND severity = '$sev' AND state = 'firing'")"
    done
  done
  # Series: the whole window plus one per segment of the monitor, nothing else.
  printf 'count(ml_feature_drift_psi)\t%s\n' "$(( 2 * (1 + $(segments 'fraud drift' | wc -l)) ))"
  printf 'count(ml_model_accuracy)\t%s\n' "$(( 1 + $(segments 'fraud accuracy' | wc -l) ))"
  printf 'count(ml_prediction_latency_p99_seconds)\t%s\n' "$(( 1 + $(segments 'fraud latency' | wc -l) ))"
  printf 'count(ml_prediction_score_drift_psi)\t1\n'
  printf 'count(ml_alerts_firing)\t%s\n' "$(( 3 * pairs ))"
  printf 'count(ml_feature_drift_psi{segment!=""} > 0.3)\t%s\n' \
    "$(n "SELECT count(*) FROM mlobs.latest_points('psi', 'feature_drift') WHERE segment <> '' AND value > 0.3")"
} | check_prom "segments"
# The exporter sends segment="" for the whole window; Prometheus keeps no empty label, so a whole-window
# series has exactly the labels it had before segments, and a segment's series those plus segment.
scrape_ml "$EXPORTER_PORT" >"$STACK/scrape-segments.txt"
grep -q '^ml_feature_drift_psi{.*segment="".*} ' "$STACK/scrape-segments.txt" \
  || fail "the exporter does not send segment=\"\" on whole-window series"
echo "  exporter sends: $(grep -m1 '^ml_feature_drift_psi{.*segment=""' "$STACK/scrape-segments.txt")"
python3 - "$PROM_PORT" <<'PY' || fail "label sets of the ml_* series"
import json, sys, urllib.parse, urllib.request
BASE = {"__name__", "server", "job", "instance"}
M, MF, MS = {"model"}, {"model", "feature"}, {"model", "severity"}
POINTS = {  # families read from metric points or alerts: their labels before segments
    "ml_feature_drift_psi": MF, "ml_prediction_score_drift_psi": M, "ml_prediction_score_drift_kl": M,
    "ml_prediction_drift_psi": MF, "ml_prediction_drift_kl": MF, "ml_drifted_features": M,
    "ml_drifted_features_ratio": M, "ml_concept_drift_score": MF, "ml_feature_missing_ratio": MF,
    "ml_feature_outlier_ratio": MF, "ml_feature_out_of_range_ratio": MF, "ml_model_accuracy": M,
    "ml_model_f1_score": M, "ml_model_auc_roc": M, "ml_model_label_coverage_ratio": M, "ml_model_label_rows": M,
    "ml_model_rmse": M, "ml_model_estimated_accuracy": M, "ml_model_estimated_f1_score": M,
    "ml_prediction_latency_p50_seconds": M, "ml_prediction_latency_p99_seconds": M, "ml_prediction_error_ratio": M,
    "ml_alerts_firing": MS, "ml_alerts_pending": MS}
SEGMENTED = {"ml_feature_drift_psi", "ml_prediction_drift_psi", "ml_drifted_features", "ml_drifted_features_ratio",
             "ml_model_accuracy", "ml_model_f1_score", "ml_model_auc_roc", "ml_model_label_coverage_ratio",
             "ml_model_label_rows", "ml_prediction_latency_p50_seconds", "ml_prediction_latency_p99_seconds",
             "ml_prediction_error_ratio", "ml_alerts_firing", "ml_alerts_pending"}
UNSEGMENTED = {"ml_prediction_score_drift_psi", "ml_prediction_score_drift_kl", "ml_prediction_drift_kl",
               "ml_feature_missing_ratio", "ml_feature_outlier_ratio", "ml_feature_out_of_range_ratio", "ml_model_rmse",
               "ml_model_estimated_accuracy", "ml_model_estimated_f1_score"}  # their monitors have no segment_by
q = urllib.parse.urlencode({"query": '{__name__=~"ml_.+"}'})
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/query?{q}", timeout=5) as r:
    series = [x["metric"] for x in json.load(r)["data"]["result"]]
whole, seg, bad = {}, {}, []
for s in series:
    fam, keys = s["__name__"], set(s) - BASE
    want = POINTS.get(fam)
    if want is None:
        if "segment" in s:
            bad.append(f"{fam} has a segment label: {s}")
    elif keys == want:
        whole[fam] = whole.get(fam, 0) + 1
    elif keys == want | {"segment"} and s["segment"]:
        seg[fam] = seg.get(fam, 0) + 1
    else:
        bad.append(f"{fam}: labels {sorted(keys)}, expected {sorted(want)} (+ segment)")
for fam in POINTS:
    if not whole.get(fam):
        bad.append(f"{fam}: no whole-window series (labels {sorted(POINTS[fam])})")
    if fam in SEGMENTED and not seg.get(fam):
        bad.append(f"{fam}: no segment series")
    elif fam in UNSEGMENTED and seg.get(fam):
        bad.append(f"{fam}: segment series, but its monitors have no segment_by")
for b in bad:
    print(f"  FAIL {b}")
print(f"  {'ok  ' if not bad else 'FAIL'} {len(POINTS)} families: {sum(whole.values())} whole-window series with their "
      f"earlier labels, {sum(seg.values())} segment series with a segment label")
sys.exit(1 if bad else 0)
PY

types=$(python3 - "$PROM_PORT" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/metadata", timeout=5) as r:
    d = json.load(r)["data"]
print(" ".join(m + "=" + d[m][0]["type"] for m in sorted(d) if m.startswith("ml_")))
PY
)
echo "  metadata: $types"
grep -q 'ml_predictions_total=counter' <<<"$types" || fail "ml_predictions_total is not typed counter"
grep -q 'ml_model_accuracy=gauge' <<<"$types" || fail "ml_model_accuracy is not typed gauge"

echo "== promtool check metrics on live scrapes of the ml_* families (test and shipped queries)"
for port in "$EXPORTER_PORT" "$CACHED_PORT"; do
  scrape_ml "$port" >"$STACK/scrape-$port.txt"
  promtool check metrics <"$STACK/scrape-$port.txt" || fail "promtool check metrics on 127.0.0.1:$port/metrics"
  echo "  ok   127.0.0.1:$port: $(grep -c '^# TYPE' "$STACK/scrape-$port.txt") families, $(grep -vc '^#' "$STACK/scrape-$port.txt") series"
done
[ "$(grep '^# TYPE' "$STACK/scrape-$EXPORTER_PORT.txt")" = "$(grep '^# TYPE' "$STACK/scrape-$CACHED_PORT.txt")" ] \
  || fail "the shipped queries.yaml and the test copy serve different families"
cached_b=$(grep '^ml_predictions_total{.*model="fraud"' "$STACK/scrape-$CACHED_PORT.txt" || true)
if [ $(( $(date +%s) - cached_t0 )) -lt 55 ]; then
  [ "$cached_b" = "$cached_a" ] || fail "cache_seconds: the shipped exporter re-ran its query ($cached_a -> $cached_b)"
  echo "  ok   shipped queries.yaml cached: $cached_b (first run's value)"
fi

echo "== Prometheus rules (examples/prometheus/rules.yml): loaded, evaluating; the old log's monitors are stalled"
python3 - "$PROM_PORT" "$(n "SELECT count(*) FROM mlobs.monitors")" <<'PY' || fail "Prometheus rules"
import json, sys, time, urllib.request
port, monitors = sys.argv[1], int(sys.argv[2])
deadline = time.time() + 20
while True:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/rules", timeout=5) as r:
        rules = {x["name"]: x for g in json.load(r)["data"]["groups"] for x in g["rules"]}
    stalled = rules.get("MlobsMonitorStalled", {}).get("alerts", [])
    ok = (len(rules) == 7 and all(x.get("health") == "ok" for x in rules.values()) and len(stalled) == monitors
          and not rules["MlobsRunsStopped"]["alerts"] and not rules["MlobsRunPartial"]["alerts"]
          and not rules["MlobsExporterFailing"]["alerts"] and not rules["MlobsMonitorFailing"]["alerts"]
          and not rules["MlobsMetricsMissing"]["alerts"])
    if ok or time.time() > deadline:
        break
    time.sleep(0.5)
for name, x in sorted(rules.items()):
    print(f"  {name}: health {x.get('health')}, {len(x.get('alerts', []))} alerts {x.get('lastError', '')}")
sys.exit(0 if ok else "rules: expected 7 healthy rules, MlobsMonitorStalled for every monitor (the log is from 2026-01), nothing else")
PY

echo "== disable rule psi_warning: its alerts resolve and leave Alertmanager, psi_critical stays"
sql "UPDATE mlobs.alert_rules SET enabled = false WHERE name = 'psi_warning'"
sql "SELECT 'evaluate_alerts: ' || mlobs.evaluate_alerts() || ' transitions'"
[ "$(sql "SELECT count(*) FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id
          WHERE r.name = 'psi_warning' AND a.state <> 'resolved'")" = 0 ] || fail "psi_warning alerts should be resolved"
check_am "after resolving psi_warning"
kill "$relay" 2>/dev/null || true
wait "$relay" 2>/dev/null || true
echo "-- relay log"
cat "$STACK/relay.log"
grep -q "sent resolved .*alertname=psi_warning" "$STACK/relay.log" || fail "relay did not send the resolved alerts"

echo "== a window that fails (division by zero in a view): failed windows, run status partial"
"${PSQL[@]}" -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE VIEW broken_log AS
SELECT ts, latency_ms / CASE WHEN ts = '2026-01-02 06:00' THEN 0 ELSE 1 END AS latency_ms FROM predictions;
SELECT mlobs.create_monitor('broken latency', 'broken', 'broken_log', 'latency', '{}', '12 hours', start_at => '2026-01-02');
SQL
sql "SELECT 'run: ' || status || ', windows ' || windows || ', errors ' || jsonb_array_length(errors)
     FROM mlobs.run_monitors('2026-01-04', monitor => 'broken latency')"
{
  printf 'ml_monitor_failed_windows{monitor="broken latency"}\t%s\n' \
    "$(sql "SELECT count(*) FROM mlobs.window_failures f JOIN mlobs.monitors m ON m.id = f.monitor_id WHERE m.name = 'broken latency'")"
  printf 'ml_run_last_status{status="partial"}\t1\n'
  printf 'ml_run_last_status{status="ok"}\t0\n'
  printf 'ml_run_last_errors\t%s\n' "$(sql "SELECT jsonb_array_length(errors) FROM mlobs.runs ORDER BY id DESC LIMIT 1")"
  printf 'count(ml_run_last_status{status="partial"} == 1)\t1\n'
  printf 'count(ml_alerts_firing{segment=""})\t9\n'
} | check_prom "failed window"
[ "$(sql "SELECT count(*) FROM mlobs.window_failures")" -ge 1 ] || fail "expected a window failure"
echo "== one pg_cron job per owner: team a's monitor fails on every run (lost grant), team b's runs are ok"
# The last run is b's (ok), so ml_run_last_status says ok; team a's monitor never computed a window
# (no watermark) and must still have its ml_monitor_* series and its last error per monitor.
"${PSQL[@]}" -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE ROLE prom_team_a LOGIN IN ROLE mlobs_admin;
CREATE TABLE log_a AS SELECT timestamptz '2026-01-01' + i * interval '10 minutes' AS ts, jsonb_build_object('x', i % 7) AS features
  FROM generate_series(0, 400) i;
GRANT SELECT ON log_a TO prom_team_a;
SET ROLE prom_team_a;
SELECT mlobs.create_monitor('team_a drift', 'team_a', 'log_a', 'feature_drift', '{}', '1 hour', '2026-01-01', '2026-01-02');
RESET ROLE;
REVOKE SELECT ON log_a FROM prom_team_a;
SQL
for tick in '2026-01-04 00:05' '2026-01-04 00:10'; do
  "${PSQL[@]}" -d "$DB" -At -c "SET ROLE prom_team_a" \
    -c "SELECT 'team a run: ' || status FROM mlobs.run_monitors('$tick', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE owner = 'prom_team_a'::regrole))"
  sql "SELECT 'team b run: ' || status FROM mlobs.run_monitors('$tick', monitor_ids => ARRAY(SELECT id FROM mlobs.monitors WHERE name = 'fraud quality'))"
done
[ "$(sql "SELECT status FROM mlobs.runs ORDER BY id DESC LIMIT 1")" = ok ] || fail "the last run should be team b's, ok"
[ "$(sql "SELECT watermark IS NULL FROM mlobs.monitors WHERE name = 'team_a drift'")" = t ] || fail "team_a drift should have no watermark"
{
  printf 'ml_monitor_computed{monitor="team_a drift"}\t0\n'
  printf 'ml_monitor_computed{monitor="fraud quality"}\t1\n'
  printf 'ml_monitor_last_window_end_timestamp_seconds{monitor="team_a drift"}\t%s\n' \
    "$(sql "SELECT extract(epoch FROM coalesce(start_at, reference_to, created_at)) FROM mlobs.monitors WHERE name = 'team_a drift'")"
  printf 'ml_monitor_window_size_seconds{monitor="team_a drift"}\t3600\n'
  printf 'ml_monitor_last_error_timestamp_seconds{monitor="team_a drift"}\t%s\n' \
    "$(sql "SELECT extract(epoch FROM max(started_at)) FROM mlobs.run_errors WHERE monitor = 'team_a drift'")"
  printf 'ml_monitor_last_error_timestamp_seconds{monitor="fraud quality"}\t0\n'
  printf 'count(ml_monitor_last_error_timestamp_seconds)\t%s\n' "$(sql "SELECT count(*) FROM mlobs.monitors WHERE enabled")"
  printf 'count(ml_monitor_last_window_end_timestamp_seconds)\t%s\n' "$(sql "SELECT count(*) FROM mlobs.monitors WHERE enabled")"
  printf 'ml_monitors_enabled\t%s\n' "$(sql "SELECT count(*) FROM mlobs.monitors WHERE enabled")"
  # What MlobsMonitorStalled and MlobsMonitorFailing evaluate for it (their `for` aside).
  printf 'count(time() - ml_monitor_last_window_end_timestamp_seconds{monitor="team_a drift"} > 2 * ml_monitor_window_size_seconds + 900)\t1\n'
  printf 'count(time() - ml_monitor_last_error_timestamp_seconds{monitor="team_a drift"} < 900)\t1\n'
  printf 'ml_run_last_status{status="ok"}\t1\n'
} | check_prom "per-owner jobs"
python3 - "$PROM_PORT" <<'PY' || fail "Prometheus rules on team a's monitor"
import json, sys, time, urllib.request
deadline = time.time() + 20
while True:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/rules", timeout=5) as r:
        rules = {x["name"]: x for g in json.load(r)["data"]["groups"] for x in g["rules"]}
    got = {n: sorted(a["labels"].get("monitor", "") for a in rules[n].get("alerts", []))
           for n in ("MlobsMonitorStalled", "MlobsMonitorFailing")}
    # Failing: the monitors whose runs recorded errors (team a's, and the broken view's above).
    ok = "team_a drift" in got["MlobsMonitorStalled"] and got["MlobsMonitorFailing"] == ["broken latency", "team_a drift"]
    if ok or time.time() > deadline:
        break
    time.sleep(0.5)
print(f"  {'ok  ' if ok else 'FAIL'} pending/firing for team_a drift: {got}")
sys.exit(0 if ok else "expected MlobsMonitorStalled and MlobsMonitorFailing (pending) for team_a drift")
PY

echo "== late labels: the accuracy's window, not the newest one, gives ml_model_label_*"
# Model late: labels known for 2026-01-02, not yet for 2026-01-03 (they land later by UPDATE).
"${PSQL[@]}" -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE late_preds AS
SELECT ts, (i % 10) / 10.0 AS score, (i % 10 >= 5)::int AS predicted,
       CASE WHEN ts < '2026-01-03' THEN CASE WHEN i % 4 = 0 THEN 1 - (i % 10 >= 5)::int ELSE (i % 10 >= 5)::int END END AS label
FROM generate_series(0, 3 * 144 - 1) i, LATERAL (SELECT timestamptz '2026-01-01' + i * interval '10 minutes' AS ts) t;
SELECT mlobs.create_monitor('late accuracy', 'late', 'late_preds', 'classification', '{}', '1 day', '2026-01-01', '2026-01-02');
SQL
sql "SELECT 'run: ' || status FROM mlobs.run_monitors('2026-01-04', monitor => 'late accuracy')"
acc_window() {  # metric → its value in the window of the latest accuracy of model late
  sql "SELECT p.value FROM mlobs.metric_points p WHERE p.model = 'late' AND p.segment = '' AND p.feature = '' AND p.metric = '$1'
         AND p.window_start = (SELECT window_start FROM mlobs.metric_points WHERE model = 'late' AND metric = 'accuracy'
                                  AND segment = '' AND value IS NOT NULL ORDER BY ts DESC LIMIT 1)"
}
[ "$(latest late '' labelled_rows)" = 0 ] || fail "the newest window of model late should have no label yet"
{
  printf 'ml_model_accuracy{model="late"}\t%s\n' "$(latest late '' accuracy)"
  printf 'ml_model_label_rows{model="late"}\t%s\n' "$(acc_window labelled_rows)"
  printf 'ml_model_label_coverage_ratio{model="late"}\t%s\n' "$(acc_window labelled_share)"
} | check_prom "late labels"

echo "== relay: an alert whose value is Infinity (a window of timeouts) is sent with the others"
"${PSQL[@]}" -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE timeouts AS
SELECT ts, CASE WHEN ts >= '2026-01-02' THEN 'Infinity'::float8 ELSE 20 + i % 30 END AS latency_ms
FROM generate_series(0, 287) i, LATERAL (SELECT timestamptz '2026-01-01' + i * interval '10 minutes' AS ts) t;
SELECT mlobs.create_monitor('svc latency', 'svc', 'timeouts', 'latency', '{}', '12 hours', start_at => '2026-01-01');
SQL
sql "SELECT 'run: ' || status FROM mlobs.run_monitors('2026-01-03', monitor => 'svc latency')"
[ "$(sql "SELECT count(*) FROM mlobs.alerts WHERE model = 'svc' AND state = 'firing' AND value = 'Infinity'")" -ge 1 ] \
  || fail "expected a firing alert of model svc with value Infinity"
rc=0; "${RELAY[@]}" --once >"$STACK/relay-inf.log" 2>&1 || rc=$?
cat "$STACK/relay-inf.log"
[ "$rc" = 0 ] || fail "relay --once with an Infinity alert exited $rc"
grep -q 'sent firing .*model=svc' "$STACK/relay-inf.log" || fail "the relay did not send the Infinity alert"
# --once re-sent every firing alert with its current value: no earlier send is the last one any more.
rm -f "$STACK"/alerts-*.jsonl
check_am "with an Infinity value"
echo "prometheus/alertmanager integration: ok ($(( $(date +%s) - T0 )) s)"
