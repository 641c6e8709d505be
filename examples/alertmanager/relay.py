#!/usr/bin/env python3
"""Relays mlobs alerts to Prometheus Alertmanager (API v2). Standard library + the psql client.

Needs Python 3.7 or later (checked at start). mlobs.evaluate_alerts() NOTIFYs channel
`mlobs_alerts` with the alert id on every transition (pending → firing → resolved). This relay
LISTENs on that channel, reads the alert row (rule, severity, the receiver mlobs.alert_routes
assigns to the severity) and POSTs it to /api/v2/alerts of every Alertmanager given (an HA
cluster needs them all: its members do not forward alerts to each other):

  labels        alertname=<rule name>, model, feature (omitted when ''), segment (omitted
                when '': the whole window), metric, severity, receiver, monitor
  annotations   summary, description, value, threshold, mlobs_alert_id, and runbook_url
                (with --runbook-url)
  generatorURL  with --grafana-url: the Grafana panel that draws the alert's metric
                (docs/grafana.md dashboards), scoped to the model (and feature, segment)
  startsAt      the alert's started_at (window end of the first breach)
  endsAt        firing: now + 4 × --resend (as Prometheus does: the alert stays active while the
                relay re-sends it, and resolves by itself 4 re-sends after the relay stopped);
                resolved: resolved_at (never later than now)

`metric` and `feature` are labels, so an Alertmanager inhibit rule can silence psi_warning while
psi_critical fires for the same model, feature and metric (examples/alertmanager/alertmanager.yml).
Pending alerts are not sent. The relay re-sends every firing alert (and alerts resolved in the
last --resolved-lookback seconds) at start and every --resend seconds: that keeps endsAt ahead and
heals notifications missed while the relay was down (NOTIFY is not queued for absent listeners).
Timestamps are formatted by PostgreSQL (RFC 3339, UTC, microseconds), never parsed from its text
output (whose 5-digit fractions Python 3.10's fromisoformat rejects).

Why psql instead of a driver: LISTEN needs a PostgreSQL connection, and the standard library has
no driver. A `psql` subprocess (always installed next to PostgreSQL; every auth method, TLS and
~/.pgpass for free) prints "Asynchronous notification ... payload ..." lines after each statement
it runs, so the relay sends a cheap `SELECT 1` every --poll seconds and reads the lines up to an
\\echo marker. Notifications are delayed by at most --poll seconds, which is far below the
monitors' window sizes, and there is nothing to pip-install or pin.

Usage:
  python3 examples/alertmanager/relay.py --dsn 'host=127.0.0.1 port=5432 dbname=app user=mlobs_relay' \\
      --alertmanager http://am-1:9093 --alertmanager http://am-2:9093 \\
      --grafana-url https://grafana.internal \\
      --runbook-url 'https://wiki.internal/ml/runbooks/{alertname}'   # run forever (systemd, ...)
  ... --once                                           # send the current state once and exit
  ... --timeout 60                                     # listen for 60 s, then exit (tests)
Exit status: 0, or 1 when psql fails (connection lost, ...) or, with --once, when an
Alertmanager did not accept the alerts.
"""
import sys

if sys.version_info < (3, 7):  # subprocess text=True, datetime.timezone, dict order
    sys.exit("relay.py needs Python 3.7 or later, this is %s" % sys.version.split()[0])

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import queue  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402

NOTIFICATION = re.compile(r'^Asynchronous notification "mlobs_alerts" with payload "(\d+)" received')
# PostgreSQL formats the timestamps: RFC 3339 in UTC with 6 fractional digits, which every
# Python 3.7+ parses with TS_FORMAT (psql's own text form has 0-6 digits and a +00 offset).
TS_SQL = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
ALERTS_SQL = """SELECT row_to_json(x) FROM (
  SELECT a.id, a.state, r.name AS rule, r.mode, r.comparison, r.for_duration::text AS for_duration,
         r.request_retraining, a.model, a.feature, a.segment, a.metric, a.severity, a.value, a.worst_value, a.threshold,
         a.judged_rows, m.name AS monitor, m.kind, rt.receiver, a.resolved_reason,
         """ + TS_SQL.format("a.window_start") + """ AS window_start,
         """ + TS_SQL.format("a.started_at") + """ AS started_at,
         """ + TS_SQL.format("a.fired_at") + """ AS fired_at,
         """ + TS_SQL.format("a.resolved_at") + """ AS resolved_at
    FROM mlobs.alerts a
    JOIN mlobs.alert_rules r ON r.id = a.rule_id
    JOIN mlobs.monitors m ON m.id = a.monitor_id
    LEFT JOIN mlobs.alert_routes rt ON rt.severity = a.severity
   WHERE {where}
   ORDER BY a.id) x;"""

