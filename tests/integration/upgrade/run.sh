#!/usr/bin/env bash
# Upgrade test: every frozen release's install script (sql/releases/) + ALTER EXTENSION UPDATE must
# (1) keep every value stored under that release readable and mergeable with identical results,
# (2) keep registered models predicting the same numbers, and
# (3) describe exactly the same schema as a fresh install of the current version, and
# (4) hand the demo data generator over: mlobs.simulate is gone after the update to 0.3.0, the
#     companion extension mlobs_demo (extensions/mlobs_demo) gives the same rows for the same
#     seed, and a user's view over mlobs.simulate makes the update fail instead of being dropped.
# Also loads the summaries 0.1.0 wrote with COPY (text and binary, tests/integration/upgrade/states-0.1.0.*),
# so a change to the on-disk/wire format of any summary type fails here.
set -euo pipefail
cd "$(dirname "$0")/../../.."
PORT=${MLOBS_UPGRADE_PORT:-28845}
EXTDIR="$("${MLOBS_PG_BIN:-/usr/lib/postgresql/15/bin}/pg_config" --sharedir)/extension"
CURRENT=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
OUT=.run/upgrade-out
fail=0
check() { if [ "$1" = ok ]; then echo "PASS: $2"; else echo "FAIL: $2"; fail=1; fi; }
same() { # same NAME EXPECTED ACTUAL
  if diff -u "$2" "$3" > "$3.diff"; then check ok "$1"; else head -40 "$3.diff"; check no "$1"; fi
}

