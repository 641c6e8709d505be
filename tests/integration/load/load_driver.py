#!/usr/bin/env python3
"""Helper of the concurrency and load test (tests/integration/load/run.sh). Standard library only.

  load_driver.py dashboards --out DIR --from ISO --to ISO --model M --features a,b,...
      writes one pgbench script per Grafana query (every panel target of examples/grafana/dashboards
      except the explainability explorer, which needs registered models, plus the template-variable
      queries Grafana runs when a dashboard loads), expanded exactly as Grafana does (tests/integration/grafana/expand.py);
  load_driver.py report --dir DIR --t0 EPOCH --t-load EPOCH --t-end EPOCH --batch N --scripts-dir DIR
      reads the pgbench per-transaction logs (ingest.*, runner.*, dash.*) and prints the throughput report
      (key=value lines for load.sh, after the human-readable ones); exits 1 if ingest stalled.
"""
import argparse
import json
import math
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests/integration/grafana"))
import expand  # noqa: E402

DASHBOARDS = ["overview", "drift", "performance", "quality", "latency"]


def dashboards(args):
    frm, to = expand.parse_time(args.frm), expand.parse_time(args.to)
    features = args.features.split(",")
    # What Grafana sends: the single model; "All" features (every value of the variable's query);
    # the default segment, '' (the whole window).
    variables = {"model": {"value": args.model, "multi": False, "includeAll": False},
                 "segment": {"value": "", "multi": False, "includeAll": False},
                 "feature": {"value": features, "multi": True, "includeAll": True}}
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for name in DASHBOARDS:
        dash = json.loads((ROOT / f"examples/grafana/dashboards/{name}.json").read_text())
        queries = [(f"variable {v['name']}", v["query"]) for v in dash.get("templating", {}).get("list", [])
                   if v.get("type") == "query"]  # not the datasource variable
        queries += [(f"panel {p.get('title')}", t["rawSql"]) for p in dash["panels"] for t in p.get("targets", [])]
        for label, sql in queries:
            sql = expand.expand(sql, frm, to, variables, interval=args.interval).strip().rstrip(";")
            # Run with -M simple: pgbench then leaves ':name' alone unless a variable of that name exists.
            if re.search(r"\$\{?[A-Za-z_]", sql):
                raise SystemExit(f"{name} {label}: a template variable is left unexpanded: {sql}")
            if re.search(r":(client_id|scale|random_seed|default_seed)\b", sql):
                raise SystemExit(f"{name} {label}: pgbench would substitute a variable")
            n += 1
            (out / f"{n:02d}.sql").write_text(f"-- {name}: {label}\n{sql};\n")
    print(n)


def read_log(directory, prefix):
    """pgbench -l lines: client_id transaction_no time script_no time_epoch time_us [schedule_lag]."""
    rows = []
    for f in sorted(pathlib.Path(directory).glob(f"{prefix}.*")):
        for line in f.read_text().split("\n"):
            p = line.split()
            if not p:
                continue
            if not p[2].isdigit():  # 'failed' / 'skipped' instead of a latency
                rows.append((int(p[0]), None, int(p[3]), int(p[4]) + int(p[5]) / 1e6, None))
                continue
            lag = int(p[6]) if len(p) > 6 else 0
            rows.append((int(p[0]), int(p[2]) / 1e3, int(p[3]), int(p[4]) + int(p[5]) / 1e6, lag / 1e3))
    return rows


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, math.ceil(q * len(xs)) - 1))] if xs else float("nan")


