#!/usr/bin/env bash
# README's demo command: installs what is missing, builds and installs the release build of
# mlobs, starts a local cluster under .run/demo (127.0.0.1), loads a prediction log where one
# feature drifts halfway, stores hourly profiles and prints the drift report; registers the three
# fixture models (XGBoost, LightGBM, scikit-learn) and explains predictions; then simulates two
# weeks of traffic with incidents, runs the monitors and the retraining loop as pg_cron would and
# prints the alerts, what the loop did (a concept drift: the fraud model retrained, compared and
# promoted) and four more days in which the fraud model's accuracy alert resolves; writes the fraud
# model's HTML report (mlobs.report) to .run/demo/report-fraud.html.
# Stops the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export PATH="$HOME/.cargo/bin:$PATH"
PG_BIN=/usr/lib/postgresql/15/bin
PORT=${MLOBS_DEMO_PORT:-28817}
echo "[demo] building and installing the release build (about 2 minutes the first time)" >&2
bash scripts/install_extension.sh --release --pg-config "$PG_BIN/pg_config" >/dev/null
bash scripts/pg_cluster.sh stop demo
bash scripts/pg_cluster.sh start demo "$PORT"
trap 'bash scripts/pg_cluster.sh stop demo' EXIT
PSQL=(psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS mlobs_demo" -c "CREATE DATABASE mlobs_demo"
echo "[demo] generating ~300k logged predictions and hourly profiles" >&2
"${PSQL[@]}" -d mlobs_demo -f examples/demo.sql
# One HTML file with all of it (docs/reports.md): open it in a browser.
REPORT="$PWD/.run/demo/report-fraud.html"
"${PSQL[@]}" -d mlobs_demo -At -c "SELECT mlobs.report('fraud', '2026-02-01', '2026-02-19')" -o "$REPORT"
echo "[demo] the fraud model's report over the simulated weeks: $REPORT (open it in a browser)" >&2
