#!/usr/bin/env python3
"""Memory of a GROUP BY with many groups over the summary aggregates (issue 7, item 10).

Every aggregate runs as `SELECT g, AGG FROM mem_rows GROUP BY g` (ROWS rows, GROUPS groups) in a
fresh backend while this script samples the backend's RssAnon (private heap: palloc'd memory and
the Rust states, which live in malloc'd memory) from /proc every few ms; the peak minus the
backend's idle RssAnon is the query's working memory. VmHWM is not used: it also counts shared
buffers and file pages the scan and the sort's temp files map, which are not the aggregate's.

Per aggregate it reports the plan PostgreSQL chose at the default work_mem, the peak working
memory (asserted to stay under --bound-mb), the serialized size (pg_column_size) of the
summaries, and checks that every group is there and every row was counted once across spilled
batches. HashAggregate sizes a group as the aggregate's SSPACE: a hash table holds at most
hash_mem / (entry + SSPACE) groups per batch, then spills, so the bound holds as long as a live
state is not much larger than its SSPACE. --details adds how often HashAggregate spilled, what
PostgreSQL itself accounted (palloc only, not the Rust states) and one state's in-memory size
(working memory with every group in one hash table, divided by the number of groups).

    python3 tests/integration/memory/memory.py --port P [--rows 1000000] [--groups 100000] [--bound-mb 64] [--details]

Needs to run on the database host as root or postgres (it reads /proc/<backend pid>/status).
Standard library only; drives psql.
"""
import argparse
import json
import re
import subprocess
import sys
import threading
import time

# (label, aggregate expression over mem_rows, expression counting the rows a summary saw)
AGGREGATES = [
    ("count(*) (built-in baseline)", "count(*)", "a"),
    ("profile_agg(x)", "mlobs.profile_agg(x)", "mlobs.count(a)"),
    # Values spread over 20+ decades: every state's sketch holds its maximum of 2048 buckets.
    ("profile_agg(w) (full sketches)", "mlobs.profile_agg(w)", "mlobs.count(a)"),
    ("histogram_agg(x, 11 edges)", "mlobs.histogram_agg(x, '{0,10,20,30,40,50,60,70,80,90,100}')", "mlobs.count(a)"),
    ("category_agg(c)", "mlobs.category_agg(c)", "mlobs.count(a)"),
    ("features_agg(f) (3 keys)", "mlobs.features_agg(f)", "mlobs.count(a)"),
    ("confusion_agg(y, p)", "mlobs.confusion_agg(y, p)", "mlobs.count(a)"),
    ("score_agg(s, y)", "mlobs.score_agg(s, y)", "mlobs.count(a)"),
    ("regression_agg(t, x)", "mlobs.regression_agg(t, x)", "mlobs.count(a)"),
]


class Session:
    """One psql process = one backend; queries are written to its stdin, answers read back."""

    def __init__(self, port, db):
        self.p = subprocess.Popen(
            ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port),
             "-U", "postgres", "-d", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.pid = int(self.query("SELECT pg_backend_pid()")[0])

    def query(self, sql, during=None):
        """Runs sql; calls during() repeatedly until its answer is back. Returns the output lines."""
        self.p.stdin.write(sql.rstrip().rstrip(";") + ";\n\\echo __END__\n")
        self.p.stdin.flush()
        lines, done = [], threading.Event()

        def read():
            for line in self.p.stdout:
                if line.rstrip("\n") == "__END__":
                    break
                lines.append(line.rstrip("\n"))
            done.set()

        t = threading.Thread(target=read, daemon=True)
        t.start()
        while not done.is_set():
            if during:
                during()
            done.wait(0.005)
        if self.p.poll() is not None:
            sys.exit(f"psql exited ({self.p.returncode}) running: {sql[:200]}")
        return lines

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def rss_anon_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            return int(re.search(r"RssAnon:\s+(\d+)", fh.read()).group(1))
    except (FileNotFoundError, ProcessLookupError, AttributeError):
        return 0


def measure(port, db, sql, settings):
    """(peak working memory in kB, output lines) of sql in a fresh serial backend."""
    s = Session(port, db)
    s.query("SET max_parallel_workers_per_gather = 0; " + settings + " SELECT 1")
    base = rss_anon_kb(s.pid)
    peak = [base]

    def sample():
        peak[0] = max(peak[0], rss_anon_kb(s.pid))

    out = s.query(sql, during=sample)
    sample()
    s.close()
    return peak[0] - base, out


