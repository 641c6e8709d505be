#!/usr/bin/env bash
# mlobs → Prometheus and Alertmanager, with the real Debian 12 binaries on loopback:
#  1. prometheus-postgres-exporter (0.11.1) with examples/prometheus/queries.yaml, connected as a
#     login role that only has mlobs_reader, scraped every second by Prometheus (2.42) with
#     examples/prometheus/prometheus.yml: the query API must return the latest metric points
#     (psi per feature and of the prediction, kl, drifted features, accuracy, f1, AUC, RMSE,
#     latency p50/p99) and ml_predictions_total = max(monitors.rows_total), typed counter,
#     increasing between two runs without resets;
#  2. examples/alertmanager/relay.py against Alertmanager (0.25) with
#     examples/alertmanager/alertmanager.yml: --once sends the firing alerts (labels alertname,
#     model, feature, severity, receiver; Alertmanager's own severity routes must pick the same
#     receiver as mlobs.alert_routes); listening, a new firing transition arrives through
#     LISTEN/NOTIFY, and alerts resolved by disabling their rule disappear.
# Own cluster (.run/prom, port 28820); exporter 28821, Prometheus 28822, Alertmanager 28823; state
# and logs of those in .run/prom-stack. Installs the three Debian packages when missing (their
# services are not used). Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$PWD
PG_PORT=28820 EXPORTER_PORT=28821 PROM_PORT=28822 AM_PORT=28823
DB=mlobs_prom
STACK=$ROOT/.run/prom-stack
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

for port in "$PG_PORT" "$EXPORTER_PORT" "$PROM_PORT" "$AM_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    [ "$port" = "$PG_PORT" ] && [ -f .run/prom/data/postmaster.pid ] && continue  # our own leftover cluster
    echo "FAIL: port $port on 127.0.0.1 is in use" >&2; exit 1
  fi
done

pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    for f in exporter prometheus alertmanager relay; do
      [ -f "$STACK/$f.log" ] && { echo "--- tail $f.log"; tail -15 "$STACK/$f.log"; }
    done
  fi
  bash scripts/pg_cluster.sh destroy prom
}
bash scripts/pg_cluster.sh destroy prom
rm -rf "$STACK" && mkdir -p "$STACK"
bash scripts/pg_cluster.sh start prom "$PG_PORT" "timezone = 'UTC'"
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
sql() { "${PSQL[@]}" -d "$DB" -At -c "$1"; }
"${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"

# Three days of one prediction a minute. From 2026-01-03 the feature `amount` and the score drift;
# from 2026-01-03 12:00 the latency jumps. Model `fraud` (drift, prediction drift, classification,
# latency monitors) and model `eta` (a regression monitor on the same log).
"${PSQL[@]}" -d "$DB" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION mlobs;
SELECT setseed(0.25);
CREATE TABLE predictions AS
SELECT ts, jsonb_build_object('amount', round((exp(3 + random() + CASE WHEN ts >= '2026-01-03' THEN 1 ELSE 0 END))::numeric, 2),
                              'merchant', (ARRAY['a', 'b', 'c'])[1 + floor(random() * 3)::int]) AS features,
       s AS score, (s >= 0.5)::int AS predicted, (random() < s)::int AS label,
       20 + random() * 60 + CASE WHEN ts >= '2026-01-03 12:00' THEN 250 ELSE 0 END AS latency_ms,
       10 * s AS target, 10 * s + random() - 0.5 AS prediction
FROM (SELECT ts, CASE WHEN ts >= '2026-01-03' THEN sqrt(random()) ELSE random() END AS s
      FROM generate_series(timestamptz '2026-01-01', timestamptz '2026-01-04' - interval '1 minute', interval '1 minute') ts) x;
SELECT mlobs.create_monitor('fraud drift', 'fraud', 'predictions', 'feature_drift', '{}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud score drift', 'fraud', 'predictions', 'prediction_drift', '{}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud accuracy', 'fraud', 'predictions', 'classification', '{"score": "score"}', '12 hours', '2026-01-01', '2026-01-02');
SELECT mlobs.create_monitor('fraud latency', 'fraud', 'predictions', 'latency', '{}', '12 hours', start_at => '2026-01-02');
SELECT mlobs.create_monitor('eta error', 'eta', 'predictions', 'regression', '{}', '12 hours', '2026-01-01', '2026-01-02');
-- The exporter and the relay log in with read access only.
CREATE ROLE mlobs_exporter LOGIN IN ROLE mlobs_reader;
CREATE ROLE mlobs_relay LOGIN IN ROLE mlobs_reader;
SQL
READER_DSN="host=127.0.0.1 port=$PG_PORT dbname=$DB sslmode=disable"

