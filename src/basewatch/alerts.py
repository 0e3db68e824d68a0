"""Alert rules over the watches' movements and changes, sent to sinks, never twice.

reads:   airfield_events, aircraft, base_changes
writes:  alerts, alert_deliveries

Rules and sinks come from TOML (see ``data/alerts/example.toml``). Each alert has a stable id
(rule + the event or change it is about); an alert already in the store is not raised again,
and what a sink did not take is retried on the next run, for that sink only.

Delivery is kept per alert and per sink (``alert_deliveries``). Each sink has its own worker,
every webhook POST has one time limit for the whole exchange, and redirects are refused.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import sys
import threading
import time
import tomllib
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import ids
from .errors import ConfigError
from .store import Store
from .store.runs import Report
from .watches import Watch

EVENTS = ("landing", "landing_inferred", "takeoff", "takeoff_inferred")
KINDS = ("gap", "resumption", "stop", "surge", "drop")
DEFAULT_EVENTS = ("landing", "landing_inferred")
DEFAULT_KINDS = ("resumption",)
# an inferred landing is alerted once its aircraft has been silent this long while the data
# go on: live, before that the aircraft's next position usually retracts it (a replay at 10x
# raised and retracted one approach seven times in a row without this)
INFERRED_HOLD_S = 300.0


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    on: str  # movement | change
    watch: str = "*"
    events: tuple[str, ...] = DEFAULT_EVENTS
    kinds: tuple[str, ...] = DEFAULT_KINDS
    min_days: float = 0.0


@dataclass(frozen=True, slots=True)
class Sink:
    type: str  # terminal | jsonl | webhook
    path: str = ""
    url: str = ""
    timeout_s: float = 5.0


@dataclass(slots=True)
class AlertReport(Report):
    new: int = 0
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    skipped: int = 0  # past matches of rules run for the first time, not raised
    rules: list[str] = field(default_factory=list)  # the rules this run applied

    def summary(self) -> str:
        out = f"alerts: {self.new} new, {self.sent} delivered"
        if self.failed:
            out += f", {self.failed} failed ({'; '.join(self.errors[:3])}), retried next run"
        if self.skipped:
            out += (
                f"; {self.skipped} past {'match' if self.skipped == 1 else 'matches'} of new "
                "rules not raised (from now on only what is new fires; --backfill raises them)"
            )
        return out


def load_rules(path: str | Path) -> tuple[list[Rule], list[Sink]]:
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: rules file not found") from None
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read rules ({exc})") from exc
    rules, sinks = [], []
    for key in ("rule", "sink"):
        v = doc.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, dict) for x in v):
            raise ConfigError(f"{path}: {key}s are [[{key}]] tables")
    for i, r in enumerate(doc.get("rule", [])):
        where = f"{path}: rule #{i + 1}"
        if r.get("on") not in ("movement", "change") or not isinstance(r.get("name"), str):
            raise ConfigError(f'{where}: needs a name and on = "movement" or "change"')
        unknown = set(r) - {"name", "on", "watch", "events", "kinds", "min_days"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        for key in ("events", "kinds"):
            v = r.get(key, ["x"])
            if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
                raise ConfigError(
                    f'{where}: {key} must be a non-empty list of text, e.g. {key} = ["landing"]'
                )
        md = r.get("min_days", 0)
        if isinstance(md, bool) or not isinstance(md, int | float) or md < 0:
            raise ConfigError(f"{where}: min_days must be a number of days, 0 or more")
        bad = set(r.get("events", ())) - set(EVENTS) | set(r.get("kinds", ())) - set(KINDS)
        if bad:
            raise ConfigError(f"{where}: unknown event or change kind(s) {', '.join(sorted(bad))}")
        rules.append(
            Rule(
                name=r["name"],
                on=r["on"],
                watch=r.get("watch", "*"),
                events=tuple(r.get("events", DEFAULT_EVENTS)),
                kinds=tuple(r.get("kinds", DEFAULT_KINDS)),
                min_days=float(r.get("min_days", 0)),
            )
        )
    for i, s in enumerate(doc.get("sink", [])):
        kind = s.get("type")
        if kind not in ("terminal", "jsonl", "webhook"):
            raise ConfigError(f"{path}: sink #{i + 1}: type must be terminal, jsonl or webhook")
        if kind == "jsonl" and not s.get("path"):
            raise ConfigError(f"{path}: sink #{i + 1}: a jsonl sink needs a path")
        if kind == "webhook" and not str(s.get("url", "")).startswith(("http://", "https://")):
            raise ConfigError(f"{path}: sink #{i + 1}: a webhook sink needs an http(s) url")
        t = s.get("timeout_s", 5)
        if isinstance(t, bool) or not isinstance(t, int | float) or t <= 0:
            raise ConfigError(f"{path}: sink #{i + 1}: timeout_s must be a number of seconds")
        sinks.append(
            Sink(kind, str(s.get("path", "")), str(s.get("url", "")), float(s.get("timeout_s", 5)))
        )
    return rules, sinks or [Sink("terminal")]


def _id(*parts) -> str:
    return ids.of_text(*parts)


def _candidates(store: Store, rules: list[Rule], watches: list[Watch]) -> list[dict]:
    out = []
    for rule in rules:
        for w in watches:
            if rule.watch not in ("*", w.name):
                continue
            if rule.on == "movement":
                where, params = w.where()
                rows = store.con.execute(
                    f"""
                    SELECT e.event_id, e.event_type, e.ts, e.icao24, e.flight_id, e.confidence,
                           a.registration, a.type_code, e.reason
                    FROM airfield_events e LEFT JOIN aircraft a USING (icao24)
                    LEFT JOIN flights f ON f.flight_id = e.flight_id
                    WHERE {where} AND e.event_type IN ({", ".join("?" * len(rule.events))})
                      AND NOT (e.event_type = 'landing_inferred' AND coalesce(f.last_seen >
                               (SELECT max(window_end) FROM data_windows) - to_seconds(?), false))
                    ORDER BY e.ts
                    """,
                    [*params, *rule.events, INFERRED_HOLD_S],
                ).fetchall()
                for eid, kind, ts, icao, fid, conf, reg, typ, reason in rows:
                    out.append(
                        {
                            "alert_id": _id(rule.name, eid),
                            "rule": rule.name,
                            "watch": w.name,
                            "kind": kind,
                            "ts": ts,
                            "summary": f"{reg or icao} ({typ or 'type unknown'}) {_what(kind)} "
                            f"at {w.base} {ts:%Y-%m-%d %H:%M}Z, confidence {conf:.2f}: {reason}",
                            "certainty": "probable" if kind.endswith("_inferred") else "observed",
                            "evidence": {"event_id": eid, "flight_id": fid},
                        }
                    )
            else:
                rows = store.con.execute(
                    f"""
                    SELECT change_id, kind, start_ts, days, summary, event_ids, flight_ids
                    FROM base_changes WHERE watch = ? AND kind IN ({", ".join("?" * len(rule.kinds))})
                      AND coalesce(days, 0) >= ?
                    ORDER BY start_ts
                    """,
                    [w.name, *rule.kinds, rule.min_days],
                ).fetchall()
                for cid, kind, ts, _days, summary, eids, fids in rows:
                    out.append(
                        {
                            "alert_id": _id(rule.name, cid),
                            "rule": rule.name,
                            "watch": w.name,
                            "kind": kind,
                            "ts": ts,
                            "summary": summary,
                            "evidence": {"event_ids": eids, "flight_ids": fids},
                        }
                    )
    return out


def _what(kind: str) -> str:
    """An inferred movement is told as probable: a later confirmation or retraction follows."""
    if kind.endswith("_inferred"):
        return f"probable {kind.removesuffix('_inferred')} (inferred)"
    return kind.replace("_", " ")


def _payload(alert: dict) -> dict:
    return {
        **alert,
        "ts": alert["ts"].isoformat() if alert["ts"] else None,
    }


def raise_alerts(
    store: Store, rules: list[Rule], watches: list[Watch], backfill: bool = False
) -> tuple[int, int]:
    """Store the alerts the rules find that are not stored yet (each once); returns how many
    were raised and how many were past matches of a rule never run before (stored with status
    ``skipped``, never sent; ``backfill`` raises them, and those skipped by an earlier run).

    A movement alert whose event is no longer found (the detector retracted it as more data
    came) raises its own follow-up alert, kind ``retraction``, once.
    """
    con = store.con
    old_rules = _rules_run_before(store)
    known = dict(con.execute("SELECT alert_id, status FROM alerts").fetchall())
    found = _candidates(store, rules, watches) + _retractions(store)
    new = skipped = 0
    for a in found:
        if a["alert_id"] in known:
            if backfill and known[a["alert_id"]] == "skipped":  # asked for now: raised
                con.execute(
                    "UPDATE alerts SET status = 'pending' WHERE alert_id = ?", [a["alert_id"]]
                )
                known[a["alert_id"]] = "pending"
                new += 1
            continue
        known[a["alert_id"]] = "new"
        past = not backfill and a["rule"] not in old_rules and a["kind"] != "retraction"
        skipped += past
        new += not past
        con.execute(
            "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [a["alert_id"], a["rule"], a["watch"], a["kind"], a["ts"], a["summary"],
             json.dumps(_payload(a)), datetime.now(UTC), "skipped" if past else "pending",
             None],
        )  # fmt: skip
    return new, skipped


def _retractions(store: Store) -> list[dict]:
    rows = store.con.execute(
        f"""
        SELECT a.alert_id, a.rule, a.watch, a.ts, a.summary,
               json_extract_string(a.payload, '$.evidence.event_id') AS eid
        FROM alerts a
        WHERE a.kind IN ({", ".join(repr(e) for e in EVENTS)})
          AND eid IS NOT NULL AND a.status <> 'skipped'
          AND NOT EXISTS (SELECT 1 FROM airfield_events e WHERE e.event_id = eid)
        """
    ).fetchall()
    return [
        {
            "alert_id": _id(aid, "retraction"),
            "rule": rule,
            "watch": watch,
            "kind": "retraction",
            "ts": ts,
            "summary": f"retracted: {summary.split(', confidence')[0]} (later data no longer show it)",
            "evidence": {"alert_id": aid, "event_id": eid},
        }
        for aid, rule, watch, ts, summary, eid in rows
    ]


# --- delivery ----------------------------------------------------------------------------


def sink_id(sink: Sink) -> str:
    return _id(sink.type, sink.path, sink.url)


def sink_label(sink: Sink) -> str:
    return sink.url or sink.path or sink.type


def _send(sink: Sink, payload: dict) -> str | None:
    """Deliver one alert; returns an error message, or None when delivered."""
    body = json.dumps(payload)
    if sink.type == "terminal":
        print(f"ALERT [{payload['rule']}] {payload['summary']}", file=sys.stdout, flush=True)
        return None
    if sink.type == "jsonl":
        try:
            with open(sink.path, "a", encoding="utf-8") as fh:
                fh.write(body + "\n")
        except OSError as exc:
            return f"{sink.path}: {exc}"
        return None
    return _post(sink.url, body.encode(), sink.timeout_s)


MAX_ANSWER_BYTES = 64 << 10  # what is read of a webhook's answer body


def _post(url: str, body: bytes, limit_s: float) -> str | None:
    """POST ``body`` to ``url``, all of it (connect, send, answer) within ``limit_s``.

    A watchdog shuts the socket when the time is up, so a server that never answers or trickles
    its headers a byte at a time costs ``limit_s`` and no more. Redirects are refused: the
    body would not reach the address the answer names, and following them silently hides a
    moved endpoint; the error says where to point the sink instead.
    """
    u = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    conn = cls(u.hostname, u.port, timeout=limit_s)
    timer = threading.Timer(limit_s, _abort, [conn])
    timer.daemon = True
    t0 = time.monotonic()
    timer.start()
    try:
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read(MAX_ANSWER_BYTES)
        status, where = resp.status, resp.getheader("Location", "")
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() - t0 >= limit_s * 0.99:
            return f"{url}: no complete answer within {limit_s:g} s"
        return f"{url}: {type(exc).__name__}: {exc}"
    finally:
        timer.cancel()
        conn.close()
    if 300 <= status < 400:
        return f"{url}: HTTP {status} redirect to {where or '(no location)'} refused; set the sink url to the final address"
    if not 200 <= status < 300:
        return f"{url}: HTTP {status}"
    return None


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing to stop
            sock.shutdown(socket.SHUT_RDWR)


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one alert at one sink: ``error`` None when delivered; ``tried`` false
    when the sink was skipped because it failed moments before."""

    alert_id: str
    sink_id: str
    error: str | None
    tried: bool = True


