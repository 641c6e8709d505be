#!/usr/bin/env python3
"""Calls every mlobs function and aggregate with hostile arguments — NULL, NaN, ±Infinity, empty
and huge arrays, mismatched lengths, malformed jsonb, forged summary text — and judges the
server, not the answers: an ERROR with a proper SQLSTATE is fine; an internal error (XX000), a
backend terminated by a signal or a postmaster restart is a failure. Standard library only; drives psql.

    python3 tests/integration/hostile/random_calls.py --port P [--calls N] [--seed S]

The server must log to a file the script can read (--log) to detect crashes that psql alone
would only see as a lost connection; the script also checks the postmaster pid is unchanged.
"""
import argparse
import random
import re
import subprocess
import sys

# Argument pools per SQL type: legal, edge and hostile values (SQL literals).
FLOATS = ["NULL", "0", "-1", "1", "0.5", "'NaN'", "'Infinity'", "'-Infinity'", "1e308", "-1e308", "5e-324"]
INTS = ["NULL", "0", "-1", "1", "2", "3", "10", "2147483647", "-2147483648"]
BIGINTS = INTS + ["9223372036854775807"]
TEXTS = ["NULL", "''", "'x'", "'psi'", "'auto'", "'ks'", "'binary'", "'macro'", "'iqr'", "'fraud'",
         "repeat('z', 100000)", "'{\"a\": 1}'"]
BOOLS = ["NULL", "true", "false"]
JSONS = ["NULL", "'{}'", "'[]'", "'null'", "'1'", "'{\"amount\": 1}'", "'{\"amount\": \"x\"}'",
         "'{\"a\": {\"b\": [1, 2, {\"c\": null}]}}'", "repeat('[', 5000) || repeat(']', 5000)",
         "'{\"learner\": {}}'", "'{\"coefficients\": [[1]], \"intercept\": [0], \"link\": \"identity\"}'",
         "'{\"amount\": 1e400}'", "'[-1e400]'", "('{\"amount\": ' || repeat('[', 200) || repeat(']', 200) || '}')::jsonb"]
FLOAT_ARRAYS = ["NULL", "'{}'", "'{NULL}'", "'{NaN}'", "'{Infinity,-Infinity}'", "'{1,2,3}'",
                "'{{1,2},{3,4}}'", "'{{{1}}}'", "(SELECT array_agg(g::float8) FROM generate_series(1, 20000) g)",
                "'{1e308,-1e308,0}'", "'{0.1,0.2,0.9,0.95}'"]
INT_ARRAYS = ["NULL", "'{}'", "'{NULL}'", "'{0,1,1,0}'", "'{1,2,3}'", "'{-1,5}'"]
TEXT_ARRAYS = ["NULL", "'{}'", "'{NULL}'", "'{a,b,a}'", "'{amount}'", "'{\"\"}'"]
TIMES = ["NULL", "'2026-01-01'", "'infinity'", "'-infinity'", "now()"]
INTERVALS = ["NULL", "'1 hour'", "'0'", "'-1 day'", "'1 minute'"]
POOLS = {
    "double precision": FLOATS, "real": FLOATS, "integer": INTS, "smallint": ["NULL", "0", "-1", "1"],
    "bigint": BIGINTS, "text": TEXTS, "boolean": BOOLS, "jsonb": JSONS, "double precision[]": FLOAT_ARRAYS,
    "bigint[]": INT_ARRAYS, "integer[]": INT_ARRAYS, "text[]": TEXT_ARRAYS,
    "timestamp with time zone": TIMES, "interval": INTERVALS, "regclass": ["NULL", "'pg_class'", "'hostile_log'"],
}