# The frozen scripts are not part of `cargo pgrx install` (which writes only the current version and
# the upgrade scripts); old versions are installable for this test only.
RELEASES=$(cd sql/releases && ls mlobs--*.sql | sed 's/^mlobs--\(.*\)\.sql$/\1/' | sort -V)
for r in $RELEASES; do install -m 644 "sql/releases/mlobs--$r.sql" "$EXTDIR/"; done
bash scripts/pg_cluster.sh destroy upgrade
# pg_cron for the live 0.2.0 deployment (live_020.sh): its job runs in that database.
bash scripts/pg_cluster.sh start upgrade "$PORT" "shared_preload_libraries = 'pg_cron'" "cron.database_name = 'live_020'"
trap 'bash scripts/pg_cluster.sh destroy upgrade' EXIT
rm -rf "$OUT" && mkdir -p "$OUT"
P=(psql -X -q -A -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
for db in new fixtures_text fixtures_binary; do "${P[@]}" -d postgres -c "CREATE DATABASE $db"; done
"${P[@]}" -d new -c "CREATE EXTENSION mlobs"
"${P[@]}" -d new -f tests/integration/upgrade/schema.sql > "$OUT/schema-fresh.txt"
echo "schema objects compared: $(wc -l < "$OUT/schema-fresh.txt")"
"${P[@]}" -At -d postgres -c "SELECT string_agg(source || '->' || target, ' ') FROM pg_extension_update_paths('mlobs') WHERE path IS NOT NULL AND target = '$CURRENT'"

# A simulated log with every scenario key the releases share, as a digest (%s: the schema).
SIMULATE="SELECT md5(string_agg(s::text, ',' ORDER BY s.ts)) FROM %s.simulate('2026-01-01', '6 hours', 60, '{\"label_delay\": \"1 day\", \"label_share\": 0.7, \"concept_drift\": {\"from\": \"2026-01-01 03:00\"}, \"covariate_shift\": {\"from\": \"2026-01-01 02:00\"}, \"missing_spike\": {\"from\": \"2026-01-01 01:00\", \"to\": \"2026-01-01 02:00\"}, \"outliers\": {\"from\": \"2026-01-01 04:00\", \"to\": \"2026-01-01 05:00\"}, \"latency_spike\": {\"from\": \"2026-01-01 05:00\", \"to\": \"2026-01-01 06:00\"}}', 0.3) s"

# Every frozen release: install it, store values, models and a running monitor the way a user
# would, upgrade in place, and check that everything reads, merges, predicts and runs on.
for REL in $RELEASES; do
old=old_${REL//./_}
"${P[@]}" -d postgres -c "CREATE DATABASE $old"
# 1. Install the release and store values and models the way a user would (and simulate a log).
"${P[@]}" -d $old -c "CREATE EXTENSION mlobs VERSION '$REL'"
"${P[@]}" -d $old -f tests/integration/upgrade/states.sql
"${P[@]}" -d $old -f tests/integration/upgrade/models.sql > /dev/null
"${P[@]}" -d $old -f tests/integration/upgrade/readback.sql > "$OUT/readback-before-$REL.out"
"${P[@]}" -d $old -f tests/integration/upgrade/models_readback.sql > "$OUT/models-before-$REL.out"
sim_before=$("${P[@]}" -At -d $old -c "$(printf "$SIMULATE" mlobs)")
same "$REL install: stored summaries read as written" tests/integration/upgrade/expected/readback.out "$OUT/readback-before-$REL.out"
same "$REL install: models predict as expected" tests/integration/upgrade/expected/models_readback.out "$OUT/models-before-$REL.out"

# 2. Upgrade in place.
"${P[@]}" -d $old -c "ALTER EXTENSION mlobs UPDATE"
v=$("${P[@]}" -At -d $old -c "SELECT extversion FROM pg_extension WHERE extname = 'mlobs'")
[ "$v" = "$CURRENT" ] && check ok "$REL: ALTER EXTENSION mlobs UPDATE reaches $CURRENT" || check no "extversion after update is $v, want $CURRENT"
"${P[@]}" -d $old -f tests/integration/upgrade/readback.sql > "$OUT/readback-after-$REL.out"
"${P[@]}" -d $old -f tests/integration/upgrade/models_readback.sql > "$OUT/models-after-$REL.out"
same "$REL -> $CURRENT: every stored summary reads and merges identically" tests/integration/upgrade/expected/readback.out "$OUT/readback-after-$REL.out"
same "$REL -> $CURRENT: registered models predict and explain identically" tests/integration/upgrade/expected/models_readback.out "$OUT/models-after-$REL.out"
# Stored (old) states merge with states computed by the new version: counts add up and the merge
# equals a fresh aggregate over all rows for the exact parts (n, min, max, counts).
merged=$("${P[@]}" -At -d $old -c "
  WITH old AS (SELECT p, c, cf, r FROM upgrade_states),
       new AS (SELECT mlobs.profile_agg(x) p, mlobs.category_agg(cat) c,
                      mlobs.confusion_agg(label, score >= 0.5) cf, mlobs.regression_agg(target, prediction) r FROM upgrade_rows),
       m AS (SELECT mlobs.rollup(p) p, mlobs.rollup(c) c, mlobs.rollup(cf) cf, mlobs.rollup(r) r
             FROM (SELECT * FROM old UNION ALL SELECT * FROM new) u)
  SELECT mlobs.count(p) = 6000 AND mlobs.min(p) = (SELECT min(x) FROM upgrade_rows) AND mlobs.max(p) = (SELECT max(x) FROM upgrade_rows)
     AND mlobs.category_counts(c) = (SELECT jsonb_object_agg(cat, 2 * n) FROM (SELECT cat, count(*) n FROM upgrade_rows WHERE cat IS NOT NULL GROUP BY cat) s)
     AND mlobs.count(cf) = 6000 AND mlobs.count(r) = 6000
  FROM m")
[ "$merged" = t ] && check ok "$REL -> $CURRENT: old stored states merge with newly computed ones" || check no "$REL: old+new merge ($merged)"

# Profiles computed since the update have a distinct count; a rollup with a stored one has none.
nd=$("${P[@]}" -At -d $old -c "
  SELECT mlobs.n_distinct(mlobs.profile_agg(x)) = count(DISTINCT x) FROM upgrade_rows")
[ "$nd" = t ] && check ok "$REL -> $CURRENT: n_distinct of a profile computed after the update" || check no "$REL: n_distinct after update ($nd)"
"${P[@]}" -d $old -f tests/integration/upgrade/schema.sql > "$OUT/schema-upgraded-$REL.txt"
same "install($CURRENT) and install($REL) + update describe the same schema" "$OUT/schema-fresh.txt" "$OUT/schema-upgraded-$REL.txt"

# The demo data generator left mlobs (not even as a loose function of schema mlobs); the companion
# extension gives the rows the release's mlobs.simulate gave.
gone=$("${P[@]}" -At -d $old -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'mlobs'::regnamespace AND proname = 'simulate'")
[ "$gone" = 0 ] && check ok "$REL -> $CURRENT: mlobs.simulate is dropped" || check no "$REL: $gone mlobs.simulate left after the update"
"${P[@]}" -d $old -c "CREATE EXTENSION mlobs_demo"
sim_after=$("${P[@]}" -At -d $old -c "$(printf "$SIMULATE" mlobs_demo)")
[ -n "$sim_before" ] && [ "$sim_before" = "$sim_after" ] && check ok "$REL -> $CURRENT: mlobs_demo.simulate gives the rows $REL's mlobs.simulate gave" \
  || check no "$REL: mlobs_demo.simulate digest $sim_after, mlobs.simulate under $REL gave $sim_before"
# A view of the user's over mlobs.simulate: the update fails (2BP01) and leaves the release as it was.
dep=dep_${REL//./_}
"${P[@]}" -d postgres -c "CREATE DATABASE $dep"
"${P[@]}" -d $dep -c "CREATE EXTENSION mlobs VERSION '$REL'" -c "CREATE VIEW demo_log AS SELECT * FROM mlobs.simulate('2026-01-01', '1 hour', 10)"
if out=$("${P[@]}" -d $dep -v VERBOSITY=verbose -c "ALTER EXTENSION mlobs UPDATE" 2>&1); then
  check no "$REL: ALTER EXTENSION mlobs UPDATE succeeded over a view calling mlobs.simulate"
else
  v=$("${P[@]}" -At -d $dep -c "SELECT extversion FROM pg_extension WHERE extname = 'mlobs'")
  [[ "$out" == *"2BP01"*"view public.demo_log depends on function simulate"* ]] && [ "$v" = "$REL" ] \
    && check ok "$REL: a view over mlobs.simulate stops the update (2BP01), $REL left as it was" \
    || { echo "$out"; check no "$REL: update over a view calling mlobs.simulate: extversion $v"; }
fi
done

# 3. The summaries 0.1.0 wrote, through COPY text and COPY binary (the types' input and receive).
for fmt in text binary; do
  db=fixtures_$fmt
  file=tests/integration/upgrade/states-0.1.0.copy; opt=""
  [ $fmt = binary ] && { file=tests/integration/upgrade/states-0.1.0.bin; opt="(FORMAT binary)"; }
  "${P[@]}" -d $db -c "CREATE EXTENSION mlobs" -c "CREATE TABLE upgrade_states (bucket int PRIMARY KEY, p mlobs.profile, h mlobs.histogram, c mlobs.categories, f mlobs.feature_profiles, cf mlobs.confusion, s mlobs.score_summary, r mlobs.regression_summary, cal mlobs.calibration)" \
    -c "\\copy upgrade_states FROM '$file' $opt"
  "${P[@]}" -d $db -f tests/integration/upgrade/readback.sql > "$OUT/readback-$fmt.out"
  # The values 0.1.0 wrote, not recomputed: their profiles have no distinct sketch (0.3.0 adds
  # one to every profile it computes), so they read back exactly as 0.1.0 printed them.
  same "0.1.0 COPY $fmt fixture reads and merges identically in $CURRENT" tests/integration/upgrade/expected/readback-copy-0.1.0.out "$OUT/readback-$fmt.out"
  nd=$("${P[@]}" -At -d $db -c "SELECT bool_and(mlobs.n_distinct(p) IS NULL) AND bool_and(mlobs.n_distinct(mlobs.feature_profile(f, 'amount')) IS NULL)
    AND (SELECT mlobs.n_distinct(mlobs.rollup(p)) IS NULL AND mlobs.row_count(mlobs.rollup(p)) > 0 FROM upgrade_states) FROM upgrade_states")
  [ "$nd" = t ] && check ok "0.1.0 COPY $fmt fixture: profiles without a distinct sketch give NULL n_distinct, alone and rolled up" || check no "0.1.0 COPY $fmt: n_distinct ($nd)"
done

# 4. A live 0.2.0 deployment and a 0.2.0 dump, updated.
. tests/integration/upgrade/live_020.sh

# 5. Privileges granted and revoked by hand under 0.2.0, through the update and a dump.
. tests/integration/upgrade/user_acl.sh

[ $fail -eq 0 ] && echo "upgrade: all checks passed" || { echo "upgrade: FAILED"; exit 1; }
