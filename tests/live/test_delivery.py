"""Alert delivery that can be trusted, against real HTTP servers on 127.0.0.1: a redirect is
refused (not counted as delivered), a failing webhook does not make the other sinks repeat
themselves, a webhook that never answers or trickles its headers costs one time limit per run,
and no sink waits for another."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from watch.test_changes import WATCH, _store

from basewatch.alerts import load_rules, run_alerts
from basewatch.store import open_store

LANDINGS = [(d, "152fa2") for d in range(5)]  # five landings: five alerts


class _Silent:
    """Accepts connections and reads, but answers with ``answer`` one byte every ``every``
    seconds (never, when empty)."""

    def __init__(self, answer: bytes = b"", every: float = 0.2) -> None:
        self.answer, self.every = answer, every
        self.accepted = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(0.1)
            sent = 0
            while not self.stop.is_set():
                try:
                    if not conn.recv(65536) and not self.answer:
                        return
                except TimeoutError:
                    pass
                except OSError:
                    return
                if self.answer:
                    try:
                        conn.sendall(
                            self.answer[sent % len(self.answer) : sent % len(self.answer) + 1]
                        )
                    except OSError:
                        return
                    sent += 1
                    time.sleep(self.every)

    def close(self):
        self.stop.set()
        self.sock.close()


def _rules(tmp_path, url: str, timeout: float = 1.0):
    f = tmp_path / "rules.toml"
    f.write_text(
        f"""
[[rule]]
name = "lands"
on = "movement"
watch = "w"
events = ["landing"]

[[sink]]
type = "jsonl"
path = "{tmp_path / "alerts.jsonl"}"

[[sink]]
type = "webhook"
url = "{url}"
timeout_s = {timeout}
"""
    )
    return load_rules(f)


def _jsonl(tmp_path) -> list[dict]:
    return [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]


def _deliveries(db) -> list[tuple]:
    with open_store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT sink, delivered_at IS NOT NULL, attempts FROM alert_deliveries ORDER BY 1, 2"
        ).fetchall()


def test_redirect_is_refused_not_delivered(tmp_path, hook):
    hook.status, hook.location = 302, "http://127.0.0.1:9/elsewhere"
    rules, sinks = _rules(tmp_path, f"http://127.0.0.1:{hook.server_port}/hook")
    db = tmp_path / "s.duckdb"
    with _store(db, LANDINGS[:1], 10) as store:
        report = run_alerts(store, rules, sinks, [WATCH], backfill=True)
    assert (report.new, report.sent, report.failed) == (1, 0, 1)
    assert "HTTP 302 redirect to http://127.0.0.1:9/elsewhere refused" in report.summary()
    with open_store(db, read_only=True) as store:
        assert store.scalar("SELECT status FROM alerts") == "pending"
    # the JSON-lines sink took it; the webhook did not, and is retried alone
    hook.status, hook.location = 200, ""
    with open_store(db) as store:
        again = run_alerts(store, rules, sinks, [WATCH], backfill=True)
    assert (again.new, again.sent, again.failed) == (0, 1, 0)
    assert len(_jsonl(tmp_path)) == 1 and len(hook.received) == 2
    with open_store(db, read_only=True) as store:
        assert store.con.execute("SELECT status, error FROM alerts").fetchall() == [
            ("delivered", None)
        ]


def test_failing_webhook_does_not_repeat_other_sinks(tmp_path, hook):
    hook.status = 500
    rules, sinks = _rules(tmp_path, f"http://127.0.0.1:{hook.server_port}/hook")
    db = tmp_path / "s.duckdb"
    with _store(db, LANDINGS, 10) as store:
        for _ in range(3):
            report = run_alerts(store, rules, sinks, [WATCH], backfill=True)
            assert report.sent == 0 and report.failed == 5 and "HTTP 500" in report.summary()
    assert len(_jsonl(tmp_path)) == 5  # once each, however many retries
    # a failing webhook is tried once per run, not once per alert
    assert len(hook.received) == 3
    webhook = [d for d in _deliveries(db) if d[0].startswith("http")]
    assert [d[1] for d in webhook] == [False] * 5 and sum(d[2] for d in webhook) == 3
    hook.status = 200
    with open_store(db) as store:
        report = run_alerts(store, rules, sinks, [WATCH], backfill=True)
    assert (report.sent, report.failed) == (5, 0)
    assert len(_jsonl(tmp_path)) == 5 and len(hook.received) == 3 + 5


@pytest.mark.parametrize("answer", [b"", b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000])
def test_silent_or_trickling_webhook_costs_one_time_limit(tmp_path, answer):
    server = _Silent(answer, every=0.1)
    try:
        rules, sinks = _rules(tmp_path, f"http://127.0.0.1:{server.port}/hook", timeout=1.0)
        with _store(tmp_path / "s.duckdb", LANDINGS, 10) as store:
            t0 = time.monotonic()
            report = run_alerts(store, rules, sinks, [WATCH], backfill=True)
            elapsed = time.monotonic() - t0
    finally:
        server.close()
    assert report.failed == 5 and "no complete answer within 1 s" in report.summary()
    assert server.accepted == 1  # the other four wait for the next run
    assert 0.9 <= elapsed < 3.0
    assert len(_jsonl(tmp_path)) == 5  # the JSON-lines sink did not wait for the webhook


def test_inferred_landing_waits_until_the_aircraft_has_been_silent(tmp_path):
    """Live, an aircraft between two positions looks dark: its probable landing is alerted
    only once the data have gone on ``INFERRED_HOLD_S`` past its last position."""
    from datetime import timedelta

    from basewatch.alerts import INFERRED_HOLD_S

    rules, sinks = _rules(tmp_path, "http://127.0.0.1:9/unused")
    rules = [r.__class__(**{**_fields(r), "events": ("landing_inferred",)}) for r in rules]
    sinks = [s for s in sinks if s.type == "jsonl"]
    with _store(tmp_path / "s.duckdb", LANDINGS[:1], 10) as store:  # who 152fa2 is
        con = store.con
        last = con.execute("SELECT TIMESTAMPTZ '2025-01-05 10:00:00+00'").fetchone()[0]
        con.execute(
            "INSERT INTO flights (flight_id, icao24, first_seen, last_seen, n_points, detector) "
            "VALUES ('00000000000000aa', '152fa2', ?, ?, 50, 'test')",
            [last - timedelta(hours=1), last],
        )
        con.execute(
            "INSERT INTO airfield_events (event_id, flight_id, icao24, event_type, airfield, ts,"
            " lat_deg, lon_deg, track_deg, height_ft, distance_nm, confidence, reason, detector)"
            " VALUES ('00000000000000bb', '00000000000000aa', "
            "'152fa2', 'landing_inferred', 'OSLK', ?, 35.4, 35.9, 350, NULL, 20, 0.6, '', 't')",
            [last + timedelta(minutes=8)],
        )
        ends = [
            last + timedelta(seconds=s) for s in (10, INFERRED_HOLD_S - 10, INFERRED_HOLD_S + 10)
        ]
        found = []
        for end in ends:
            con.execute("DELETE FROM data_windows")
            con.execute("INSERT INTO data_windows VALUES (?, ?)", [last - timedelta(days=1), end])
            found.append(run_alerts(store, rules, sinks, [WATCH], backfill=True).new)
    assert found == [0, 0, 1]
    assert "probable landing (inferred)" in _jsonl(tmp_path)[0]["summary"]


def _fields(rule) -> dict:
    return {f: getattr(rule, f) for f in rule.__slots__}
