#!/usr/bin/env python3
"""Drives sqlsmith against a server with mlobs loaded and judges the *server*: an ERROR is fine,
a backend terminated by a signal, a postmaster restart or exit, a PANIC or a lost connection is
a failure. Standard library only; called by tests/integration/sqlsmith/run.sh.

    python3 tests/integration/sqlsmith/sqlsmith_run.py --port P --data DIR --log FILE (--seconds S | --queries N)

sqlsmith runs with --verbose --dump-all-queries, stdout and stderr merged into one pipe: every
generated query is printed, then one status character once it ran ('.' ok, 'e' error, 't'
timeout, 'S' syntax error, 'C' connection lost), and every 800 queries a report (query count,
error classes). Parsing that stream attributes each status to its query, which gives the mlobs
functions that ran in queries that completed, and the exact query of a lost connection.
"""
import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import threading
import time

QUERY_START = re.compile(r"^(select|insert|update|delete|merge|with|values)\b", re.I)
MLOBS_CALL = re.compile(r"\bmlobs\.([a-z_0-9]+)\(")
# ERRORs that are not crashes but betray a Rust panic or pgrx's own argument checks reaching the
# user (listed, not failed: the judge is the server).
# (mlobs's own messages say "must not be NULL"; pgrx's "argument 0 must not be null", "0 was null".)
SUSPICIOUS = re.compile(r"unwrap\(\)|panicked|argument \d+ must not be null|^ERROR:  \d+ was null|out of bounds"
                        r"|with overflow|unreachable|RUST_BACKTRACE")
# Per-process settings (libpq "options"), cycled over the processes by --modes.
MODES = {
    # every mlobs function + the built-ins over the column types (sqlsmith_setup.sql)
    "focused": "-csearch_path=smith_catalog,pg_catalog",
    # the same, with parallel plans wherever possible: mlobs's partial aggregates, combine,
    # serial/deserial functions and types cross worker boundaries under random queries
    "parallel": "-csearch_path=smith_catalog,pg_catalog -cparallel_setup_cost=0 -cparallel_tuple_cost=0 "
                "-cmin_parallel_table_scan_size=0 -cmin_parallel_index_scan_size=0",
    # the whole catalog, as sqlsmith is usually run
    "full": "",
}
# What the postmaster logs when a backend dies abnormally or the server goes down.
CRASH = re.compile(r"(terminated by signal \d+.*|server process .* was terminated.*|.*exited with exit code (?!0\b|1\b)\d+.*"
                   r"|PANIC:.*|could not fork.*|terminating any other active server processes.*"
                   r"|all server processes terminated.*|shutting down because restart_after_crash is off.*)")


class Smith:
    """One sqlsmith process and the parse of its output."""

    def __init__(self, cmd, out_dir, index):
        self.index = index
        self.status = collections.Counter()
        self.called = collections.Counter()      # mlobs function -> queries referencing it
        self.completed = collections.Counter()   # ... that completed without error
        self.report = {}                         # last report: queries, error classes
        self.recent = collections.deque(maxlen=20)
        self.lost = []                           # queries whose connection was lost
        self.other = []                          # unrecognised output (sqlsmith's own failures)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=out_dir,
                                     text=True, errors="replace", bufsize=1 << 16)
        self.thread = threading.Thread(target=self._parse, daemon=True)
        self.thread.start()

    def _finish(self, query, status):
        self.status[status] += 1
        names = set(MLOBS_CALL.findall(query))
        for n in names:
            self.called[n] += 1
            if status == ".":
                self.completed[n] += 1
        self.recent.append((status, query))
        if status == "C":
            self.lost.append(query)

    def _parse(self):
        buf, pending = None, None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if pending is not None:
                if line == "":           # the progress line wrapped before the status character
                    continue
                if line[0] in ".etSC":
                    self._finish(pending, line[0])
                    line = line[1:]
                else:                    # interrupted (SIGINT report) before its status
                    self.recent.append(("?", pending))
                pending = None
                if line == "":
                    continue
            if buf is None and QUERY_START.match(line):
                buf = []
            if buf is not None and re.match(r"^queries: \d+$", line):
                buf = None                # SIGINT's report cut a query being printed
            if buf is not None:
                buf.append(line)
                if line.endswith(";"):
                    pending, buf = "\n".join(buf), None
                continue
            m = re.match(r"^queries: (\d+)$", line)
            if m:
                self.report = {"queries": int(m.group(1)), "errors": collections.Counter()}
            elif re.match(r"^(\d+)\t", line) and self.report:
                count, msg = line.split("\t", 1)
                self.report["errors"][msg.strip()] += int(count)
            elif line.strip() and not re.match(r"^(AST stats|error rate|impedance report|  \w+: \d+/\d+ \(bad/ok\)"
                                               r"|sqlsmith|SQLsmith|Loading|Generating)", line):
                self.other.append(line)
        if pending is not None:          # interrupted before its status: count it as not run
            self.recent.append(("?", pending))


