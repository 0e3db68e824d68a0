"""Alerts: rules over movements and changes, sinks (terminal, JSON lines, a real HTTP server on
localhost), raised once, retried when a webhook fails."""

from __future__ import annotations

import json

import pytest

from basewatch.alerts import load_rules, run_alerts
from basewatch.errors import ConfigError
from basewatch.stages.changes import detect_changes

from .test_changes import WATCH, _store


def _rules(tmp_path, url: str) -> tuple:
    f = tmp_path / "rules.toml"
    f.write_text(
        f"""
[[rule]]
name = "lands"
on = "movement"
watch = "w"
events = ["landing"]

[[rule]]
name = "back"
on = "change"
kinds = ["resumption"]
min_days = 30

[[sink]]
type = "jsonl"
path = "{tmp_path / "alerts.jsonl"}"

[[sink]]
type = "webhook"
url = "{url}"
timeout_s = 2
"""
    )
    return load_rules(f)


def test_alerts_raised_once_to_every_sink(tmp_path, hook):
    moves = [(d, "152fa2") for d in range(0, 30, 10)] + [(120, "1540c2")]
    rules, sinks = _rules(tmp_path, f"http://127.0.0.1:{hook.server_port}/hook")
    with _store(tmp_path / "s.duckdb", moves, 150) as store:
        detect_changes(store, WATCH)
        first = run_alerts(store, rules, sinks, [WATCH], backfill=True)
        again = run_alerts(store, rules, sinks, [WATCH])
    assert (first.new, first.sent, first.failed) == (5, 5, 0)  # 4 landings + 1 resumption
    assert (again.new, again.sent) == (0, 0)
    lines = [json.loads(x) for x in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert len(lines) == 5 and len(hook.received) == 5
    back = [a for a in hook.received if a["rule"] == "back"]
    assert len(back) == 1 and "resumed" in back[0]["summary"] and back[0]["evidence"]["event_ids"]


def test_failed_webhook_is_retried_next_run(tmp_path, hook):
    moves = [(1, "152fa2")]
    rules, sinks = _rules(tmp_path, f"http://127.0.0.1:{hook.server_port}/hook")
    hook.status = 503
    with _store(tmp_path / "s.duckdb", moves, 10) as store:
        failed = run_alerts(store, rules, sinks, [WATCH], backfill=True)
        hook.status = 200
        retried = run_alerts(store, rules, sinks, [WATCH])
    assert (failed.new, failed.sent, failed.failed) == (1, 0, 1) and "HTTP 503" in failed.summary()
    assert (retried.new, retried.sent, retried.failed) == (0, 1, 0)


def test_unreachable_webhook_and_bad_rules(tmp_path):
    rules, sinks = _rules(tmp_path, "http://127.0.0.1:9/nothing-listens-here")
    with _store(tmp_path / "s.duckdb", [(1, "152fa2")], 10) as store:
        report = run_alerts(store, rules, sinks, [WATCH], backfill=True)
    assert report.failed == 1 and "retried next run" in report.summary()
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\non = "movement"\nevents = ["landed"]\n')
    with pytest.raises(ConfigError, match="unknown event or change kind"):
        load_rules(bad)
    bad.write_text('[[sink]]\ntype = "webhook"\nurl = "ftp://x"\n')
    with pytest.raises(ConfigError, match="http"):
        load_rules(bad)
