#!/usr/bin/env python3
"""Relays mlobs alerts to Prometheus Alertmanager (API v2). Standard library + the psql client.

mlobs.evaluate_alerts() NOTIFYs channel `mlobs_alerts` with the alert id on every transition
(pending → firing → resolved). This relay LISTENs on that channel, reads the alert row (rule
name, severity, the receiver mlobs.alert_routes assigns to the severity) and POSTs it to
Alertmanager's /api/v2/alerts:

  labels       alertname=<rule name>, model, feature (omitted when ''), severity, receiver, monitor
  annotations  summary, value, threshold, metric, mlobs_alert_id
  startsAt     the alert's started_at (window end of the first breach)
  endsAt       only for resolved alerts: resolved_at (never later than now)

Pending alerts are not sent. Alertmanager forgets an alert without endsAt after its
resolve_timeout (5 minutes by default) unless the client sends it again, as Prometheus does: the
relay therefore re-sends every firing alert (and alerts resolved in the last --resolved-lookback
seconds) at start and every --resend seconds. That also heals notifications missed while the
relay was down (NOTIFY is not queued for absent listeners).

Why psql instead of a driver: LISTEN needs a PostgreSQL connection, and the standard library has
no driver. A `psql` subprocess (always installed next to PostgreSQL; every auth method, TLS and
~/.pgpass for free) prints "Asynchronous notification ... payload ..." lines after each statement
it runs, so the relay sends a cheap `SELECT 1` every --poll seconds and reads the lines up to an
\\echo marker. Notifications are delayed by at most --poll seconds, which is far below the
monitors' window sizes, and there is nothing to pip-install or pin.

Usage:
  python3 examples/alertmanager/relay.py --dsn 'host=127.0.0.1 port=5432 dbname=app user=mlobs_relay' \\
      --alertmanager http://127.0.0.1:9093              # run forever (under systemd, ...)
  ... --once                                           # send the current state once and exit
  ... --timeout 60                                     # listen for 60 s, then exit (tests)
Exit status: 0, or 1 when psql fails (connection lost, ...) or, with --once, a POST failed.
"""
import argparse
import datetime as dt
import itertools
import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

NOTIFICATION = re.compile(r'^Asynchronous notification "mlobs_alerts" with payload "(\d+)" received')
ALERTS_SQL = """SELECT row_to_json(x) FROM (
  SELECT a.id, a.state, r.name AS rule, a.model, a.feature, a.metric, a.severity, a.value, a.threshold,
         m.name AS monitor, rt.receiver, a.started_at, a.fired_at, a.resolved_at
    FROM mlobs.alerts a
    JOIN mlobs.alert_rules r ON r.id = a.rule_id
    JOIN mlobs.monitors m ON m.id = a.monitor_id
    LEFT JOIN mlobs.alert_routes rt ON rt.severity = a.severity
   WHERE {where}
   ORDER BY a.id) x;"""


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


def ts(value):
    return dt.datetime.fromisoformat(value) if value else None


def to_alertmanager(a, now):
    """The postable alert for an mlobs.alerts row (None for pending alerts)."""
    if a["state"] == "pending":
        return None
    labels = {"alertname": a["rule"], "model": a["model"], "severity": a["severity"], "monitor": a["monitor"]}
    if a["feature"]:
        labels["feature"] = a["feature"]
    if a["receiver"]:
        labels["receiver"] = a["receiver"]
    value = "" if a["value"] is None else f"{a['value']:.6g}"
    what = f"{a['model']} {a['feature'] + ' ' if a['feature'] else ''}{a['metric']}"
    annotations = {
        "summary": f"{a['rule']}: {what} = {value} (threshold {a['threshold']:g})",
        "value": value,
        "threshold": f"{a['threshold']:g}",
        "metric": a["metric"],
        "mlobs_alert_id": str(a["id"]),
    }
    starts = ts(a["started_at"])
    alert = {"labels": labels, "annotations": annotations}
    if a["state"] == "resolved":
        ends = min(ts(a["resolved_at"]) or now, now)
        starts = min(starts, ends)
        alert["endsAt"] = ends.isoformat()
    alert["startsAt"] = starts.isoformat()
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
    """POSTs the non-pending rows; returns True when Alertmanager accepted them."""
    now = dt.datetime.now(dt.timezone.utc)
    alerts = [(r, a) for r in rows if (a := to_alertmanager(r, now)) is not None]
    if not alerts:
        return True
    try:
        post(args.alertmanager, [a for _, a in alerts])
    except urllib.error.HTTPError as e:  # 400: Alertmanager rejected the payload, and says why
        log(f"POST {args.alertmanager}/api/v2/alerts failed: {e} {e.read().decode(errors='replace').strip()}")
        return False
    except (urllib.error.URLError, OSError) as e:
        log(f"POST {args.alertmanager}/api/v2/alerts failed: {e}")
        return False
    for r, a in alerts:
        log(f"sent {r['state']} id={r['id']} {' '.join(f'{k}={v}' for k, v in a['labels'].items())}")
    return True


def sync(args, db):
    """Every firing alert, and the recently resolved ones: the state Alertmanager should have."""
    rows, ids = fetch(db, f"a.state = 'firing' OR (a.state = 'resolved' AND a.updated_at >= now() - "
                          f"make_interval(secs => {float(args.resolved_lookback)}))")
    return send(args, rows), ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--dsn", required=True, help="libpq connection string or URI (role with mlobs_reader)")
    ap.add_argument("--alertmanager", required=True, help="Alertmanager base URL, e.g. http://127.0.0.1:9093")
    ap.add_argument("--once", action="store_true", help="send the current state once and exit")
    ap.add_argument("--timeout", type=float, help="listen this many seconds, then exit 0 (default: forever)")
    ap.add_argument("--poll", type=float, default=1.0, help="seconds between notification checks (1)")
    ap.add_argument("--resend", type=float, default=60.0, help="seconds between re-sends of firing alerts (60)")
    ap.add_argument("--resolved-lookback", type=float, default=900.0,
                    help="re-send alerts resolved this many seconds ago or later (900)")
    args = ap.parse_args()

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
                # On failure the ids stay pending and are retried after --poll seconds.
                if send(args, rows):
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
