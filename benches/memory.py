#!/usr/bin/env python3
"""Peak working memory per aggregate, serial. In one session: a warm-up scan of the table and the same aggregate over 1000 rows
(so the library's code pages are already mapped), then
the backend resets its own peak-RSS mark (Linux: "5" written to /proc/self/clear_refs, by COPY
from the server process itself), reads VmRSS, runs the aggregate (its result referenced, or the
planner would drop an unused aggregate) and reads VmHWM: the difference is the memory the
aggregate (and the scan) added at its peak. Results go to bench_results (grp 'memory', kB).
Standard library only.   memory.py --port P --tbl T --rows N
"""
import argparse
import re
import subprocess

QUERIES = [
    ("avg(f2) (baseline)", "avg(f2)"),
    ("mlobs.profile_agg(f2)", "mlobs.profile_agg(f2)"),
    ("mlobs.histogram_agg(f2, 11 edges)", "mlobs.histogram_agg(f2, '{0,10,20,30,40,50,60,70,80,90,100}')"),
    ("mlobs.category_agg(c3)", "mlobs.category_agg(c3)"),
    ("mlobs.features_agg(features)", "mlobs.features_agg(features)"),
    ("mlobs.score_agg(score, label)", "mlobs.score_agg(score, label)"),
    ("mlobs.confusion_agg(label, score >= 0.5)", "mlobs.confusion_agg(label, score >= 0.5)"),
    ("mlobs.regression_agg(target, prediction)", "mlobs.regression_agg(target, prediction)"),
    ("mlobs.roc_auc_agg(score, label) (exact)", "mlobs.roc_auc_agg(score, label)"),
    ("mlobs.calibration_agg(score, label) (exact)", "mlobs.calibration_agg(score, label)"),
    ("percentile_cont(0.5) (built-in, sorts)", "percentile_cont(0.5) WITHIN GROUP (ORDER BY score)"),
]


def psql(port, sql):
    out = subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port),
                          "-U", "postgres", "-d", "mlobs_bench", "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tbl", required=True)
    ap.add_argument("--rows", type=int, required=True)
    a = ap.parse_args()
    psql(a.port, f"DELETE FROM bench_results WHERE tbl = '{a.tbl}' AND grp = 'memory'")
    for i, (name, agg) in enumerate(QUERIES, 1):
        out = psql(a.port, "SET max_parallel_workers_per_gather = 0; SET work_mem = '4GB'; "
                           f"SELECT count(*) FROM (SELECT avg(f2) AS v FROM {a.tbl}) s WHERE v IS NOT NULL; "
                           # Map the library's code: the same aggregate over a few rows first.
                           f"SELECT count(*) FROM (SELECT {agg} AS v FROM (SELECT * FROM {a.tbl} LIMIT 1000) t) s; "
                           "COPY (SELECT 5) TO '/proc/self/clear_refs'; "
                           "SELECT pg_read_file('/proc/self/status'); "
                           f"SELECT count(*) FROM (SELECT {agg} AS v FROM {a.tbl}) s WHERE v IS NOT NULL; "
                           "SELECT pg_read_file('/proc/self/status')")
        rss0 = int(re.findall(r"VmRSS:\s+(\d+) kB", out)[0])
        kb = int(re.findall(r"VmHWM:\s+(\d+) kB", out)[1]) - rss0
        psql(a.port, "INSERT INTO bench_results (tbl, rows, grp, mode, ord, name, ms) "
                     f"VALUES ('{a.tbl}', {a.rows}, 'memory', 'serial', {i}, $${name}$$, {kb})")
        print(f"{a.tbl} {name}: +{kb} kB at peak")


if __name__ == "__main__":
    main()
