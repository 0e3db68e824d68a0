"""Alert rules over the watches' movements and changes, sent to sinks, never twice.

reads:   airfield_events, aircraft, base_changes
writes:  alerts

Rules and sinks come from TOML (see ``data/alerts/example.toml``). Each alert has a stable id
(rule + the event or change it is about); an alert already in the store is not raised again,
and one whose webhook failed is retried on the next run.
"""

from __future__ import annotations

import json
import sys
import tomllib
import urllib.error
import urllib.request
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
                    WHERE {where} AND e.event_type IN ({", ".join("?" * len(rule.events))})
                    ORDER BY e.ts
                    """,
                    [*params, *rule.events],
                ).fetchall()
                for eid, kind, ts, icao, fid, conf, reg, typ, reason in rows:
                    out.append(
                        {
                            "alert_id": _id(rule.name, eid),
                            "rule": rule.name,
                            "watch": w.name,
                            "kind": kind,
                            "ts": ts,
                            "summary": f"{reg or icao} ({typ or 'type unknown'}) {kind.replace('_', ' ')} "
                            f"at {w.base} {ts:%Y-%m-%d %H:%M}Z, confidence {conf:.2f}: {reason}",
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


def _payload(alert: dict) -> dict:
    return {
        **alert,
        "ts": alert["ts"].isoformat() if alert["ts"] else None,
    }


def _send(sink: Sink, payload: dict) -> str | None:
    """Deliver one alert; returns an error message, or None when delivered."""
    body = json.dumps(payload)
    if sink.type == "terminal":
        print(f"ALERT [{payload['rule']}] {payload['summary']}", file=sys.stdout)
        return None
    if sink.type == "jsonl":
        try:
            with open(sink.path, "a", encoding="utf-8") as fh:
                fh.write(body + "\n")
        except OSError as exc:
            return f"{sink.path}: {exc}"
        return None
    req = urllib.request.Request(
        sink.url, data=body.encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=sink.timeout_s) as resp:
            if resp.status >= 300:
                return f"{sink.url}: HTTP {resp.status}"
    except urllib.error.HTTPError as exc:
        return f"{sink.url}: HTTP {exc.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        return f"{sink.url}: {getattr(exc, 'reason', exc)}"
    return None


SKIPPED = "not raised: it matched before its rule was first run"


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
    """Raise each rule's new matches once and deliver them. A rule run for the first time fires
    only for what comes after: its past matches are kept as not raised (counted in ``skipped``)
    unless ``backfill``."""
    con = store.con
    report = AlertReport(rules=[r.name for r in rules])
    old_rules = _rules_run_before(store)
    known = {r[0] for r in con.execute("SELECT alert_id FROM alerts").fetchall()}
    for a in _candidates(store, rules, watches):
        if a["alert_id"] in known:
            continue
        known.add(a["alert_id"])
        past = not backfill and a["rule"] not in old_rules
        report.skipped += past
        report.new += not past
        con.execute(
            "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [a["alert_id"], a["rule"], a["watch"], a["kind"], a["ts"], a["summary"],
             json.dumps(_payload(a)), datetime.now(UTC), past, SKIPPED if past else None],
        )  # fmt: skip
    for alert_id, payload in con.execute(
        "SELECT alert_id, payload FROM alerts WHERE NOT delivered ORDER BY ts"
    ).fetchall():
        errors = [e for e in (_send(s, json.loads(payload)) for s in sinks) if e]
        if errors:
            report.failed += 1
            report.errors += errors
            con.execute(
                "UPDATE alerts SET error = ? WHERE alert_id = ?", ["; ".join(errors), alert_id]
            )
        else:
            report.sent += 1
            con.execute(
                "UPDATE alerts SET delivered = true, error = NULL WHERE alert_id = ?", [alert_id]
            )
    return report