# The Grafana panel (examples/grafana/dashboards: uid, panel id) that draws a metric, and the
# dashboards' template variables. Other metrics link to the overview's open-alerts table.
PANELS = {
    "psi": ("mlobs-drift", 1), "drifted_features": ("mlobs-drift", 2), "drift_share": ("mlobs-drift", 3),
    "kl_div": ("mlobs-drift", 4),
    "missing_share": ("mlobs-quality", 1), "outlier_share": ("mlobs-quality", 2),
    "out_of_range_share": ("mlobs-quality", 3), "new_category_share": ("mlobs-quality", 4),
    "almost_constant": ("mlobs-quality", 4),
    "latency_p50_seconds": ("mlobs-latency", 1), "latency_p99_seconds": ("mlobs-latency", 1),
    "error_rate": ("mlobs-latency", 2),
    "accuracy": ("mlobs-performance", 1), "cbpe_accuracy": ("mlobs-performance", 1),
    "labelled_share": ("mlobs-performance", 1), "f1": ("mlobs-performance", 2),
    "cbpe_f1": ("mlobs-performance", 2), "roc_auc": ("mlobs-performance", 3),
}
DROP_PANELS = {"accuracy": ("mlobs-performance", 4)}  # rules with mode drop_vs_reference
OVERVIEW = ("mlobs-overview", 4)
DASHBOARD_VARS = {"mlobs-drift": ("model", "segment", "feature"), "mlobs-quality": ("model", "segment", "feature"),
                  "mlobs-latency": ("model", "segment"), "mlobs-performance": ("model", "segment")}


def log(msg):
    print(f"[relay] {msg}", flush=True)


class Psql:
    """One psql session: statements in, result lines and notification payloads out."""

    def __init__(self, dsn):
        self.proc = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lines = queue.Queue()
        self.marks = itertools.count()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # EOF: psql exited

    def run(self, sql, timeout=30):
        """Runs sql; returns (result lines, notified alert ids)."""
        mark = f"__mlobs_relay_{next(self.marks)}__"
        try:
            self.proc.stdin.write(f"{sql}\n\\echo {mark}\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise RuntimeError("psql exited") from None
        rows, ids = [], []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"psql did not answer within {timeout} s") from None
            if line is None:
                raise RuntimeError(f"psql exited with status {self.proc.wait()}")
            if line == mark:
                return rows, ids
            m = NOTIFICATION.match(line)
            if m:
                ids.append(int(m.group(1)))
            elif line:
                rows.append(line)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def parse_ts(value):
    """A TS_SQL timestamp (or None) as an aware datetime."""
    return dt.datetime.strptime(value, TS_FORMAT).replace(tzinfo=dt.timezone.utc) if value else None