echo "== start postgres_exporter, Prometheus, Alertmanager on 127.0.0.1:$EXPORTER_PORT/$PROM_PORT/$AM_PORT"
DATA_SOURCE_NAME="postgresql://mlobs_exporter@127.0.0.1:$PG_PORT/$DB?sslmode=disable" \
  prometheus-postgres-exporter --web.listen-address="127.0.0.1:$EXPORTER_PORT" \
  --extend.query-path=examples/prometheus/queries.yaml --disable-default-metrics --disable-settings-metrics \
  --no-collector.database --no-collector.bgwriter >"$STACK/exporter.log" 2>&1 &
pids+=($!)
prometheus --config.file=examples/prometheus/prometheus.yml --storage.tsdb.path="$STACK/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$STACK/prometheus.log" 2>&1 &
pids+=($!)
prometheus-alertmanager --config.file=examples/alertmanager/alertmanager.yml --storage.path="$STACK/alertmanager" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= >"$STACK/alertmanager.log" 2>&1 &
pids+=($!)

# Python helpers: wait for Prometheus values / Alertmanager alerts (polling, 40 s at most).
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
check_am() {  # stdin: expected alerts as JSON lines {alertname, model, feature, severity, receiver}; $1: label
  local input; input=$(cat)
  python3 - "$AM_PORT" "$1" "$input" <<'PY'
import json, sys, time, urllib.request
port, what = sys.argv[1], sys.argv[2]
expected = [json.loads(l) for l in sys.argv[3].splitlines() if l.strip()]
def key(e):
    return (e["alertname"], e["model"], e["feature"] or "", e["severity"], e["receiver"])
def current():
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/alerts", timeout=5) as r:
            alerts = json.load(r)
    except OSError:
        return None, []
    got, problems = [], []
    for a in alerts:
        lb = a["labels"]
        routed = [r["name"] for r in a.get("receivers", [])]
        got.append((lb.get("alertname"), lb.get("model"), lb.get("feature", ""), lb.get("severity"), lb.get("receiver")))
        # Alertmanager's own routing (by severity) must agree with mlobs.alert_routes.
        if routed != [lb.get("receiver")]:
            problems.append(f"{lb.get('alertname')}/{lb.get('feature', '')}: routed to {routed}, label receiver={lb.get('receiver')}")
        if a["status"]["state"] != "active":
            problems.append(f"{lb.get('alertname')}: state {a['status']['state']}")
    return sorted(got), problems
want = sorted(key(e) for e in expected)
deadline = time.time() + 40
while True:
    got, problems = current()
    if (got == want and not problems) or time.time() > deadline:
        break
    time.sleep(0.5)
for g in got or []:
    print(f"  {'ok  ' if g in want else 'FAIL'} alertname={g[0]} model={g[1]} feature={g[2]} severity={g[3]} receiver={g[4]}")
for w in want:
    if w not in (got or []):
        print(f"  MISSING alertname={w[0]} model={w[1]} feature={w[2]} severity={w[3]} receiver={w[4]}")
for p in problems:
    print(f"  FAIL {p}")
if got != want or problems:
    sys.exit(f"Alertmanager ({what}): active alerts differ from mlobs.alerts")
PY
}
# Every firing alert as Alertmanager should show it (receiver from mlobs.alert_routes).
expected_alerts() {
  sql "SELECT json_build_object('alertname', r.name, 'model', a.model, 'feature', a.feature, 'severity', a.severity,
                                'receiver', rt.receiver)
       FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id JOIN mlobs.alert_routes rt ON rt.severity = a.severity
       WHERE a.state = 'firing' ORDER BY a.id"
}
latest() {  # model feature metric → the latest point's value, straight from metric_points
  sql "SELECT value FROM mlobs.metric_points WHERE model = '$1' AND feature = '$2' AND metric = '$3' ORDER BY ts DESC LIMIT 1"
}

echo "== run_monitors up to 2026-01-03 12:00 (amount and score drift: psi alerts fire)"
sql "SELECT 'run: ' || status || ', windows ' || windows || ', points ' || points || ', transitions ' || alert_transitions
     FROM mlobs.run_monitors('2026-01-03 12:00')"
total_a=$(sql "SELECT max(rows_total) FROM mlobs.monitors WHERE model = 'fraud'")
echo "== Prometheus: ml_predictions_total after the first run"
printf 'ml_predictions_total{model="fraud"}\t%s\n' "$total_a" | check_prom "first run"

echo "== relay --once: the firing alerts reach Alertmanager with their severity routes"
python3 examples/alertmanager/relay.py --dsn "$READER_DSN user=mlobs_relay" \
  --alertmanager "http://127.0.0.1:$AM_PORT" --once | tee "$STACK/relay-once.log"
[ "$(sql "SELECT count(*) FROM mlobs.alerts WHERE state = 'firing' AND severity = 'critical'")" -ge 1 ] \
  || fail "expected a critical alert after the drift"
[ "$(sql "SELECT count(*) FROM mlobs.alerts WHERE state = 'firing' AND severity = 'warning'")" -ge 1 ] \
  || fail "expected a warning alert after the drift"
expected_alerts | check_am "after --once"