def psql(args, sql, check=False):
    cmd = ["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", str(args.port), "-U", "postgres", "-d", args.db, "-f", "-"]
    res = subprocess.run(cmd, input=sql, capture_output=True, text=True)
    if check and res.returncode != 0:
        sys.exit(f"setup failed: {res.stderr}")
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", default="mlobs_hostile")
    ap.add_argument("--log", required=True, help="the server log file")
    ap.add_argument("--calls", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    pid = psql(args, "SELECT pg_postmaster_start_time();", check=True).stdout.strip()
    # Valid summaries of every summary type, to mix with forged ones.
    psql(args, """
      CREATE TABLE IF NOT EXISTS hostile_log AS SELECT now() - g * interval '1 minute' AS ts, g::float8 AS x,
        (g % 2)::int AS label, (g % 7) / 7.0 AS score, jsonb_build_object('amount', g) AS features
        FROM generate_series(1, 200) g;""", check=True)
    # A registered model under a name the text pool uses, so the model functions run for real.
    import os
    body = open(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "models", "fraud_xgb.json")).read()
    psql(args, "SELECT mlobs.register_model('fraud', 'xgboost', $body$" + body + "$body$) "
               "WHERE NOT EXISTS (SELECT 1 FROM mlobs.models WHERE name = 'fraud');", check=True)
    types = psql(args, """
      SELECT t.typname FROM pg_type t WHERE t.typnamespace = 'mlobs'::regnamespace AND t.typtype = 'b'
      ORDER BY 1;""", check=True).stdout.split()
    summary_values = {
        "profile": "(SELECT mlobs.profile_agg(x) FROM hostile_log)",
        "histogram": "(SELECT mlobs.histogram_agg(x, '{0,50,100,200}') FROM hostile_log)",
        "categories": "(SELECT mlobs.category_agg((label)::text) FROM hostile_log)",
        "feature_profiles": "(SELECT mlobs.features_agg(features) FROM hostile_log)",
        "confusion": "(SELECT mlobs.confusion_agg(label, label) FROM hostile_log)",
        "score_summary": "(SELECT mlobs.score_agg(score, label) FROM hostile_log)",
        "regression_summary": "(SELECT mlobs.regression_agg(x, x + 1) FROM hostile_log)",
        "calibration": "(SELECT mlobs.calibration_agg(score, label) FROM hostile_log)",
    }
    for t in types:
        POOLS[f"mlobs.{t}"] = ["NULL", summary_values.get(t, "NULL"), f"'{{}}'::mlobs.{t}",
                               f"'{{\"n\": -1}}'::mlobs.{t}", f"'\\x00'::bytea::text::mlobs.{t}"]
    # Every function callable from SQL: no internal/cstring arguments. Schema mlobs_internal too:
    # the types' send functions and outlier_count_agg's transition take ordinary values.
    rows = psql(args, """
      SELECT p.pronamespace::regnamespace::text || '.' || p.proname, p.prokind, pg_get_function_identity_arguments(p.oid),
             array_to_string(ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t), '|')
        FROM pg_proc p WHERE p.pronamespace IN ('mlobs'::regnamespace, 'mlobs_internal'::regnamespace)
         AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes) t WHERE t IN ('internal'::regtype, 'cstring'::regtype))
         AND p.proname !~ '^_' AND p.proname NOT IN ('schedule_monitors', 'run_monitors')
       ORDER BY 1, 3;""", check=True).stdout.splitlines()
    functions = []
    for line in rows:
        name, kind, _, argtypes = line.split("|", 3)
        argtypes = [a for a in argtypes.split("|") if a]
        functions.append((name, kind, argtypes))
    unsupported = sorted({a for _, _, args_ in functions for a in args_ if a not in POOLS})
    statements = []
    for _ in range(args.calls):
        name, kind, argtypes = rng.choice(functions)
        if any(a not in POOLS for a in argtypes):
            continue
        values = [f"({rng.choice(POOLS[a])})::{a}" for a in argtypes]
        call = f"{name}({', '.join(values)})"
        if kind == "a":
            # Aggregates over a few rows, so transition, combine and final all run.
            statements.append(f"SELECT {call} FROM generate_series(1, {rng.choice([1, 3, 50])});")
        else:
            statements.append(f"SELECT {call};")
    sql = "SET statement_timeout = '10s';\n\\set VERBOSITY verbose\n" + "\n".join(statements) + "\nSELECT 'done';\n"
    res = psql(args, sql)
    errors = len(re.findall(r"^(psql:.*)?ERROR:", res.stderr, re.M))
    # Bad input must give a proper SQLSTATE: an internal error (XX000) is a bug (jsonb arguments
    # serde_json cannot represent included: 1e400, deep nesting give 22023).
    lines = sql.split("\n")
    internal = [f"{m} <- {lines[int(n) - 1][:300]}" for n, m in re.findall(r"^psql:<stdin>:(\d+): ERROR:  XX000: (.*)", res.stderr, re.M)]
    pid_after = psql(args, "SELECT pg_postmaster_start_time();").stdout.strip()
    with open(args.log, errors="replace") as fh:
        log = fh.read()
    crashed = re.findall(r"(terminated by signal \d+.*|server process .* was terminated.*|PANIC:.*)", log)
    print(f"{len(statements)} calls over {len(functions)} functions; {errors} ERRORs (fine); "
          f"types without a pool: {unsupported or 'none'}")
    lost = "server closed the connection" in res.stderr or "done" not in res.stdout
    if internal:
        print(f"FAIL: {len(internal)} internal errors (XX000) on bad input:", *sorted(set(internal))[:20], sep="\n  ")
        sys.exit(1)
    if crashed or pid_after != pid or lost:
        print("FAIL: crash or lost connection", crashed[:5], res.stderr[-2000:], sep="\n")
        sys.exit(1)
    print("random calls: no backend crashed, postmaster unchanged")


if __name__ == "__main__":
    main()