def rfc3339(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def minute(t):
    """A TS_SQL timestamp to the minute, for text: 2026-01-03 12:00."""
    return t[:16].replace("T", " ")


# row_to_json writes a non-finite float8 (a latency window of timeouts has an infinite p99) as
# the JSON string "Infinity", "-Infinity" or "NaN": keep PostgreSQL's spelling for those.
NON_FINITE = {"Infinity": "Infinity", "-Infinity": "-Infinity", "NaN": "NaN"}


def num(v):
    """An alert's value, threshold or worst value as text: 6 significant digits, '' for NULL."""
    if v is None:
        return ""
    if isinstance(v, str):
        return NON_FINITE.get(v, v)
    if isinstance(v, float) and v != v:
        return "NaN"
    if isinstance(v, float) and v in (float("inf"), float("-inf")):
        return "Infinity" if v > 0 else "-Infinity"
    return f"{v:.6g}"


def generator_url(grafana, a, now):
    """The Grafana panel of the alert's metric: dashboard, model (feature, segment), a week before the
    first breach up to now (resolved: a day after the resolution)."""
    uid, panel = (DROP_PANELS if a["mode"] == "drop_vs_reference" else {}).get(a["metric"]) \
        or PANELS.get(a["metric"]) or OVERVIEW
    params = [("orgId", "1")]
    for var in DASHBOARD_VARS.get(uid, ()):
        if a[var]:
            params.append((f"var-{var}", a[var]))
    start = parse_ts(a["started_at"]) - dt.timedelta(days=7)
    end = parse_ts(a["resolved_at"]) + dt.timedelta(days=1) if a["state"] == "resolved" else None
    params += [("viewPanel", str(panel)), ("from", str(int(start.timestamp() * 1000))),
               ("to", str(int(end.timestamp() * 1000)) if end else "now")]
    return f"{grafana.rstrip('/')}/d/{uid}?{urllib.parse.urlencode(params)}"


def to_alertmanager(a, now, args):
    """The postable alert for an mlobs.alerts row (None for pending alerts)."""
    if a["state"] == "pending":
        return None
    labels = {"alertname": a["rule"], "model": a["model"], "metric": a["metric"], "severity": a["severity"],
              "monitor": a["monitor"]}
    if a["feature"]:
        labels["feature"] = a["feature"]
    if a["segment"]:
        labels["segment"] = a["segment"]
    if a["receiver"]:
        labels["receiver"] = a["receiver"]
    value, threshold = num(a["value"]), num(a["threshold"])
    what = (f"{a['model']} {a['feature'] + ' ' if a['feature'] else ''}{a['metric']}"
            + (f" [segment {a['segment']}]" if a["segment"] else ""))
    measure = "drop vs reference" if a["mode"] == "drop_vs_reference" else "="
    window = f"{minute(a['window_start'])} – {minute(a['started_at'])} UTC" if a["window_start"] \
        else f"ending {minute(a['started_at'])} UTC"
    description = (
        f"Model {a['model']}: {a['metric']}"
        + (f" of feature {a['feature']}" if a["feature"] else "")
        + (f" in segment {a['segment']}" if a["segment"] else "")
        + f" {measure} {value} {a['comparison']} {threshold} (rule {a['rule']}, {a['severity']}"
        + (f", for {a['for_duration']}" if a["for_duration"] not in ("00:00:00", "0") else "")
        + f"). First breach in the window {window}; worst value {num(a['worst_value'])}"
        + (f", {a['judged_rows']} rows in the last judged window" if a["judged_rows"] is not None else "")
        + f". Monitor '{a['monitor']}' ({a['kind']})."
        + (" mlobs requested retraining." if a["request_retraining"] else "")
        + (f" Resolved: {a['resolved_reason']}." if a["state"] == "resolved" and a["resolved_reason"] else ""))
    annotations = {
        "summary": f"{a['rule']}: {what} {measure} {value} (threshold {threshold})",
        "description": description,
        "value": value,
        "threshold": threshold,
        "mlobs_alert_id": str(a["id"]),
    }
    if args.runbook_url:
        annotations["runbook_url"] = args.runbook_url.format(
            alertname=a["rule"], model=a["model"], feature=a["feature"], metric=a["metric"], severity=a["severity"],
            segment=a["segment"])
    starts = parse_ts(a["started_at"])
    alert = {"labels": labels, "annotations": annotations}
    if a["state"] == "resolved":
        ends = min(parse_ts(a["resolved_at"]) or now, now)
        starts = min(starts, ends)
    else:
        ends = now + dt.timedelta(seconds=4 * args.resend)
    alert["startsAt"] = rfc3339(starts)
    alert["endsAt"] = rfc3339(ends)
    if args.grafana_url:
        alert["generatorURL"] = generator_url(args.grafana_url, a, now)
    return alert


def post(url, alerts):
    body = json.dumps(alerts).encode()
    req = urllib.request.Request(url.rstrip("/") + "/api/v2/alerts", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def fetch(db, where):
    rows, ids = db.run(ALERTS_SQL.format(where=where))
    return [json.loads(r) for r in rows], ids


def send(args, rows):
    """POSTs the non-pending rows to every Alertmanager; returns (accepted by all, by at least one)."""
    now = dt.datetime.now(dt.timezone.utc)
    alerts = []
    for r in rows:
        # One row the relay cannot format must not hold back every other alert (nor crash-loop
        # the relay, which re-sends every firing alert at start): log it and send the rest.
        try:
            a = to_alertmanager(r, now, args)
        except Exception as e:  # noqa: BLE001
            log(f"alert id={r.get('id')} not sent: {type(e).__name__}: {e}")
            continue
        if a is not None:
            alerts.append((r, a))
    if not alerts:
        return True, True
    accepted = 0
    for url in args.alertmanager:
        try:
            post(url, [a for _, a in alerts])
            accepted += 1
        except urllib.error.HTTPError as e:  # 400: Alertmanager rejected the payload, and says why
            log(f"POST {url}/api/v2/alerts failed: {e} {e.read().decode(errors='replace').strip()}")
        except (urllib.error.URLError, OSError) as e:
            log(f"POST {url}/api/v2/alerts failed: {e}")
    if accepted:
        for r, a in alerts:
            log(f"sent {r['state']} id={r['id']} to {accepted}/{len(args.alertmanager)} "
                + " ".join(f"{k}={v}" for k, v in a["labels"].items()))
    return accepted == len(args.alertmanager), accepted > 0


def sync(args, db):
    """Every firing alert, and the recently resolved ones: the state Alertmanager should have."""
    rows, ids = fetch(db, f"a.state = 'firing' OR (a.state = 'resolved' AND a.updated_at >= now() - "
                          f"make_interval(secs => {float(args.resolved_lookback)}))")
    return send(args, rows)[0], ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--dsn", required=True, help="libpq connection string or URI (role with mlobs_reader)")
    ap.add_argument("--alertmanager", required=True, action="append",
                    help="Alertmanager base URL, e.g. http://127.0.0.1:9093; repeat it (or separate by commas) for "
                         "every member of an HA cluster")
    ap.add_argument("--grafana-url", help="Grafana base URL: generatorURL links to the metric's panel")
    ap.add_argument("--runbook-url", help="runbook_url annotation, a template with {alertname} {model} {feature} "
                                          "{segment} {metric} {severity}, e.g. https://wiki.internal/runbooks/{alertname}")
    ap.add_argument("--once", action="store_true", help="send the current state once and exit")
    ap.add_argument("--timeout", type=float, help="listen this many seconds, then exit 0 (default: forever)")
    ap.add_argument("--poll", type=float, default=1.0, help="seconds between notification checks (1)")
    ap.add_argument("--resend", type=float, default=60.0, help="seconds between re-sends of firing alerts (60)")
    ap.add_argument("--resolved-lookback", type=float, default=900.0,
                    help="re-send alerts resolved this many seconds ago or later (900)")
    args = ap.parse_args()
    args.alertmanager = [u.strip() for a in args.alertmanager for u in a.split(",") if u.strip()]

    db = Psql(args.dsn)
    try:
        db.run("SET timezone = 'UTC'; LISTEN mlobs_alerts;")
        ok, pending = sync(args, db)
        if args.once:
            return 0 if ok else 1
        log("listening on mlobs_alerts")
        deadline = None if args.timeout is None else time.monotonic() + args.timeout
        next_sync = time.monotonic() + args.resend
        pending = set(pending)
        while deadline is None or time.monotonic() < deadline:
            if pending:
                rows, more = fetch(db, f"a.id IN ({', '.join(str(i) for i in sorted(pending))})")
                # When no Alertmanager accepted them the ids stay pending and are retried after
                # --poll seconds (one that missed them gets them with the next re-send).
                if send(args, rows)[1]:
                    pending.clear()
                else:
                    time.sleep(args.poll)
                pending.update(more)
                continue
            if time.monotonic() >= next_sync:
                _, more = sync(args, db)
                pending.update(more)
                next_sync = time.monotonic() + args.resend
            time.sleep(args.poll)
            _, more = db.run("SELECT 1;")
            pending.update(more)
        return 0
    except RuntimeError as e:
        log(str(e))
        return 1
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