def report(args):
    out = []
    kv = {}
    ingest = read_log(args.dir, "ingest")
    ok = [r for r in ingest if r[1] is not None]
    failed = len(ingest) - len(ok)
    t0, t_load, t_end = args.t0, args.t_load, args.t_end
    # Baseline: ingest alone, after a 1 s warm-up (connections, caches); loaded: runners and dashboards on.
    base = [r for r in ok if t0 + 1 <= r[3] < t_load]
    load = [r for r in ok if t_load <= r[3] < t_end]
    base_s, load_s = t_load - (t0 + 1), t_end - t_load
    base_rate = len(base) * args.batch / base_s
    load_rate = len(load) * args.batch / load_s
    kv.update(ingest_txns=len(ok), ingest_rows=len(ok) * args.batch, ingest_failed=failed,
              ingest_baseline_rows_per_s=round(base_rate), ingest_loaded_rows_per_s=round(load_rate),
              ingest_held_ratio=round(load_rate / base_rate, 3) if base_rate else 0)
    out.append(f"ingest: {len(ok) * args.batch} rows in {len(ok)} transactions ({failed} failed); "
               f"baseline (ingest only, {base_s:.0f} s) {base_rate:.0f} rows/s, with monitors and dashboards "
               f"({load_s:.0f} s) {load_rate:.0f} rows/s: ratio {load_rate / base_rate if base_rate else 0:.3f}")
    per_client = {}
    for r in load:
        per_client[r[0]] = per_client.get(r[0], 0) + 1
    out.append("ingest per client (loaded phase): " + ", ".join(
        f"#{c} {n * args.batch / load_s:.0f} rows/s" for c, n in sorted(per_client.items())))
    lat = [r[1] for r in ok]
    out.append(f"ingest transaction latency: p50 {pct(lat, 0.5):.2f} ms, p99 {pct(lat, 0.99):.2f} ms, "
               f"max {max(lat, default=0):.1f} ms")
    kv.update(ingest_latency_max_ms=round(max(lat, default=0), 1))
    # A stall (no commit for 5 s) would mean ingest was blocked behind the monitors or the dashboards.
    buckets = {}
    for r in ok:
        if t0 + 1 <= r[3] < t_end:
            b = int((r[3] - t0 - 1) // 5)
            buckets[b] = buckets.get(b, 0) + 1
    nb = int((t_end - t0 - 1) // 5)
    empty = [b for b in range(nb) if b not in buckets]
    series = [buckets.get(b, 0) * args.batch / 5 for b in range(nb)]
    out.append("ingest rows/s per 5 s: " + " ".join(f"{x:.0f}" for x in series))
    kv.update(ingest_stalled_buckets=len(empty), ingest_min_5s_rows_per_s=round(min(series, default=0)))

    runner = read_log(args.dir, "runner")
    kv.update(runner_calls=len([r for r in runner if r[1] is not None]), runner_failed=len([r for r in runner if r[1] is None]))

    dash = read_log(args.dir, "dash")
    dok = [r for r in dash if r[1] is not None]
    # -R: pgbench's time counts from the scheduled start; the query itself took time - schedule_lag.
    dlat = [r[1] - r[4] for r in dok]
    qps = len(dok) / load_s
    out.append(f"dashboards: {len(dok)} queries ({len(dash) - len(dok)} failed), {qps:.1f} queries/s, "
               f"latency p50 {pct(dlat, 0.5):.1f} ms, p95 {pct(dlat, 0.95):.1f} ms, max {max(dlat, default=0):.1f} ms")
    by_script = {}
    for r, l in zip(dok, dlat):
        by_script.setdefault(r[2], []).append(l)
    names = sorted(pathlib.Path(args.scripts_dir).glob("*.sql"))
    slow = sorted(by_script.items(), key=lambda kv_: -pct(kv_[1], 0.95))[:3]
    for s, ls in slow:
        title = names[s].read_text().split("\n")[0][3:] if s < len(names) else f"script {s}"
        out.append(f"  slowest: {title}: p95 {pct(ls, 0.95):.1f} ms over {len(ls)} runs")
    kv.update(dash_queries=len(dok), dash_failed=len(dash) - len(dok), dash_qps=round(qps, 1),
              dash_p50_ms=round(pct(dlat, 0.5), 1), dash_p95_ms=round(pct(dlat, 0.95), 1))
    print("\n".join(out))
    for k, v in kv.items():
        print(f"{k}={v}")
    if empty:
        print(f"FAIL: no ingest commit at all in {len(empty)} 5-second interval(s) (blocked?)", file=sys.stderr)
        sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dashboards")
    d.add_argument("--out", required=True)
    d.add_argument("--from", dest="frm", required=True)
    d.add_argument("--to", required=True)
    d.add_argument("--model", required=True)
    d.add_argument("--features", required=True)
    d.add_argument("--interval", default="1m")
    r = sub.add_parser("report")
    r.add_argument("--dir", required=True)
    r.add_argument("--scripts-dir", required=True)
    r.add_argument("--t0", type=float, required=True)
    r.add_argument("--t-load", type=float, required=True)
    r.add_argument("--t-end", type=float, required=True)
    r.add_argument("--batch", type=int, default=1)
    args = ap.parse_args()
    dashboards(args) if args.cmd == "dashboards" else report(args)


if __name__ == "__main__":
    main()