class Deliverer:
    """One worker thread per sink, so a slow or dead sink delays only itself (never the
    other sinks, nor the caller). After a failure a sink rests ``rest_s`` before it is tried
    again; what is queued for it meanwhile comes back untried, to be retried later."""

    def __init__(self, sinks: list[Sink], rest_s: float = 30.0) -> None:
        self.sinks = {sink_id(s): s for s in sinks}
        self.rest_s = rest_s
        self.results: queue.Queue[Delivery] = queue.Queue()
        self.in_flight: set[tuple[str, str]] = set()
        self._queues = {k: queue.Queue() for k in self.sinks}
        self._resting: dict[str, tuple[float, str]] = {}
        self._threads = [
            threading.Thread(target=self._work, args=(k,), name=f"sink-{k}", daemon=True)
            for k in self.sinks
        ]
        for t in self._threads:
            t.start()

    def submit(self, alert_id: str, sid: str, payload: dict) -> None:
        if (alert_id, sid) in self.in_flight or sid not in self.sinks:
            return
        self.in_flight.add((alert_id, sid))
        self._queues[sid].put((alert_id, payload))

    def collect(self, wait_s: float = 0.0) -> list[Delivery]:
        """Outcomes so far; waits up to ``wait_s`` for everything in flight to end."""
        out: list[Delivery] = []
        deadline = time.monotonic() + wait_s
        while self.in_flight or not self.results.empty():
            try:
                remaining = deadline - time.monotonic()
                d = (
                    self.results.get(timeout=remaining)
                    if remaining > 0
                    else self.results.get_nowait()
                )
            except queue.Empty:
                break
            self.in_flight.discard((d.alert_id, d.sink_id))
            out.append(d)
        return out

    def close(self) -> None:
        for q in self._queues.values():
            q.put(None)

    def _work(self, sid: str) -> None:
        sink, q = self.sinks[sid], self._queues[sid]
        while (item := q.get()) is not None:
            alert_id, payload = item
            resting = self._resting.get(sid)
            if resting and time.monotonic() < resting[0]:
                self.results.put(Delivery(alert_id, sid, f"not tried: {resting[1]}", tried=False))
                continue
            try:
                error = _send(sink, payload)
            except Exception as exc:  # a sink's own bug fails that delivery, not the worker
                error = f"{sink_label(sink)}: {type(exc).__name__}: {exc}"
            if error:
                self._resting[sid] = (time.monotonic() + self.rest_s, error)
            self.results.put(Delivery(alert_id, sid, error))


