#!/usr/bin/env bash
# Usage: replay.sh [SQL...]: runs each SQL statement on the primary (database $MLOBS_STANDBY_DB), then
# waits until the standby has replayed everything the primary has written (pg_current_wal_insert_lsn()
# on the primary <= pg_last_wal_replay_lsn() on the standby), polling for at most 60 s. The insert
# position, not pg_current_wal_lsn(): with synchronous_commit = off (scripts/pg_cluster.sh) a commit
# record can still be in the WAL buffers, past the write position.
# Environment: MLOBS_STANDBY_PORT (primary), MLOBS_STANDBY_REPLICA_PORT, MLOBS_STANDBY_DB (run.sh sets them).
set -euo pipefail
P=(psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
for sql in "$@"; do
  "${P[@]}" -p "$MLOBS_STANDBY_PORT" -d "$MLOBS_STANDBY_DB" -c "$sql" >/dev/null
done
lsn=$("${P[@]}" -p "$MLOBS_STANDBY_PORT" -d postgres -c "SELECT pg_current_wal_insert_lsn()")
for _ in $(seq 600); do
  [ "$("${P[@]}" -p "$MLOBS_STANDBY_REPLICA_PORT" -d postgres -c "SELECT coalesce(pg_last_wal_replay_lsn() >= '$lsn', false)")" = t ] && exit 0
  sleep 0.1
done
echo "replay.sh: the standby did not replay up to $lsn within 60 s" >&2
exit 1
