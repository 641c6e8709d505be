#!/usr/bin/env python3
"""Compares the alerts of one or more Alertmanagers (API v2 GET /api/v2/alerts) with mlobs.alerts,
field by field, as docs/prometheus.md specifies the relay's payload. Polls until they agree or
--wait seconds pass. Used by run.sh; the expected side is computed here from SQL rows, not by
the relay's code.

stdin: JSON lines, one per mlobs alert in state firing:
  {id, state, rule, mode, model, feature, segment, metric, severity, value, threshold, monitor,
   kind, receiver, started_epoch}
Checks per alert and Alertmanager:
  labels        exactly alertname, model, metric, severity, monitor, receiver (+ feature, segment if
                not '': a whole-window alert has no segment label)
  annotations   exactly summary, description, value, threshold, mlobs_alert_id, runbook_url;
                summary/value/threshold/id/runbook_url equal, description names model, metric,
                value and monitor (value: as last sent; --sent files of earlier checks)
  startsAt      = started_at (to the millisecond); endsAt = updatedAt + 4 × --resend (± 10 s)
  generatorURL  a panel of examples/grafana/dashboards whose query reads the alert's metric (the
                overview's open-alerts table otherwise), var-model / var-feature / var-segment
                (non-empty values) as the dashboard has them
  status        suppressed and inhibited by the matching critical alert when a critical alert of
                the same model, feature, segment and metric fires, else active; routed to exactly the
                receiver named by mlobs.alert_routes (Alertmanager's severity routes agree)
  nothing else  no other alert is active in Alertmanager
"""
import argparse
import glob
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
TS = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


def epoch(s):
    """RFC 3339 → Unix seconds, without datetime.fromisoformat (its accepted forms vary by version)."""
    m = TS.match(s)
    if not m:
        raise ValueError(f"not RFC 3339: {s!r}")
    import calendar
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    t = calendar.timegm((y, mo, d, h, mi, se)) + (float("0." + m.group(7)) if m.group(7) else 0.0)
    if m.group(8) != "Z":
        sign = 1 if m.group(8)[0] == "+" else -1
        t -= sign * (int(m.group(8)[1:3]) * 3600 + int(m.group(8)[4:6]) * 60)
    return t


def dashboards():
    out = {}
    for f in glob.glob(os.path.join(ROOT, "examples/grafana/dashboards/*.json")):
        with open(f) as fh:
            d = json.load(fh)
        panels = {p["id"]: " ".join(t.get("rawSql", "") for t in p.get("targets", [])) for p in d.get("panels", [])}
        out[d["uid"]] = (panels, {v["name"] for v in d.get("templating", {}).get("list", [])})
    return out


def fmt(v):
    """A value as the relay writes it: 6 significant digits; json_build_object writes a non-finite
    float8 as the string "Infinity", "-Infinity" or "NaN", which the relay keeps as it is."""
    if isinstance(v, str):
        assert v in ("Infinity", "-Infinity", "NaN"), v
        return v
    return f"{v:.6g}"


def expected_labels(e):
    lb = {"alertname": e["rule"], "model": e["model"], "metric": e["metric"], "severity": e["severity"],
          "monitor": e["monitor"], "receiver": e["receiver"]}
    if e["feature"]:
        lb["feature"] = e["feature"]
    if e["segment"]:
        lb["segment"] = e["segment"]
    return lb