def quote(text):
    return "'" + text.replace("'", "''") + "'"


def psql(port, sql, db="postgres", user="postgres"):
    res = subprocess.run(["psql", "-X", "-q", "-At", "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", db,
                          "-c", sql], capture_output=True, text=True)
    return res.stdout.strip() if res.returncode == 0 else None


class LogWatch:
    """Crash lines the server logged since the run began."""

    def __init__(self, path):
        self.path, self.offset, self.crashes = path, os.path.getsize(path), []

    def poll(self):
        with open(self.path, errors="replace") as fh:
            fh.seek(self.offset)
            text = fh.read()
            self.offset = fh.tell()
        self.crashes += [m.group(0) for m in CRASH.finditer(text)]
        return self.crashes


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", default="mlobs_sqlsmith")
    ap.add_argument("--user", default="mlobs_smith")
    ap.add_argument("--data", required=True, help="the cluster's data directory (postmaster.pid)")
    ap.add_argument("--log", required=True, help="the server log file")
    ap.add_argument("--out", required=True, help="directory for sqlsmith's working files and lost queries")
    ap.add_argument("--seconds", type=int, default=90, help="time budget (ignored with --queries)")
    ap.add_argument("--queries", type=int, default=0, help="total queries over all processes")
    ap.add_argument("--max-seconds", type=int, default=4 * 3600, help="hard cap with --queries")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--modes", default="focused", help=f"comma-separated, cycled over the processes: {', '.join(MODES)}")
    ap.add_argument("--replay", help="SQL file replayed as --user before sqlsmith starts")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    with open(os.path.join(args.data, "postmaster.pid")) as fh:
        pm_pid = int(fh.readline())
    started = psql(args.port, "SELECT pg_postmaster_start_time()")
    watch = LogWatch(args.log)
    failures = []

    if args.replay:
        res = subprocess.run(["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(args.port), "-U", args.user,
                              "-d", args.db, "-v", "VERBOSITY=verbose", "-f", args.replay],
                             capture_output=True, text=True)
        n = len(re.findall(r"^\s*[^-\s].*;\s*$", open(args.replay).read(), re.M))
        lost = "server closed the connection" in res.stderr or "connection to server" in res.stderr
        internal = re.findall(r"^psql:.*ERROR:  XX000: .*", res.stderr, re.M)
        if lost or watch.poll() or not alive(pm_pid):
            failures.append(f"replaying {args.replay} crashed the server:\n{res.stderr[-2000:]}")
        elif internal:
            failures.append(f"replaying {args.replay}: internal errors (XX000):\n" + "\n".join(internal))
        else:
            print(f"regressions: {args.replay} replayed ({n} statements), server alive", flush=True)

    psql(args.port, "SELECT pg_stat_reset()", db=args.db)  # count only what sqlsmith executes
    per_proc = -(-args.queries // args.procs) if args.queries else 0
    target = f"host=127.0.0.1 port={args.port} user={args.user} dbname={args.db}"
    modes = args.modes.split(",")
    if set(modes) - set(MODES):
        sys.exit(f"unknown mode in {args.modes}; modes: {', '.join(MODES)}")
    smiths = []
    t0 = time.monotonic()
    if not failures:
        for i in range(args.procs):
            options = MODES[modes[i % len(modes)]]
            conn = target + (f" options='{options}'" if options else "")
            cmd = ["sqlsmith", f"--target={conn}", f"--seed={args.seed + i}", "--verbose", "--exclude-catalog",
                   "--dump-all-queries"]
            if per_proc:
                cmd.append(f"--max-queries={per_proc}")
            smiths.append(Smith(cmd, args.out, i))
    budget = args.max_seconds if args.queries else args.seconds
    stopped, next_progress = None, 300
    while any(s.proc.poll() is None for s in smiths):
        time.sleep(1)
        elapsed = time.monotonic() - t0
        if elapsed >= next_progress:  # long runs show they are alive
            next_progress += 300
            done = sum(sum(s.status.values()) for s in smiths)
            print(f"  ... {elapsed:.0f} s: {done} queries ({done / elapsed:.0f}/s)", flush=True)
        if watch.poll() or not alive(pm_pid):
            stopped = "server crash"
        elif any(s.lost for s in smiths):
            stopped = "lost connection"
        elif elapsed >= budget:
            stopped = "time budget" if not args.queries else "hard time cap"
        if stopped:
            # sqlsmith prints its final report on SIGINT.
            for s in smiths:
                if s.proc.poll() is None:
                    s.proc.send_signal(signal.SIGINT)
            for s in smiths:
                try:
                    s.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    s.proc.kill()
            break
    for s in smiths:
        s.proc.wait()
        s.thread.join()
    elapsed = time.monotonic() - t0
    # sqlsmith's backends finish their statement (<= 1 s) and flush their function counters on
    # exit; the server logs a crash a moment after the client sees it.
    for _ in range(20):
        time.sleep(0.5)
        if psql(args.port, "SELECT count(*) FROM pg_stat_activity WHERE usename = %s" % quote(args.user)) in ("0", None):
            break

    # Judge the server.
    crashes = watch.poll()
    if crashes:
        failures.append("server log: " + " | ".join(crashes[:5]))
    if not alive(pm_pid):
        failures.append(f"postmaster {pm_pid} is gone")
    if psql(args.port, "SELECT 1") != "1":
        failures.append("server does not accept connections")
    elif psql(args.port, "SELECT pg_postmaster_start_time()") != started:
        failures.append("postmaster restarted")
    for s in smiths:
        for j, q in enumerate(s.lost):
            path = os.path.join(args.out, f"lost-{s.index}-{j}.sql")
            with open(path, "w") as fh:
                fh.write(q + "\n")
            failures.append(f"sqlsmith {s.index} lost its connection on the query saved in {path}")
        if s.other:
            print(f"sqlsmith {s.index} also printed:", *s.other[:10], sep="\n  ")
        if s.proc.returncode not in (0, 1) or (s.proc.returncode == 1 and not stopped):
            failures.append(f"sqlsmith {s.index} exited with {s.proc.returncode}")
    if args.queries and stopped and stopped not in ("server crash", "lost connection"):
        failures.append(f"stopped by the {stopped} ({args.max_seconds} s) before {args.queries} queries")

    # Figures.
    status = sum((s.status for s in smiths), collections.Counter())
    generated = sum(max(s.report.get("queries", 0), sum(s.status.values())) for s in smiths)
    errors = sum((s.report.get("errors", collections.Counter()) for s in smiths), collections.Counter())
    ran = sum(status.values())
    print(f"sqlsmith: {args.procs} process(es), seeds {args.seed}..{args.seed + args.procs - 1}, "
          f"modes {','.join(modes[i % len(modes)] for i in range(args.procs))}, "
          f"{elapsed:.0f} s{f' (stopped: {stopped})' if stopped else ''}")
    print(f"queries: {generated} generated by sqlsmith's count, {ran} parsed with a status "
          f"({ran / max(elapsed, 1):.0f}/s): {status['.']} ok, {status['e']} errors, {status['t']} timeouts, "
          f"{status['S']} syntax errors, {status['C']} lost connections")
    print("top error classes (sqlsmith's first lines):")
    for msg, n in errors.most_common(12):
        print(f"  {n:7d}  {msg[:110]}")
    suspicious = [(m, n) for m, n in errors.most_common() if SUSPICIOUS.search(m)]
    if suspicious:
        print("errors that look like a Rust panic or pgrx internals (not crashes; worth a look):")
        for msg, n in suspicious:
            print(f"  {n:7d}  {msg[:110]}")

    # Coverage: the mlobs functions a user can call, against what sqlsmith reached.
    rows = psql(args.port, """
        SELECT p.proname, bool_or(p.prokind = 'a'), bool_and(p.proretset)
          FROM pg_proc p WHERE p.pronamespace = 'mlobs'::regnamespace AND p.proname !~ '^_'
           AND NOT EXISTS (SELECT 1 FROM unnest(p.proargtypes) t WHERE t IN ('internal'::regtype, 'cstring'::regtype))
           AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype)
           AND p.proname !~ '_(send|recv|trans|final|combine|serial|deserial)$'
           AND has_function_privilege(%s, p.oid, 'EXECUTE')
         GROUP BY 1 ORDER BY 1""" % quote(args.user), db=args.db) or ""
    catalog = {r.split("|")[0]: (r.split("|")[1] == "t", r.split("|")[2] == "t") for r in rows.splitlines()}
    called = set().union(*(s.called for s in smiths)) & set(catalog)
    completed = set().union(*(s.completed for s in smiths)) & set(catalog)
    # Counters were reset when sqlsmith started; a call that raised an ERROR is not counted.
    stats = psql(args.port, "SELECT funcname || '|' || calls FROM pg_stat_user_functions "
                            "WHERE schemaname = 'mlobs' AND calls > 0", db=args.db) or ""
    executed = {r.split("|")[0] for r in stats.splitlines()} & set(catalog)
    setof = {n for n, (_, srf) in catalog.items() if srf}
    aggs = {n for n, (agg, _) in catalog.items() if agg}
    if not catalog:
        print("mlobs coverage: not measured (the server is down)")
    else:
        print(f"mlobs coverage: {len(catalog)} function names {args.user} may call ({len(aggs)} aggregates, "
              f"{len(setof)} set-returning, which sqlsmith never generates: reached through views only); "
              f"referenced in generated queries: {len(called)}; in queries that completed: {len(completed)}; "
              f"executed without error per pg_stat_user_functions (directly or through the views): "
              f"{len(executed)} of the {len(set(catalog) - aggs)} non-aggregates (aggregates are not tracked there)")
        never = sorted(set(catalog) - called - setof)
        print(f"never referenced: {', '.join(never) if never else 'none'}")
        idle = sorted(set(catalog) - aggs - executed)
        print(f"non-aggregates never executed without error: {', '.join(idle) if idle else 'none'}")

    if failures:
        print("FAIL: sqlsmith:", *failures, sep="\n  ")
        for s in smiths:
            # The query in flight when the server went down is the last one (status C or ?).
            path = os.path.join(args.out, f"recent-{s.index}.sql")
            with open(path, "w") as fh:
                fh.writelines(f"-- status {st}\n{q}\n" for st, q in s.recent)
            if s.recent and (s.lost or crashes):
                st, q = s.recent[-1]
                print(f"last query of sqlsmith {s.index} (status {st}; its last 20 in {path}):\n{q}")
        sys.exit(1)
    print(f"PASS: sqlsmith: {generated} queries in {elapsed:.0f} s ({ran / max(elapsed, 1):.0f}/s), "
          f"{status['e'] + status['S']} errors, {status['t']} timeouts, 0 crashes, postmaster {pm_pid} unchanged; "
          f"mlobs functions: {len(completed)}/{len(catalog)} in completed queries, {len(executed)} executed")


if __name__ == "__main__":
    main()
