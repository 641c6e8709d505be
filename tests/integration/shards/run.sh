#!/usr/bin/env bash
# Scale-out with postgres_fdw: 3 shard clusters + 1 coordinator on loopback, the prediction log
# split across the shards by a hash of id, mlobs summary aggregates pushed down to every shard and
# merged on the coordinator with mlobs.rollup. Proves:
#  1. pushdown: EXPLAIN (VERBOSE) of the per-shard(-and-hour) summary queries shows every mlobs
#     aggregate in each shard's Remote SQL (fails if pushdown stops), and the documented cases
#     without pushdown (no `extensions 'mlobs'`, partitionwise aggregation off, GROUP BY without
#     the shard key) really fetch rows;
#  2. text round trip: each summary computed on a shard has the same text after travelling
#     through postgres_fdw (which transfers values as text);
#  3. equality: drift, quality and metrics from the merged summaries equal the single-node
#     results — bit-identical where the summary is exact, within 1e-12 (1e-9 for differences of
#     sums) where floating-point sums were added in another order (tests/integration/shards/compare.sql);
#     a merge that lost a shard must fail the same comparison.
# Clusters shard1..3 (ports 28861-28863) and coord (28860), destroyed on exit.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_SHARDS_PORT:-28860}   # coordinator; shards on PORT+1..PORT+3
ROWS=${MLOBS_SHARDS_ROWS:-60000}
CLUSTERS=(coord shard1 shard2 shard3)
cleanup() { for c in "${CLUSTERS[@]}"; do bash scripts/pg_cluster.sh destroy "$c"; done; }
cleanup
trap cleanup EXIT
started=$SECONDS
pids=()  # initdb and start the 4 clusters side by side
for i in 0 1 2 3; do bash scripts/pg_cluster.sh start "${CLUSTERS[$i]}" $((PORT + i)) & pids+=($!); done
for p in "${pids[@]}"; do wait "$p"; done
on_node() { local port=$1 db=$2; shift 2; psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$db" "$@"; }
failures=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for i in 1 2 3; do
  on_node $((PORT + i)) postgres -c "CREATE DATABASE mlobs_shard"
  on_node $((PORT + i)) mlobs_shard -f tests/integration/shards/shard.sql
done
on_node "$PORT" postgres -c "CREATE DATABASE mlobs_coord"
COORD=(on_node "$PORT" mlobs_coord)
"${COORD[@]}" -v rows="$ROWS" -v port1=$((PORT + 1)) -v port2=$((PORT + 2)) -v port3=$((PORT + 3)) \
  -f tests/integration/shards/coordinator.sql
for i in 1 2 3; do
  echo "shard$i: $(on_node $((PORT + i)) mlobs_shard -At -c "SELECT count(*) FROM predictions") rows"
done
echo "4 clusters up, $ROWS rows generated and routed to the shards: $((SECONDS - started)) s"
step=$SECONDS
"${COORD[@]}" -f tests/integration/shards/compare.sql
echo "summaries (shards, coordinator, single node) and comparison: $((SECONDS - step)) s"

echo "== 1. pushdown (EXPLAIN VERBOSE)"
plan() { "${COORD[@]}" -At -c "SET enable_partitionwise_aggregate = ${2:-on}" -c "EXPLAIN (VERBOSE, COSTS OFF) $1"; }
AGGS=(profile_agg category_agg features_agg histogram_agg confusion_agg score_agg regression_agg cbpe_agg outlier_count_agg)
# Every shard's Remote SQL must compute every summary aggregate.
check_pushed() {
  local name=$1 out remote
  out=$(plan "$2")
  remote=$(grep 'Remote SQL:' <<<"$out" || true)
  local n ok=1
  n=$(grep -c . <<<"$remote" || true)
  for a in "${AGGS[@]}"; do
    [ "$(grep -c "mlobs\.$a(" <<<"$remote" || true)" -eq 3 ] || { ok=0; echo "  mlobs.$a is not computed by all 3 shards"; }
  done
  if [ "$n" -eq 3 ] && [ $ok -eq 1 ]; then pass "$name: each of the 3 shards runs all ${#AGGS[@]} aggregates"
  else fail "$name: not pushed down"; echo "$out"; fi
  grep -m1 'Remote SQL:' <<<"$out" | cut -c1-160 | sed 's/^ */  /'
}
check_pushed "per shard and hour (shard_hourly_v)" "SELECT * FROM shard_hourly_v"
check_pushed "per shard (shard_total_v)" "SELECT * FROM shard_total_v"
asyncs=$(plan "SELECT * FROM shard_total_v" | grep -c 'Async Foreign Scan' || true)
[ "$asyncs" -eq 3 ] && pass "the 3 shards are queried concurrently (Async Foreign Scan x3)" || fail "expected 3 Async Foreign Scans, got $asyncs"
# Documented limits: these plans must fetch rows and aggregate on the coordinator.
not_pushed() {
  local out
  out=$(plan "$2" "${3:-on}")
  if grep -q 'Remote SQL:.*mlobs\.' <<<"$out"; then fail "$1: unexpectedly pushed down"; echo "$out"
  else pass "$1: not pushed down ($(grep -m1 -o 'Remote SQL: SELECT [a-z_, ]* FROM' <<<"$out"))"; fi
}
not_pushed "server without extensions 'mlobs'" "SELECT mlobs.profile_agg(amount) FROM plain.predictions"
not_pushed "enable_partitionwise_aggregate = off" "SELECT * FROM shard_total_v" off
not_pushed "GROUP BY without the shard key (partial aggregation)" \
  "SELECT date_bin('1 hour', ts, '2000-01-01 00:00:00+00'), mlobs.profile_agg(amount) FROM predictions GROUP BY 1"

echo "== 2. summaries travel through postgres_fdw as text unchanged"
# The same aggregates, on each shard directly and through its foreign partition.
SUMS="md5(mlobs.profile_agg(amount)::text), md5(mlobs.category_agg(merchant)::text), md5(mlobs.features_agg(features)::text),
  md5(mlobs.histogram_agg(amount, '{0,10,20,50,100,200,500}')::text), md5(mlobs.confusion_agg(label, predicted)::text),
  md5(mlobs.score_agg(score, label)::text), md5(mlobs.regression_agg(delivery_min, delivery_min_pred)::text)"
for i in 1 2 3; do
  local_md5=$(PGOPTIONS='-c max_parallel_workers_per_gather=0' on_node $((PORT + i)) mlobs_shard -At -c "SELECT $SUMS FROM predictions")
  # Aggregates in a subquery, hashed outside: the shard computes them, their text comes back
  # (checked: if they ran on the coordinator, equal hashes would prove nothing).
  q="SELECT md5(p::text), md5(c::text), md5(f::text), md5(h::text), md5(k::text), md5(s::text), md5(r::text)
    FROM (SELECT mlobs.profile_agg(amount) p, mlobs.category_agg(merchant) c, mlobs.features_agg(features) f,
                 mlobs.histogram_agg(amount, '{0,10,20,50,100,200,500}') h, mlobs.confusion_agg(label, predicted) k,
                 mlobs.score_agg(score, label) s, mlobs.regression_agg(delivery_min, delivery_min_pred) r
            FROM predictions_s$i) t"
  shipped=$(plan "$q" | grep 'Remote SQL:' | grep -o 'mlobs\.[a-z_]*_agg(' | wc -l)
  fdw_md5=$("${COORD[@]}" -At -c "$q")
  if [ "$shipped" -eq 7 ] && [ -n "$local_md5" ] && [ "$local_md5" = "$fdw_md5" ]; then
    pass "shard$i: 7 summary types computed on the shard, identical text there and on the coordinator"
  else fail "shard$i: text differs or not computed remotely ($shipped of 7 shipped)"; echo "  shard: $local_md5"; echo "  coord: $fdw_md5"; fi
done

echo "== 3. merged summaries vs single node"
"${COORD[@]}" -P footer=off <<'SQL'
SELECT expect, count(*) AS checks, count(*) FILTER (WHERE rel_diff = 0) AS identical,
       count(*) FILTER (WHERE NOT ok) AS failed, max(rel_diff) AS max_rel_diff
  FROM checks WHERE side = 'merged' GROUP BY 1 ORDER BY 1;
SELECT family, name, count(*) AS checks, count(*) FILTER (WHERE rel_diff = 0) AS identical, max(rel_diff) AS max_rel_diff
  FROM checks WHERE side = 'merged' AND expect <> 'exact' GROUP BY 1, 2 ORDER BY max(rel_diff) DESC LIMIT 8;
SELECT family, name, scope, bucket, expect, single, merged, rel_diff FROM checks WHERE side = 'merged' AND NOT ok LIMIT 20;
SQL
read -r n_checks n_exact n_failed hours < <("${COORD[@]}" -At -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE expect = 'exact'),
  count(*) FILTER (WHERE NOT ok), (SELECT count(DISTINCT bucket) FROM shard_hourly) FROM checks WHERE side = 'merged'")
broken=$("${COORD[@]}" -At -c "SELECT count(*) FILTER (WHERE NOT ok) FROM checks WHERE side = 'broken'")
[ "$n_failed" -eq 0 ] && [ "$n_exact" -ge 1000 ] && [ "$hours" -eq 48 ] \
  && pass "$n_checks checks over 48 hours, the whole log and both drift windows; $n_exact exact ones bit-identical" \
  || fail "$n_failed of $n_checks checks failed ($n_exact exact, $hours hours)"
[ "$broken" -gt 0 ] && pass "negative control: a merge missing shard 3 fails $broken checks" \
  || fail "negative control: a merge missing shard 3 passed the comparison"

echo "== 4. timings (informational: all nodes share this machine's cores)"
timed() { "${COORD[@]}" -c "SET enable_partitionwise_aggregate = $2" -c '\timing on' -c "$1" -o /dev/null | grep -o 'Time: [0-9.]* ms'; }
echo "  shard_total_v (12 aggregates, $ROWS rows) pushed down to 3 shards: $(timed 'SELECT * FROM shard_total_v' on)"
echo "  the same plan fetching the rows to the coordinator: $(timed 'SELECT * FROM shard_total_v' off)"
echo "  the same aggregates on the single-node table:       $(timed 'SELECT * FROM single_total_v' on)"
echo "  text of the 7 summary types from shard1: $("${COORD[@]}" -At -c "SELECT pg_size_pretty(sum(length(s))) FROM (SELECT unnest(ARRAY[
    amount_p::text, merchant_c::text, f::text, amount_h::text, conf::text, scores::text, reg::text]) s FROM shard_total_v WHERE shard = 1) t")"

echo "total: $((SECONDS - started)) s"
if [ "$failures" -eq 0 ]; then echo "shards integration: ok"; else echo "shards integration: $failures FAILED"; exit 1; fi