def check_alert(e, got, crit_keys, args, boards, sent):
    """Problems of one Alertmanager alert against its mlobs row (`sent`: the row as the relay last
    sent it; the relay sends on transitions and re-sends, so the value may be older)."""
    p = []
    want = expected_labels(e)
    if got["labels"] != want:
        p.append(f"labels {got['labels']} != {want}")
    value, thr = fmt(sent["value"]), fmt(e["threshold"])
    what = f"{e['model']} {e['feature'] + ' ' if e['feature'] else ''}{e['metric']}" \
        + (f" [segment {e['segment']}]" if e["segment"] else "")
    measure = "drop vs reference" if e["mode"] == "drop_vs_reference" else "="
    ann = got["annotations"]
    want_ann = {"summary": f"{e['rule']}: {what} {measure} {value} (threshold {thr})", "value": value,
                "threshold": thr, "mlobs_alert_id": str(e["id"]),
                "runbook_url": args.runbook.format(alertname=e["rule"], model=e["model"], feature=e["feature"],
                                                   metric=e["metric"], severity=e["severity"], segment=e["segment"])}
    if set(ann) != set(want_ann) | {"description"}:
        p.append(f"annotation keys {sorted(ann)}")
    for k, v in want_ann.items():
        if ann.get(k) != v:
            p.append(f"annotation {k}={ann.get(k)!r}, expected {v!r}")
    desc = ann.get("description", "")
    parts = [f"Model {e['model']}: {e['metric']}", value, f"Monitor '{e['monitor']}'"]
    if e["segment"]:
        parts.append(f" in segment {e['segment']} ")
    for part in parts:
        if part not in desc:
            p.append(f"description {desc!r} lacks {part!r}")
    if abs(epoch(got["startsAt"]) - e["started_epoch"]) > 0.001:
        p.append(f"startsAt {got['startsAt']} != started_at {e['started_epoch']}")
    ahead = epoch(got["endsAt"]) - epoch(got["updatedAt"])
    if abs(ahead - 4 * args.resend) > 10:
        p.append(f"endsAt {got['endsAt']} is {ahead:.0f} s after updatedAt, expected 4 x {args.resend:g} s")
    # generatorURL: the Grafana panel that draws the metric, scoped to the model (and feature).
    u = urllib.parse.urlsplit(got.get("generatorURL", ""))
    q = dict(urllib.parse.parse_qsl(u.query))
    m = re.fullmatch(r"/d/([^/]+)", u.path)
    if f"{u.scheme}://{u.netloc}" != args.grafana.rstrip("/") or not m or m.group(1) not in boards:
        p.append(f"generatorURL {got.get('generatorURL')!r}: not a dashboard of examples/grafana")
    else:
        panels, variables = boards[m.group(1)]
        sql = panels.get(int(q.get("viewPanel", "0")), None)
        if sql is None:
            p.append(f"generatorURL: dashboard {m.group(1)} has no panel {q.get('viewPanel')}")
        elif f"'{e['metric']}'" not in sql and (m.group(1), int(q["viewPanel"])) != ("mlobs-overview", 4):
            p.append(f"generatorURL: panel {m.group(1)}/{q['viewPanel']} does not read metric {e['metric']}")
        for var in ("model", "feature", "segment"):
            want_v = e[var] if var in variables and e[var] else None
            if q.get(f"var-{var}") != want_v:
                p.append(f"generatorURL var-{var}={q.get('var-' + var)!r}, expected {want_v!r}")
    # Inhibition: a warning under a firing critical of the same model, feature and metric.
    key = (e["model"], e["feature"], e["segment"], e["metric"])
    inhibited = e["severity"] != "critical" and key in crit_keys
    st = got["status"]
    if inhibited:
        if st["state"] != "suppressed" or not st.get("inhibitedBy"):
            p.append(f"not inhibited by the critical alert of {key}: status {st}")
    elif st["state"] != "active":
        p.append(f"state {st['state']} (inhibitedBy {st.get('inhibitedBy')}), expected active")
    routed = [r["name"] for r in got.get("receivers", [])]
    if routed != [e["receiver"]]:
        p.append(f"routed to {routed}, mlobs.alert_routes says {e['receiver']}")
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--alertmanager", action="append", required=True)
    ap.add_argument("--grafana", required=True)
    ap.add_argument("--runbook", required=True)
    ap.add_argument("--resend", type=float, required=True)
    ap.add_argument("--what", default="")
    ap.add_argument("--wait", type=float, default=40)
    ap.add_argument("--sent", action="append", default=[],
                    help="JSON lines of an earlier check: alerts in them were last sent then (their value)")
    args = ap.parse_args()
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    firing = [e for e in rows if e["state"] == "firing"]
    crit_keys = {(e["model"], e["feature"], e["segment"], e["metric"]) for e in firing if e["severity"] == "critical"}
    boards = dashboards()
    sent = {}
    for f in args.sent:
        with open(f) as fh:
            for line in fh:
                if line.strip():
                    sent.setdefault(json.loads(line)["id"], json.loads(line))
    by_labels = {json.dumps(expected_labels(e), sort_keys=True): e for e in firing}
    deadline = time.time() + args.wait
    while True:
        report, bad = [], 0
        for url in args.alertmanager:
            try:
                with urllib.request.urlopen(url.rstrip("/") + "/api/v2/alerts", timeout=5) as r:
                    alerts = json.load(r)
            except OSError as exc:
                report.append(f"  FAIL {url}: {exc}")
                bad += 1
                continue
            seen = set()
            for a in alerts:
                k = json.dumps(a["labels"], sort_keys=True)
                e = by_labels.get(k)
                name = (f"{a['labels'].get('alertname')}/{a['labels'].get('feature', '')}/{a['labels'].get('severity')}"
                        + (f" [{a['labels']['segment']}]" if "segment" in a["labels"] else ""))
                if e is None:
                    report.append(f"  FAIL {url}: unexpected alert {a['labels']}")
                    bad += 1
                    continue
                seen.add(k)
                problems = check_alert(e, a, crit_keys, args, boards, sent.get(e["id"], e))
                bad += bool(problems)
                report.append(f"  {'FAIL' if problems else 'ok  '} {url} {name} {a['status']['state']}"
                              + "".join(f"\n         {x}" for x in problems))
            for k in by_labels.keys() - seen:
                report.append(f"  MISSING {url} {k}")
                bad += 1
        if not bad or time.time() > deadline:
            break
        time.sleep(0.5)
    print("\n".join(report))
    if bad:
        sys.exit(f"Alertmanager ({args.what}): {bad} problems")
    print(f"  {len(firing)} firing mlobs alerts match field by field in {len(args.alertmanager)} Alertmanagers")


if __name__ == "__main__":
    main()
