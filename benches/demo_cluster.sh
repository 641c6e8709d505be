# Sourced by the benchmarks that run the demo on a cluster of their own (history.sh,
# dashboard_plans.sh). `bench_cluster SETTING...` installs the release build (not with
# MLOBS_BENCH_NO_INSTALL=1; MLOBS_PG_BIN names another PostgreSQL), starts cluster
# MLOBS_BENCH_CLUSTER (default bench) on MLOBS_BENCH_PORT with the settings given, stops it on
# exit and defines P, the psql command. `demo_db NAME` makes a fresh database with the demo and
# the Grafana suite's monitors (tests/integration/grafana/setup.sql) run once.
bench_cluster() {
  export PATH="$HOME/.cargo/bin:$PATH"
  PORT=${MLOBS_BENCH_PORT:-28818}
  CLUSTER=${MLOBS_BENCH_CLUSTER:-bench}
  if [ -z "${MLOBS_BENCH_NO_INSTALL:-}" ]; then
    bash scripts/install.sh
    bash scripts/install_extension.sh --release \
      --pg-config "${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_config" >/dev/null
  fi
  bash scripts/pg_cluster.sh start "$CLUSTER" "$PORT" "$@"
  trap 'bash scripts/pg_cluster.sh stop "$CLUSTER"' EXIT
  P=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
}

demo_db() {
  "${P[@]}" -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
  "${P[@]}" -d "$1" -f examples/demo.sql >/dev/null
  "${P[@]}" -d "$1" -f tests/integration/grafana/setup.sql >/dev/null
}
