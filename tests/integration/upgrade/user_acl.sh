# Sourced by run.sh (P, check, OUT, PORT set): privileges granted and revoked by hand under 0.2.0
# survive the update to 0.3.0 and stay the user's: pg_dump dumps them, a restore keeps them, and
# the extension's initial privileges (pg_init_privs) are a fresh install's (review of 2026-12-08:
# the update's GRANTs recorded the whole ACL, user grants included, as the extension's own, so a
# dump and restore lost them; and its REVOKE/GRANT pairs gave mlobs_reader back what was revoked).
acl=acl_020
PGBIN=$(dirname "$(command -v psql)")
[ -n "${MLOBS_PG_BIN:-}" ] && PGBIN=$MLOBS_PG_BIN
"${P[@]}" -d postgres -c "CREATE DATABASE $acl" -c "CREATE DATABASE ${acl}_restored" -c "DROP ROLE IF EXISTS upg_dash" -c "CREATE ROLE upg_dash" \
  -c 'DROP ROLE IF EXISTS "Team-A"' -c 'CREATE ROLE "Team-A"'
# Also (review of the first version): grant options (a role held the privilege, then lost it
# whole), a table narrowed to columns (replayed in the wrong order: reversed), a role name that
# needs quotes (quoted twice: lost on restore) and a grant passed on by its grantee.
"${P[@]}" -d $acl -c "CREATE EXTENSION mlobs VERSION '0.2.0'" \
  -c "GRANT SELECT ON mlobs.metric_points, mlobs.models TO upg_dash" -c "GRANT SELECT (name, model) ON mlobs.monitors TO upg_dash" \
  -c "REVOKE SELECT ON mlobs.alerts FROM mlobs_reader" \
  -c "GRANT UPDATE ON mlobs.models TO mlobs_admin WITH GRANT OPTION" \
  -c "REVOKE SELECT ON mlobs.monitor_windows FROM mlobs_reader" -c "GRANT SELECT (monitor_id, window_start) ON mlobs.monitor_windows TO mlobs_reader" \
  -c 'GRANT SELECT ON mlobs.alert_rules TO "Team-A"' \
  -c "GRANT SELECT ON mlobs.alert_routes TO upg_dash WITH GRANT OPTION" -c "SET ROLE upg_dash" -c 'GRANT SELECT ON mlobs.alert_routes TO "Team-A"'
privs="SELECT has_table_privilege('upg_dash', 'mlobs.metric_points', 'SELECT') || ' ' || has_table_privilege('upg_dash', 'mlobs.models', 'SELECT')
         || ' ' || has_column_privilege('upg_dash', 'mlobs.monitors', 'model', 'SELECT') || ' ' || has_table_privilege('mlobs_reader', 'mlobs.alerts', 'SELECT')
         || ' ' || has_table_privilege('mlobs_admin', 'mlobs.models', 'UPDATE WITH GRANT OPTION')
         || ' ' || (SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_attribute a WHERE a.attrelid = 'mlobs.monitor_windows'::regclass
                     AND a.attnum > 0 AND NOT a.attisdropped AND has_column_privilege('mlobs_reader', a.attrelid, a.attnum, 'SELECT'))
         || ' ' || has_table_privilege('Team-A', 'mlobs.alert_rules', 'SELECT') || ' ' || has_table_privilege('Team-A', 'mlobs.alert_routes', 'SELECT')
         || ' ' || has_table_privilege('upg_dash', 'mlobs.alert_routes', 'SELECT WITH GRANT OPTION')"
want=$("${P[@]}" -At -d $acl -c "$privs")
"${P[@]}" -d $acl -c "ALTER EXTENSION mlobs UPDATE" 2> "$OUT/acl-update.log"
got=$("${P[@]}" -At -d $acl -c "$privs")
[ "$want" = "true true true false true monitor_id,window_start true true true" ] && [ "$got" = "$want" ] && check ok "user grants and revokes on mlobs tables survive the update ($got)" \
  || { cat "$OUT/acl-update.log"; check no "user privileges before the update: $want, after: $got"; }
"${P[@]}" -d $acl -f tests/integration/upgrade/schema.sql | grep '^ *initprivs' > "$OUT/initprivs-acl.txt" || true
grep '^ *initprivs' "$OUT/schema-fresh.txt" > "$OUT/initprivs-fresh.txt" || true
[ -s "$OUT/initprivs-fresh.txt" ] || check no "the fresh install lists no initial privileges"
same "... and the initial privileges are a fresh install's (user grants not among them)" "$OUT/initprivs-fresh.txt" "$OUT/initprivs-acl.txt"
"$PGBIN/pg_dump" -h 127.0.0.1 -p "$PORT" -U postgres -Fc -f "$OUT/acl.dump" $acl
dumped=$("$PGBIN/pg_restore" -f - "$OUT/acl.dump" | grep -cE '^(GRANT SELECT ON TABLE mlobs\.(metric_points|models) TO upg_dash|GRANT SELECT\((name|model)\) ON TABLE mlobs\.monitors TO upg_dash|REVOKE SELECT ON TABLE mlobs\.alerts FROM mlobs_reader);' || true)
[ "$dumped" = 5 ] && check ok "... pg_dump writes them as the user's (5 statements)" || { "$PGBIN/pg_restore" -f - "$OUT/acl.dump" | grep -E '^(GRANT|REVOKE).*mlobs\.' ; check no "pg_dump wrote $dumped of the 5 user statements"; }
"$PGBIN/pg_restore" -h 127.0.0.1 -p "$PORT" -U postgres -d ${acl}_restored "$OUT/acl.dump" 2> "$OUT/acl-restore.log" || true
restored=$("${P[@]}" -At -d ${acl}_restored -c "$privs")
[ "$restored" = "$want" ] && check ok "... and a restore keeps them ($restored)" || { cat "$OUT/acl-restore.log"; check no "after a restore: $restored, want $want"; }
