"""What an analyst takes away: briefs that tell what a window holds, words that agree with their
counts, files written where asked or refused in one line, Ctrl-C that ends cleanly, Markdown
without live HTML, briefs that say when they are stale, tables and formats people read.
`demo_store` is in conftest.py (a copy of the demo store per module)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from basewatch import api
from basewatch.cli import cli
from basewatch.store import open_store

WATCH = "oslk-russian-state"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- a window without a change, a base without coverage -----------------------------------------


def test_window_without_a_change_tells_its_movements(demo_store):
    db, _ = demo_store
    out = run("brief", "--db", db, "--watch", WATCH, "--from", "2025-10-25", "--to", "2025-10-31")
    assert out.exit_code == 0, out.output
    md = out.stdout
    assert "nothing to tell" not in md
    # the arrivals of the window (RA-82010's of 24 October is before it), with their evidence
    assert "Two ANTONOV An-124-100 Ruslan flights arrived between 26 and 29 October 2025" in md
    assert "RA-82010 on 24 October" not in md
    assert "RA-86496 (ILYUSHIN Il-62M) came from Al Khadim Air Base (HL59)" in md
    # and the news of the window, around its first arrival
    assert "Andrei Belousov and Murhaf Abu Qasra met" in md
    # --since/--until are the same options
    same = run(
        "brief", "--db", db, "--watch", WATCH, "--since", "2025-10-25", "--until", "2025-10-31"
    )
    assert same.stdout == md


def test_base_never_observable_says_there_is_no_coverage(demo_store):
    db, _ = demo_store
    md = api.brief(db, watch="hl69-russian-state")
    assert "no coverage of HL69" in md and "observable on none of its 304 days" in md
    assert "No change was found" not in md
    report = api.report(db, names=["hl69-russian-state"])
    assert "no coverage" in report and "no change found" not in report


# --- words that agree with their counts ------------------------------------------------------


def test_counts_say_what_they_count(demo_store):
    db, demo_text = demo_store
    assert "87 all aircraft" not in demo_text and "of all 87 aircraft" in demo_text
    assert re.search(r"1 drop, 3 gaps, 3 resumptions, 122 routes, \d+ timeline items", demo_text)
    assert "news: 6 articles read" in demo_text
    assert "landings (inferred)" in demo_text and "landing_inferred" not in demo_text
    # one A124 landing and leaving is two movements of one aircraft
    assert "(2 movements of one A124 that day)" in demo_text
    assert "observable on 186 of the 197 full days between" in demo_text
    # a span of one day reads as that day
    assert "between 26 and 26" not in demo_text
    assert "1 ILYUSHIN Il-62M flight into OSLK on 26 October 2025" in demo_text
    # countries in words in prose
    assert "RU state aircraft" not in demo_text and "Russian state aircraft" in demo_text


# --- files written where asked, or refused in one line -----------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["flights", "--base", "OSLK", "-o"],
        ["flights", "--base", "OSLK", "--export"],
        ["events", "--base", "OSLK", "-o"],
        ["positions", "--limit", "3", "-o"],
        ["changes", "-o"],
        ["timeline", "-o"],
        ["activity", "--base", "OSLK", "-o"],
        ["chart", "--base", "OSLK", "-o"],
        ["brief", "--watch", WATCH, "-o"],
        ["news", "events", "-o"],
    ],
)
def test_output_into_a_missing_folder_is_one_line(demo_store, tmp_path, args):
    db, _ = demo_store
    target = tmp_path / "no-such-folder" / "out.csv"
    out = run(*args, target, "--db", db)
    assert out.exit_code == 2, out.output
    assert out.output == f"basewatch: error: {target}: the folder {target.parent} does not exist\n"
    assert not target.parent.exists()


def _has_open(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    try:
        return any(os.path.realpath(fd) == str(path.resolve()) for fd in fds.iterdir())
    except OSError:
        return False


def _start(args: list[str]) -> subprocess.Popen:
    # a child of a non-interactive shell ignores SIGINT; give it the default a terminal gives
    return subprocess.Popen(
        [sys.executable, "-m", "basewatch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def test_ctrl_c_during_process_ends_in_one_line_and_leaves_the_store_usable(demo_store):
    db, _ = demo_store
    proc = _start(["process", "--full", "--db", str(db)])
    t0 = time.monotonic()
    while not _has_open(proc.pid, db) and time.monotonic() - t0 < 60:
        time.sleep(0.05)
    time.sleep(1.0)  # inside the work (a full process of the demo store takes several seconds)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("basewatch: interrupted")
    # the store is as the last complete run left it, and the next run completes
    assert len(api.flights(db, base="OSLK", type_code="A124", since="2025-10-20")) == 6
    assert "processed" in run("process", "--db", db, "--full").output


def test_ctrl_c_stops_a_repeating_watch_cleanly(demo_store):
    db, _ = demo_store
    proc = _start(["watch", "--every", "600", "--db", str(db)])
    first = proc.stdout.readline()  # the first run's summary: now it waits for the next
    assert first.startswith("watched "), first
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert err.strip() == "basewatch: watch stopped"


# --- Markdown without live HTML; a brief that says it is stale --------------------------------


def test_markdown_brief_neutralises_html_and_says_when_it_is_stale(demo_store, tmp_path):
    db, _ = demo_store
    assert "**Note:**" not in api.brief(db, watch=WATCH)  # current after the demo's watch
    hostile = tmp_path / "hostile.md"
    hostile.write_text(
        '+++\nurl = "https://hostile.example/a"\noutlet = "Hostile <script>x()</script> Wire"\n'
        'published = "2025-10-27T08:00:00+00:00"\n+++\n\n'
        "Russian Defence Minister Andrei Belousov said on October 26 that "
        '"<script>alert(1)</script> flights to Khmeimim will continue <img src=x onerror=alert(2)>", '
        "according to Hostile Wire.\n"
    )
    api.news_add([hostile], db=db)
    stale = api.brief(db, watch=WATCH)
    assert "hostile.example" not in stale
    assert "Data were added after the watches last ran" in stale
    assert "run `basewatch watch`" in stale
    api.watch(db, names=[WATCH])
    md = api.brief(db, watch=WATCH)
    assert "hostile.example" in md and "**Note:**" not in md
    # every '<' left is escaped or opens the autolink of an article address
    assert not re.search(r"(?<!\\)<(?!https?://[^\s<>]+>)", md)
    assert r"\<script\>alert(1)\</script\>" in md  # read as text, never run
    assert "<https://hostile.example/a>" in md  # the article's address stays a link


# --- tables and formats people read -----------------------------------------------------------


def test_flights_table_shows_what_an_analyst_scans(demo_store):
    db, _ = demo_store
    out = run("flights", "--db", db, "--base", "OSLK", "--type", "A124", "--since", "2025-10-20")
    assert out.exit_code == 0, out.output
    text = out.stdout
    for col in ("registration", "type_code", "operator", "from_to", "takeoff_ts"):
        assert col in text
    assert "RA-82010" in text and "UUMU → OSLK" in text and "224th Flight Unit" in text
    assert "2025-10-24 04:47:07 " in text  # to the second, UTC, no offset or microseconds
    assert "+00:00" not in text and ".9000" not in text
    limited = run("flights", "--db", db, "--base", "OSLK", "--limit", "2", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(limited.stdout)))) == 2


def test_limit_is_applied_by_the_query(demo_store):
    """``--limit`` asks the store for that many rows (it read them all and sliced)."""
    db, _ = demo_store
    for table, kw in (
        (api.flights_table, {"base": "OSLK"}),
        (api.events_table, {"base": "OSLK"}),
        (api.news_events_table, {"place": "OSLK"}),
    ):
        full = table(db, **kw)
        assert full.num_rows > 3
        assert table(db, **kw, limit=3).equals(full.slice(0, 3)), table.__name__
    out = run("events", "--db", db, "--base", "OSLK", "--limit", "4", "--format", "json")
    assert out.exit_code == 0 and len(json.loads(out.stdout)) == 4
    out = run("news", "events", "--db", db, "--limit", "2", "--format", "jsonl")
    assert out.exit_code == 0 and len(out.stdout.splitlines()) == 2


def test_news_events_until(demo_store):
    """--until as a bare date includes that day: events starting on or before it."""
    db, _ = demo_store
    every = json.loads(run("news", "events", "--db", db, "--format", "json").stdout)
    out = run("news", "events", "--db", db, "--since", "2025-10-26", "--until", "2025-10-28",
              "--format", "json")  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert rows and len(rows) < len(every)
    assert all(r["date_start"] <= "2025-10-28" and r["date_end"] >= "2025-10-26" for r in rows)
    assert any(r["date_start"] == "2025-10-28" for r in rows)
    assert {r["event_id"] for r in rows} == {
        r["event_id"] for r in every
        if r["date_start"] and r["date_start"] <= "2025-10-28" and r["date_end"] >= "2025-10-26"
    }  # fmt: skip


def test_nothing_matches_names_the_filters(demo_store):
    db, _ = demo_store
    out = run("flights", "--db", db, "--base", "OSLK", "--type", "B52")
    assert out.exit_code == 0
    assert out.stderr.strip() == "no flights match --base OSLK --type B52"
    out = run("events", "--db", db, "--icao24", "abcdef")
    assert out.stderr.strip() == (
        "no events match --icao24 abcdef (the store holds no flight of abcdef)"
    )
    bad = run("flights", "--db", db, "--icao24", "15zz")
    assert bad.exit_code == 2 and "expected 6 hex digits" in bad.output


def test_json_is_one_array_and_jsonl_is_lines(demo_store):
    db, _ = demo_store
    args = ["flights", "--db", db, "--base", "OSLK", "--type", "A124", "--since", "2025-10-20"]
    rows = json.loads(run(*args, "--format", "json").stdout)
    assert isinstance(rows, list) and len(rows) == 6
    assert all(isinstance(r["flight_id"], str) and len(r["flight_id"]) == 16 for r in rows)
    assert rows[0]["takeoff_ts"].endswith("Z")
    lines = run(*args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(x) for x in lines] == rows
    none = run("flights", "--db", db, "--type", "B52", "--format", "json")
    assert json.loads(none.stdout) == []


def test_timeline_of_every_watch_names_each_items_watch_in_time_order(demo_store):
    db, _ = demo_store
    out = run("timeline", "--db", db, "--format", "json")
    rows = json.loads(out.stdout)
    assert {r["watch"] for r in rows} >= {WATCH, "uumu-transports"}
    assert [r["ts"] for r in rows] == sorted(r["ts"] for r in rows)
    table = run("timeline", "--db", db, "--since", "2025-10-24", "--limit", "5").stdout
    assert "watch" in table.splitlines()[1] and WATCH in table


def test_ctrl_c_inside_a_duckdb_query_is_an_interruption_not_a_crash():
    """DuckDB turns Ctrl-C inside a query into RuntimeError('Query interrupted'); the command
    ends in one line with 130, as for Ctrl-C anywhere else."""
    import threading

    import duckdb

    from basewatch.cli import user_errors

    con = duckdb.connect()

    @user_errors
    def long_query():
        con.execute("SELECT sum(i) FROM range(3000000000) t(i)").fetchall()

    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(SystemExit) as stop:
        long_query()
    assert stop.value.code == 130
    con.close()


# --- evidence a reader can check without basewatch ---------------------------------------------


def test_cited_flights_link_to_their_trace_in_a_public_viewer(demo_store, tmp_path, monkeypatch):
    db, _ = demo_store
    il62 = "https://globe.adsb.lol/?icao=1554a1&showTrace=2025-10-26"
    md = api.brief(db, watch=WATCH)
    flight_notes = [x for x in md.splitlines() if x.startswith("[^") and "(flight:" in x]
    assert flight_notes and all("<https://globe.adsb.lol/?icao=" in x for x in flight_notes)
    assert f"<{il62}>" in md
    page = api.brief(db, watch=WATCH, format="html")
    assert f'<a href="{il62.replace("&", "&amp;")}">' in page
    report = api.report(db, names=[WATCH])
    evidence = [x for x in report.splitlines() if "evidence: flight" in x]
    assert evidence and all("https://globe.adsb.lol/?icao=" in x for x in evidence)
    out = tmp_path / "a124.geojson"
    api.export_flights(out, db, base="OSLK", type_code="A124", since="2025-10-20")
    features = json.loads(out.read_text())["features"]
    assert len(features) == 6
    assert {f["properties"]["trace_url"] for f in features} >= {
        "https://globe.adsb.lol/?icao=1540c2&showTrace=2025-10-24"
    }
    # the viewer is a setting
    monkeypatch.setenv("BASEWATCH_VIEWER", "https://adsb.example/tar1090/")
    assert "<https://adsb.example/tar1090/?icao=1554a1&showTrace=2025-10-26>" in api.brief(
        db, watch=WATCH
    )


# --- changing the system is its own step ------------------------------------------------------


def test_make_test_never_installs_the_browser():
    root = Path(__file__).resolve().parents[2]
    if not (root / "Makefile").is_file() or not shutil.which("make"):
        pytest.skip("no Makefile or make here (an installed package)")
    plan = subprocess.run(
        ["make", "-n", "test", "CHROMIUM=/nonexistent/chromium"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "apt-get install" not in plan and "apt-get update" not in plan and "sudo -n" not in plan
    note = subprocess.run(
        ["make", "--no-print-directory", "browser-check", "CHROMIUM=/nonexistent/chromium"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "browser tests are skipped" in note and "make browser" in note
    assert "make browser" in (root / ".ci" / "run").read_text()
    assert "apt-get install" in subprocess.run(
        ["make", "-n", "browser", "CHROMIUM=/nonexistent/chromium"],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


# --- a rule's first run raises nothing from before it unless asked -----------------------------


def _rules_file(tmp_path: Path) -> Path:
    f = tmp_path / "rules.toml"
    f.write_text(
        '[[rule]]\nname = "lands"\non = "movement"\nwatch = "oslk-russian-state"\n'
        'events = ["landing", "landing_inferred"]\n\n'
        f'[[sink]]\ntype = "jsonl"\npath = "{tmp_path / "alerts.jsonl"}"\n'
    )
    return f


def test_first_rules_run_skips_the_past_unless_backfill(demo_store, tmp_path):
    db, _ = demo_store
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(db, copy)
    rules = _rules_file(tmp_path)
    out = run("watch", "--db", db, "--rules", rules)
    assert out.exit_code == 0, out.output
    line = out.stdout.splitlines()[-1]
    m = re.fullmatch(
        r"alerts: 0 new, 0 delivered; (\d+) past matches of new rules not raised .*", line
    )
    assert m and int(m.group(1)) > 20, line
    assert not (tmp_path / "alerts.jsonl").exists()  # nothing sent for the past
    again = run("watch", "--db", db, "--rules", rules)
    assert again.stdout.splitlines()[-1] == "alerts: 0 new, 0 delivered"
    # kept as skipped (not as delivered), with no error, for a user to query
    with open_store(db, read_only=True) as store:
        kept = store.con.execute(
            "SELECT status, count(*), count(error) FROM alerts GROUP BY ALL"
        ).fetchall()
    assert kept == [("skipped", int(m.group(1)), 0)]
    # asked for: the past is raised, once
    back = run("watch", "--db", copy, "--rules", rules, "--backfill")
    assert back.stdout.splitlines()[-1] == f"alerts: {m.group(1)} new, {m.group(1)} delivered"
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == int(m.group(1))
    # asked for later on the same store: the skipped ones are raised then, once
    (tmp_path / "alerts.jsonl").unlink()
    late = run("watch", "--db", db, "--rules", rules, "--backfill")
    assert late.stdout.splitlines()[-1] == f"alerts: {m.group(1)} new, {m.group(1)} delivered"
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == int(m.group(1))
    with open_store(db, read_only=True) as store:
        assert store.con.execute("SELECT DISTINCT status FROM alerts").fetchall() == [
            ("delivered",)
        ]