echo "== relay listening; run_monitors up to 2026-01-04 (latency jumps: latency_p99 fires)"
python3 examples/alertmanager/relay.py --dsn "$READER_DSN user=mlobs_relay" \
  --alertmanager "http://127.0.0.1:$AM_PORT" --timeout 90 --resend 3600 >"$STACK/relay.log" 2>&1 &
relay=$!
pids+=("$relay")
for _ in $(seq 1 50); do grep -q 'listening on mlobs_alerts' "$STACK/relay.log" && break; sleep 0.2; done
grep -q 'listening on mlobs_alerts' "$STACK/relay.log" || fail "relay did not start listening"
sql "SELECT 'run: ' || status || ', windows ' || windows || ', points ' || points || ', transitions ' || alert_transitions
     FROM mlobs.run_monitors('2026-01-04')"
[ "$(sql "SELECT count(*) FROM mlobs.alerts r JOIN mlobs.alert_rules u ON u.id = r.rule_id
          WHERE u.name = 'latency_p99' AND r.state = 'firing'")" = 1 ] || fail "latency_p99 should fire"
expected_alerts | check_am "after the second run (via NOTIFY)"

echo "== Prometheus: latest metric points after the second run"
{
  for f in amount merchant prediction; do
    printf 'ml_prediction_drift_psi{model="fraud",feature="%s"}\t%s\n' "$f" "$(latest fraud "$f" psi)"
  done
  printf 'ml_prediction_drift_kl{model="fraud",feature="prediction"}\t%s\n' "$(latest fraud prediction kl_div)"
  printf 'ml_drifted_features{model="fraud"}\t%s\n' "$(latest fraud '' drifted_features)"
  printf 'ml_model_accuracy{model="fraud"}\t%s\n' "$(latest fraud '' accuracy)"
  printf 'ml_model_f1_score{model="fraud"}\t%s\n' "$(latest fraud '' f1)"
  printf 'ml_model_auc_roc{model="fraud"}\t%s\n' "$(latest fraud '' roc_auc)"
  printf 'ml_model_label_coverage_ratio{model="fraud"}\t%s\n' "$(latest fraud '' labelled_share)"
  printf 'ml_model_label_rows{model="fraud"}\t%s\n' "$(latest fraud '' labelled_rows)"
  printf 'ml_model_rmse{model="eta"}\t%s\n' "$(latest eta '' rmse)"
  printf 'ml_prediction_latency_seconds{model="fraud",quantile="0.99"}\t%s\n' "$(latest fraud '' latency_p99_seconds)"
  printf 'ml_prediction_latency_seconds{model="fraud",quantile="0.5"}\t%s\n' "$(latest fraud '' latency_p50_seconds)"
  for m in fraud eta; do
    printf 'ml_predictions_total{model="%s"}\t%s\n' "$m" "$(sql "SELECT max(rows_total) FROM mlobs.monitors WHERE model = '$m'")"
  done
  # One series per name and model: no NaN/duplicate series (count over all label sets).
  printf 'count(ml_prediction_drift_psi{model="fraud"})\t3\n'
  printf 'count(ml_model_accuracy)\t1\n'
  printf 'count(ml_predictions_total)\t2\n'
  # The counter never reset between the two runs and grew by the second run's rows.
  printf 'resets(ml_predictions_total{model="fraud"}[5m])\t0\n'
  printf 'max_over_time(ml_predictions_total{model="fraud"}[5m]) - min_over_time(ml_predictions_total{model="fraud"}[5m])\t%s\n' \
    "$(( $(sql "SELECT max(rows_total) FROM mlobs.monitors WHERE model = 'fraud'") - total_a ))"
  # Every custom query ran without error as the mlobs_reader login.
  printf 'pg_exporter_last_scrape_error\t0\n'
  # Concept drift of P(label | score), written by the classification monitor (it has a score).
  printf 'ml_concept_drift_score{model="fraud",feature="score"}\t%s\n' "$(latest fraud score concept_drift_score)"
} | check_prom "second run"
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

echo "== disable rule psi_warning: its alerts resolve and leave Alertmanager, psi_critical stays"
sql "UPDATE mlobs.alert_rules SET enabled = false WHERE name = 'psi_warning'"
sql "SELECT 'evaluate_alerts: ' || mlobs.evaluate_alerts() || ' transitions'"
[ "$(sql "SELECT count(*) FROM mlobs.alerts a JOIN mlobs.alert_rules r ON r.id = a.rule_id
          WHERE r.name = 'psi_warning' AND a.state <> 'resolved'")" = 0 ] || fail "psi_warning alerts should be resolved"
expected_alerts | check_am "after resolving psi_warning"
kill "$relay" 2>/dev/null || true
wait "$relay" 2>/dev/null || true
echo "-- relay log"
cat "$STACK/relay.log"
grep -q "sent resolved .*alertname=psi_warning" "$STACK/relay.log" || fail "relay did not send the resolved alerts"
echo "prometheus/alertmanager integration: ok ($(( $(date +%s) - T0 )) s)"