def deliver_pending(store: Store, deliverer: Deliverer) -> int:
    """Hand every undelivered (alert, sink) pair to the deliverer, oldest first; returns how
    many were handed over. Each sink gets only what it has not taken yet."""
    done = {
        (a, s)
        for a, s in store.con.execute(
            "SELECT alert_id, sink_id FROM alert_deliveries WHERE delivered_at IS NOT NULL"
        ).fetchall()
    }
    n = 0
    for alert_id, payload in store.con.execute(
        "SELECT alert_id, payload FROM alerts WHERE status = 'pending' ORDER BY ts, alert_id"
    ).fetchall():
        body = json.loads(payload)
        for sid in deliverer.sinks:
            if (alert_id, sid) not in done and (alert_id, sid) not in deliverer.in_flight:
                deliverer.submit(alert_id, sid, body)
                n += 1
    return n


def record_deliveries(
    store: Store, deliverer: Deliverer, outcomes: list[Delivery], report: AlertReport
) -> None:
    """Keep each outcome per alert and sink; an alert every sink has taken is delivered."""
    con = store.con
    now = datetime.now(UTC)
    touched: dict[str, list[str]] = {}
    for d in outcomes:
        label = sink_label(deliverer.sinks[d.sink_id])
        key = [d.alert_id, d.sink_id]
        updated = con.execute(
            "UPDATE alert_deliveries SET attempts = attempts + ?, error = ?, tried_at = ?, "
            "delivered_at = ? WHERE alert_id = ? AND sink_id = ? AND delivered_at IS NULL "
            "RETURNING 1",
            [int(d.tried), d.error, now, None if d.error else now, *key],
        ).fetchall()
        if not updated:
            con.execute(
                "INSERT INTO alert_deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
                [*key, label, None if d.error else now, int(d.tried), d.error, now],
            )
        touched.setdefault(d.alert_id, []).extend([d.error] if d.error else [])
    sids = list(deliverer.sinks)
    for alert_id, errors in touched.items():
        taken = con.execute(
            "SELECT count(DISTINCT sink_id) FROM alert_deliveries WHERE alert_id = ? "
            f"AND delivered_at IS NOT NULL AND sink_id IN ({', '.join('?' * len(sids))})",
            [alert_id, *sids],
        ).fetchone()[0]
        if taken == len(sids):
            report.sent += 1
            con.execute(
                "UPDATE alerts SET status = 'delivered', error = NULL WHERE alert_id = ?",
                [alert_id],
            )
        elif errors:
            report.failed += 1
            report.errors += [e for e in errors if e not in report.errors]
            con.execute(
                "UPDATE alerts SET error = ? WHERE alert_id = ?", ["; ".join(errors), alert_id]
            )