def plan_of(lines):
    """Node type, HashAgg batches, PostgreSQL-accounted peak memory (kB) of the top aggregate."""
    plan = json.loads("\n".join(lines))[0]["Plan"]
    while plan["Node Type"] != "Aggregate":
        plan = plan["Plans"][0]
    node = {"Hashed": "HashAggregate", "Sorted": "GroupAggregate"}.get(plan.get("Strategy"), plan.get("Strategy"))
    return node, plan.get("HashAgg Batches", "-"), plan.get("Peak Memory Usage", "-")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", default="mlobs_memory")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--groups", type=int, default=100_000)
    ap.add_argument("--bound-mb", type=float, default=64.0,
                    help="peak working memory allowed per GROUP BY at the default work_mem")
    ap.add_argument("--details", action="store_true",
                    help="also spill batches and one state's in-memory size (3 runs per aggregate: slow)")
    a = ap.parse_args()

    setup = Session(a.port, a.db)
    setup.query(f"""
      SET client_min_messages = warning;
      DROP TABLE IF EXISTS mem_rows;
      SELECT setseed(0.3);
      CREATE TABLE mem_rows AS
      SELECT i % {a.groups} AS g, x, x + random() AS t, (random() < 0.3)::int AS y, (random() < 0.5)::int AS p,
             random() AS s, exp(random() * 50) AS w, 'c' || (i % 37) AS c,
             jsonb_build_object('amount', x, 'merchant', 'm' || (i % 5), 'age', i % 80) AS f
        FROM (SELECT i, random() * 100 AS x FROM generate_series(1, {a.rows}) i) r;
      VACUUM ANALYZE mem_rows""")
    work_mem = setup.query("SHOW work_mem")[0]
    hash_mult = setup.query("SHOW hash_mem_multiplier")[0]
    sspace = dict(line.split("|") for line in setup.query(
        "SELECT aggfnoid::regproc::text, aggtransspace FROM pg_aggregate WHERE aggfnoid::regproc::text LIKE 'mlobs.%'"))
    setup.close()

    print(f"{a.rows} rows, {a.groups} groups, serial plans; work_mem {work_mem}, hash_mem_multiplier {hash_mult}; "
          f"bound {a.bound_mb:g} MB")
    header = ["aggregate", "SSPACE", "plan", "peak MB", "serialized B avg/max", "rows counted"]
    if a.details:
        header += ["batches", "PG-accounted kB", "state B in memory"]
    print(" | ".join(header))
    failed = []
    for label, agg, counted in AGGREGATES:
        query = f"SELECT g, {agg} AS a FROM mem_rows GROUP BY g"
        setup = Session(a.port, a.db)
        node = setup.query(f"SET max_parallel_workers_per_gather = 0; EXPLAIN (COSTS OFF) {query}")[0].split()[0]
        setup.close()
        # The peak working memory at the default work_mem, on the query that also checks the
        # results: every group present, every row counted once across spilled batches.
        kb, out = measure(a.port, a.db, f"""SELECT count(*), sum({counted}), round(avg(pg_column_size(a))),
                                               max(pg_column_size(a)) FROM ({query}) s""", "")
        groups, rows, avg_sz, max_sz = out[0].split("|")
        name = re.match(r"(mlobs\.\w+)", agg)
        row = [label, sspace.get(name.group(1), "-") if name else "-", node, f"{kb / 1024:.1f}",
               f"{avg_sz}/{max_sz}" if name else "-", rows]
        if a.details:
            # How often HashAggregate spilled and what PostgreSQL itself accounted (palloc only).
            _, lines = measure(a.port, a.db, f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) {query}", "")
            _, batches, pg_kb = plan_of(lines)
            # Every group in one hash table at once: working memory / groups = one live state.
            all_kb, lines = measure(a.port, a.db, f"EXPLAIN (ANALYZE, TIMING OFF, SUMMARY OFF, FORMAT JSON) {query}",
                                    "SET work_mem = '2GB'; SET enable_sort = off;")
            all_node, all_batches, _ = plan_of(lines)
            one = f"{all_kb * 1024 / a.groups:.0f}" if (all_node, all_batches) == ("HashAggregate", 1) else "-"
            row += [batches, pg_kb, one]
        print(" | ".join(str(v) for v in row))
        if int(groups) != a.groups or int(rows) != a.rows:
            failed.append(f"{label}: {groups} groups / {rows} rows counted, want {a.groups} / {a.rows}")
        if kb / 1024 > a.bound_mb and name:
            failed.append(f"{label}: peak {kb / 1024:.1f} MB above the {a.bound_mb:g} MB bound")
    for f in failed:
        print("FAIL:", f)
    if failed:
        sys.exit(1)
    print(f"PASS: every mlobs GROUP BY over {a.groups} groups stayed under {a.bound_mb:g} MB and counted every row once")


if __name__ == "__main__":
    main()
