#!/usr/bin/env bash
# No Rust backtrace reaches a client, whatever RUST_BACKTRACE says. pgrx captures a backtrace on
# every panic and on every PostgreSQL ERROR raised inside Rust code (an SPI statement failing, a
# statement timeout noticed in a Rust loop), and appends it to the ERROR's DETAIL when capturing
# is enabled by RUST_BACKTRACE / RUST_LIB_BACKTRACE in the server's environment; mlobs' _PG_init
# disables it.
# Own cluster started with RUST_BACKTRACE=1 RUST_LIB_BACKTRACE=1 (pg_ctl passes its environment
# on); each error path must give its SQLSTATE and no backtrace text. No Rust panic is reachable
# from SQL (the #[pg_test] panics_carry_no_backtrace panics on purpose). ~10 s.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_BACKTRACE_PORT:-28897}
PG_BIN=/usr/lib/postgresql/15/bin
DATA="$PWD/.run/backtrace/data"
bash scripts/pg_cluster.sh destroy backtrace
bash scripts/pg_cluster.sh start backtrace "$PORT"
bash scripts/pg_cluster.sh stop backtrace
trap 'bash scripts/pg_cluster.sh destroy backtrace' EXIT
sudo -u postgres env RUST_BACKTRACE=1 RUST_LIB_BACKTRACE=1 \
  "$PG_BIN/pg_ctl" -D "$DATA" -l "$PWD/.run/backtrace/server.log" -w -t 60 start >/dev/null
# The test means nothing unless the server really runs with the variables.
pid=$(head -1 "$DATA/postmaster.pid")
tr '\0' '\n' < "/proc/$pid/environ" | grep -qx 'RUST_BACKTRACE=1' \
  || { echo "FAIL: postmaster does not have RUST_BACKTRACE=1"; exit 1; }

psql() { command psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }
psql -d postgres -c "CREATE DATABASE mlobs_bt"
psql -d mlobs_bt -c "CREATE EXTENSION mlobs" \
  -c "CREATE ROLE bt_reader LOGIN"

fail=0
# check NAME SQLSTATE SQL...: runs the statements with full error verbosity (DETAIL, CONTEXT),
# expects SQLSTATE and no backtrace text in what the client received.
check() {
  local name=$1 state=$2; shift 2
  local out
  out=$(psql -d mlobs_bt -v VERBOSITY=verbose "$@" 2>&1 || true)
  if ! grep -q "ERROR:  $state:" <<<"$out"; then
    echo "FAIL: $name: expected SQLSTATE $state, got:"; echo "$out" | head -20; fail=1; return
  fi
  if grep -Eiq 'backtrace|^ +[0-9]+: |rust_begin_unwind|core::panicking|/rustc/' <<<"$out"; then
    echo "FAIL: $name: a backtrace reached the client ($(wc -l <<<"$out") lines):"; echo "$out" | head -12; fail=1; return
  fi
  echo "ok: $name ($state, $(wc -l <<<"$out") lines, no backtrace)"
}

# A PostgreSQL ERROR raised inside SPI called from Rust: a model reader run by a role without
# SELECT on mlobs.models (deterministic, unlike a timeout).
check "SPI error inside predict" 42501 \
  -c "SET ROLE bt_reader" -c "SELECT mlobs.predict('m', ARRAY[1.0])"
# A Rust panic before mlobs read jsonb arguments itself (pgrx's conversion of 1e400, XX000); now
# ERROR 22023, which must not carry a backtrace either.
check "jsonb argument beyond float8" 22023 \
  -c "SELECT mlobs.register_model('m', 'linear', '{\"coef\": [1e400], \"intercept\": 0}')"

exit $fail