DELIVERY_WAIT_S = 120.0  # the longest one ``run_alerts`` waits for its sinks, whatever they do


def _rules_run_before(store: Store) -> set[str]:
    """The rules that earlier alert runs applied (from their recorded counts)."""
    seen: set[str] = set()
    for (counts,) in store.con.execute(
        "SELECT counts FROM runs WHERE command = 'alert' AND status = 'ok'"
    ).fetchall():
        try:
            seen.update(json.loads(counts or "{}").get("rules", []))
        except (ValueError, AttributeError):
            continue
    return seen


def run_alerts(
    store: Store,
    rules: list[Rule],
    sinks: list[Sink],
    watches: list[Watch],
    backfill: bool = False,
) -> AlertReport:
    """Raise new alerts and deliver what each sink has not taken yet, all sinks at once.

    A sink that fails is not tried again in this run (its remaining alerts wait for the
    next), so a dead webhook costs one ``timeout_s``, not one per alert. A rule run for the
    first time fires only for what comes after: its past matches are kept as not raised
    (counted in ``skipped``) unless ``backfill``.
    """
    report = AlertReport(rules=[r.name for r in rules])
    report.new, report.skipped = raise_alerts(store, rules, watches, backfill)
    deliverer = Deliverer(sinks, rest_s=DELIVERY_WAIT_S)
    try:
        if deliver_pending(store, deliverer):
            outcomes = deliverer.collect(wait_s=DELIVERY_WAIT_S)
            record_deliveries(store, deliverer, outcomes, report)
    finally:
        deliverer.close()
    return report
