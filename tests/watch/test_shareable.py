"""What a new user meets on the demo store: empty results that name their filters, examples that
run, tables in time order with from → to, numbers to the decimals they need, one meaning per
option, windows that are checked and whose bare end date includes its day, news rows told
apart, and limits applied by the query. `demo_store` is in conftest.py."""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from basewatch import api
from basewatch.cli import cli
from basewatch.store import open_store

WATCH = "oslk-russian-state"
README = Path(__file__).resolve().parents[2] / "README.md"


def run(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


# --- 1, 3: an empty result names the filters given ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["positions", "--icao24", "1554a1", "--since", "2030-01-01"],
            "no positions match --icao24 1554a1 --since 2030-01-01",
        ),
        (
            ["positions", "--icao24", "ac671b"],
            "no positions match --icao24 ac671b (the store holds no position of ac671b)",
        ),
        (
            ["activity", "--base", "OSLK", "--since", "2030-01-01"],
            "no days match --base OSLK --since 2030-01-01",
        ),
        (
            ["news", "events", "--place", "OSLK", "--since", "2030-01-01"],
            "no news events match --since 2030-01-01 --place OSLK",
        ),
        (
            ["changes", "--watch", WATCH, "--kind", "surge", "--since", "2030-01-01"],
            f"no changes match --watch {WATCH} --kind surge --since 2030-01-01",
        ),
        (
            ["timeline", "--watch", WATCH, "--since", "2030-01-01", "--limit", "3"],
            f"no timeline items match --watch {WATCH} --since 2030-01-01",
        ),
    ],
)
def test_an_empty_listing_names_its_filters(demo_store, args, message):
    db, _ = demo_store
    out = run(*args, "--db", db)
    assert out.exit_code == 0, out.output
    assert out.stdout == ""  # no empty table box
    assert out.stderr.strip() == message


# --- 2: examples run on the demo store ----------------------------------------------------------

# commands whose examples need what the demo store does not hold, and why
NEEDS_INPUT = {
    "ingest": "reads capture files or a receiver",
    "live": "reads a receiver feed until stopped",
    "simulate": "writes a new archive (the demo runs it)",
    "demo": "builds the demo store itself",
    "serve": "runs until stopped",
    "status": "reads what a running `live` writes",
    "news add": "reads the user's articles or feeds",
    "aircraft import": "reads the user's aircraft database",
    "lake": "writes a Parquet lake",
    "attach": "reads a Parquet lake",
    "spark": "needs Spark and a lake",
}


def _help_examples() -> list[tuple[str, str]]:
    """(where, example) for every `basewatch …` line of every command's --help."""
    found = []

    def walk(cmd: click.Command, path: str) -> None:
        for line in _joined((cmd.help or "").splitlines()):
            if line.strip().startswith("basewatch "):
                found.append((f"{path} --help", line.strip()))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(cli, "basewatch")
    return found


def _readme_examples() -> list[tuple[str, str]]:
    """(where, example) for every `basewatch …` line in README.md's code blocks."""
    found, inside = [], False
    lines = []
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            inside = not inside
            continue
        if inside:
            lines.append(line)
    for line in _joined(lines):
        for part in line.split("&&"):
            if part.strip().startswith("basewatch "):
                found.append(("README.md", part.strip()))
    return found


def _joined(lines):
    """Lines with their `\\` continuations joined."""
    out, held = [], ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            held += line.rstrip()[:-1] + " "
            continue
        out.append(held + line)
        held = ""
    return out


def _command(words: list[str]) -> str:
    return " ".join(words[:2]) if words[0] in ("news", "aircraft") else words[0]


def _runs_on_the_demo(example: str) -> bool:
    """False for what needs input the demo store lacks (NEEDS_INPUT says why) or runs until
    stopped: those examples are left out here, not skipped."""
    words = shlex.split(example.split("  #")[0])[1:]
    return _command(words) not in NEEDS_INPUT and "--every" not in words


FOUND = _help_examples() + _readme_examples()
EXAMPLES = [(w, e) for w, e in FOUND if _runs_on_the_demo(e)]


def test_examples_are_found():
    where = {w for w, _ in EXAMPLES}
    assert "README.md" in where and "basewatch positions --help" in where
    assert len(EXAMPLES) > 40 and len(FOUND) > len(EXAMPLES)


@pytest.mark.parametrize(("where", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_example_runs_on_the_demo_store(demo_store, tmp_path, monkeypatch, where, example):
    words = shlex.split(example.split("  #")[0])[1:]
    db, _ = demo_store
    copy = tmp_path / "demo.duckdb"
    shutil.copyfile(db, copy)
    if "--db" in words:
        words[words.index("--db") + 1] = str(copy)
    else:
        words += ["--db", str(copy)]
    monkeypatch.chdir(tmp_path)  # files the examples write land here
    out = run(*words)
    assert out.exit_code == 0, f"{where}: {example}\n{out.output}"
    assert not re.match(r"no .* match", out.stderr), f"{where}: {example}: {out.stderr}"
    target = next((words[i + 1] for i, w in enumerate(words) if w in ("-o", "--output")), None)
    if target:
        assert (tmp_path / target).stat().st_size > 0, example
    else:
        assert out.stdout.strip(), f"{where}: {example} printed nothing"
        if "--format" in words and words[words.index("--format") + 1] == "csv":
            assert len(out.stdout.splitlines()) > 1, f"{example}: a bare CSV header"


def test_positions_help_example_returns_rows(demo_store):
    db, _ = demo_store
    help_text = run("positions", "--help").stdout
    example = next(x.strip() for x in help_text.splitlines() if "basewatch positions" in x)
    out = run(*shlex.split(example)[1:], "--format", "csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and {r["icao24"] for r in rows} == {"1554a1"}
    assert "ac671b" not in help_text


def test_an_address_the_store_never_saw_is_unknown(demo_store):
    db, _ = demo_store
    out = run("aircraft", "show", "152fa2", "--db", db)
    assert out.exit_code == 1  # as for a registration the store does not know
    assert out.stdout == ""
    assert out.stderr.strip() == (
        "basewatch: aircraft 152fa2 is unknown to this store: no position and no aircraft "
        "database row (its address block is Russia's)"
    )
    assert run("aircraft", "show", "XX-NOPE", "--db", db).exit_code == 1
    seen = run("aircraft", "show", "1554a1", "--db", db)
    assert seen.exit_code == 0 and "RA-86496" in seen.stdout


# --- 4: events show where their flight came from and went to -----------------------------------


def test_events_table_shows_from_and_to(demo_store):
    db, _ = demo_store
    out = run("events", "--db", db, "--icao24", "1554a1", "--since", "2025-10-26",
              "--until", "2025-10-26")  # fmt: skip
    assert out.exit_code == 0, out.output
    rows = [x for x in out.stdout.splitlines() if "1554a1" in x]
    landing = next(x for x in rows if " landing " in x)
    takeoff = next(x for x in rows if " takeoff " in x)
    assert "HL59 → OSLK" in landing and "OSLK → UUMU" in takeoff
    assert "from_to" in out.stdout


# --- 5: listings in time order -----------------------------------------------------------------


def test_flights_are_listed_by_takeoff_else_first_seen(demo_store):
    db, _ = demo_store
    day = {"base": "OSLK", "since": "2025-01-02", "until": "2025-01-02"}
    rows = api.flights_table(db, **day).to_pylist()
    assert len(rows) > 5
    keys = [(r["takeoff_ts"] or r["first_seen"], r["icao24"], r["flight_id"]) for r in rows]
    assert keys == sorted(keys)
    # that day a Syrian airliner first seen at its stand at 08:33:54 takes off at 08:46, after
    # another flight first seen at 08:33:59: first-seen order listed them the other way round
    by_first_seen = sorted(rows, key=lambda r: (r["first_seen"], r["icao24"]))
    assert [r["flight_id"] for r in by_first_seen] != [r["flight_id"] for r in rows]
    out = run("flights", "--db", db, "--base", "OSLK", "--since", "2025-01-02",
              "--until", "2025-01-02", "--format", "json")  # fmt: skip
    assert [r["flight_id"] for r in json.loads(out.stdout)] == [r["flight_id"] for r in rows]
    assert "take-off, else first seen" in " ".join(run("flights", "--help").stdout.split())


# --- 6: days between items follow the rows printed; numbers to the decimals they need -------


def test_days_after_prev_follows_the_printed_order(demo_store):
    db, _ = demo_store
    rows = json.loads(run("timeline", "--db", db, "--watch", WATCH, "--format", "json").stdout)
    assert len(rows) > 10
    assert any(a["ts"] == b["ts"] for a, b in zip(rows, rows[1:], strict=False))  # ties exist
    from datetime import datetime

    t = [datetime.fromisoformat(r["ts"].replace("Z", "+00:00")) for r in rows]
    assert rows[0]["days_after_prev"] is None
    for i in range(1, len(rows)):
        assert rows[i]["days_after_prev"] == pytest.approx(
            (t[i] - t[i - 1]).total_seconds() / 86400
        )
    # a window keeps each row's days since the row before it in the whole timeline
    cut = run("timeline", "--db", db, "--watch", WATCH, "--since", rows[5]["ts"],
              "--format", "json").stdout  # fmt: skip
    assert json.loads(cut)[0]["days_after_prev"] == pytest.approx(rows[5]["days_after_prev"])
    # every watch together: per watch, in the order printed
    every = json.loads(run("timeline", "--db", db, "--format", "json").stdout)
    last = {}
    for r in every:
        ts = datetime.fromisoformat(r["ts"].replace("Z", "+00:00"))
        if r["watch"] in last:
            want = (ts - last[r["watch"]]).total_seconds() / 86400
            assert r["days_after_prev"] == pytest.approx(want)
        last[r["watch"]] = ts


def test_tables_print_days_and_hours_to_one_decimal(demo_store):
    db, _ = demo_store
    for args in (
        ["timeline", "--watch", WATCH, "--limit", "30"],
        ["changes", "--watch", WATCH],
        ["activity", "--base", "OSLK", "--since", "2025-10-20", "--until", "2025-10-31"],
        ["events", "--base", "OSLK", "--since", "2025-10-26", "--until", "2025-10-26"],
    ):
        out = run(*args, "--db", db)
        assert out.exit_code == 0, out.output
        assert not re.search(r"\d\.\d{3,}", out.stdout), (args, out.stdout)
    changes = run("changes", "--db", db, "--watch", WATCH, "--kind", "resumption").stdout
    assert " 197.9 " in changes  # days: one decimal
    # JSON keeps every digit
    rows = json.loads(run("changes", "--db", db, "--watch", WATCH, "--kind", "resumption",
                          "--format", "json").stdout)  # fmt: skip
    assert len(str(rows[0]["days"]).split(".")[1]) > 3


# --- 7: --format is output; input and written formats are named so -------------------------


def test_input_and_written_formats_have_their_own_names(demo_store, tmp_path, samples):
    for command, new in (
        (["ingest"], "--input-format"),
        (["live"], "--input-format"),
        (["aircraft", "import"], "--input-format"),
        (["simulate"], "--write-format"),
        (["spark", "ingest"], "--input-format"),
    ):
        text = run(*command, "--help").stdout
        assert new in text, command
        assert not re.search(r"^  --format\b", text, re.M), command  # the old name is hidden
        assert "formerly --format, still accepted" in " ".join(text.split())
    db = tmp_path / "in.duckdb"
    out = run("ingest", samples("trace_full_ac671b.json"), "--input-format", "trace_full",
              "--db", db)  # fmt: skip
    assert out.exit_code == 0 and out.stderr == "", out.output
    old = run("ingest", samples("trace_full_ac671b.json"), "--format", "trace_full", "--db",
              tmp_path / "old.duckdb")  # fmt: skip
    assert old.exit_code == 0, old.output
    assert old.stderr.strip().splitlines()[0] == (
        "basewatch: note: ingest --format is now --input-format (--format still works)"
    )
    assert "2,500 new" in old.stdout
    both = run("ingest", samples("trace_full_ac671b.json"), "--format", "beast",
               "--input-format", "trace_full", "--db", db)  # fmt: skip
    assert both.exit_code == 2 and "give --input-format alone" in both.output
    sim = run("simulate", "trap-patchy", "--out", tmp_path / "s", "--write-format", "sbs",
              "--json")  # fmt: skip
    assert sim.exit_code == 0 and json.loads(sim.stdout)["format"] == "sbs"


# --- 8, 9: windows are checked; a bare end date includes its day ------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["brief", "--watch", WATCH, "--from", "2025-10-25", "--since", "2025-10-20"],
            "--since 2025-10-20 and --from 2025-10-25 are the same bound: give one of them",
        ),
        (
            ["brief", "--watch", WATCH, "--until", "2025-10-31", "--to", "2025-10-30"],
            "--until 2025-10-31 and --to 2025-10-30 are the same bound: give one of them",
        ),
        (
            ["brief", "--watch", WATCH, "--from", "2025-10-27", "--to", "2025-10-26"],
            "--from 2025-10-27 is not before --to 2025-10-26 (a bare date there includes its "
            "whole day): the window holds nothing",
        ),
        (
            ["flights", "--since", "2025-10-27", "--until", "2025-10-26T12:00Z"],
            "--since 2025-10-27 is not before --until 2025-10-26T12:00Z: the window holds nothing",
        ),
    ]
    + [
        (
            [*cmd, "--since", "2025-11-01", "--until", "2025-10-01"],
            "--since 2025-11-01 is not before --until 2025-10-01 (a bare date there includes "
            "its whole day): the window holds nothing",
        )
        for cmd in (
            ["positions"],
            ["events"],
            ["changes"],
            ["activity", "--base", "OSLK"],
            ["timeline"],
            ["news", "events"],
            ["chart", "--base", "OSLK", "-o", "x.png"],
            ["brief", "--watch", WATCH],
        )
    ],  # fmt: skip
)
def test_contradictory_or_inverted_windows_are_one_line(demo_store, args, message):
    db, _ = demo_store
    out = run(*args, "--db", db)
    assert out.exit_code == 2, out.output
    assert out.output == f"basewatch: error: {message}\n"


def test_a_bare_until_date_includes_that_day(demo_store):
    db, _ = demo_store
    day = ["--since", "2025-10-26", "--until", "2025-10-26"]
    flights = json.loads(
        run("flights", "--db", db, "--base", "OSLK", *day, "--format", "json").stdout
    )
    assert len(flights) == 8
    events = json.loads(
        run("events", "--db", db, "--base", "OSLK", *day, "--format", "json").stdout
    )
    assert events and {e["ts"][:10] for e in events} == {"2025-10-26"}
    days = json.loads(
        run("activity", "--db", db, "--base", "OSLK", *day, "--format", "json").stdout
    )
    assert [d["day"] for d in days] == ["2025-10-26"]
    pos = run("positions", "--db", db, "--icao24", "1554a1", *day, "--format", "csv").stdout
    assert len(pos.splitlines()) > 100 and all(
        r["ts"].startswith("2025-10-26") for r in csv.DictReader(io.StringIO(pos))
    )
    md = run(
        "brief", "--db", db, "--watch", WATCH, "--from", "2025-10-26", "--to", "2025-10-26"
    ).stdout
    assert "RA-86496" in md
    # a full time stays exclusive
    noon = json.loads(run("events", "--db", db, "--base", "OSLK", "--since", "2025-10-26",
                          "--until", "2025-10-26T09:09:33Z", "--format", "json").stdout)  # fmt: skip
    assert noon and all(e["ts"] < "2025-10-26T09:09:33" for e in noon)


# --- 11: one sentence in two outlets' articles is two rows, told apart -------------------------


def test_news_rows_name_their_outlet_and_article(demo_store, tmp_path):
    db, _ = demo_store
    sentence = (
        "Russian Defence Minister Andrei Belousov met Syrian Defence Minister Murhaf Abu Qasra "
        "in Moscow on October 28."
    )
    for outlet, slug in (("Harbour Courier", "hc"), ("Inland Post", "ip")):
        art = tmp_path / f"{slug}.md"
        art.write_text(
            f'+++\nurl = "https://{slug}.example/a"\noutlet = "{outlet}"\n'
            f'published = "2025-10-29T08:00:00+00:00"\n+++\n\n{sentence}\n'
        )
        api.news_add([art], db=db)
    out = run("news", "events", "--db", db, "--actor", "Murhaf Abu Qasra", "--since",
              "2025-10-28", "--until", "2025-10-28", "--format", "json")  # fmt: skip
    mine = [r for r in json.loads(out.stdout) if r["sentence"] == sentence]
    assert {r["outlet"] for r in mine} == {"Harbour Courier", "Inland Post"}
    table = run("news", "events", "--db", db, "--actor", "Murhaf Abu Qasra", "--since",
                "2025-10-28", "--until", "2025-10-28").stdout  # fmt: skip
    header = table.splitlines()[1]
    assert "outlet" in header and "url" in header
    assert "Harbour Courier" in table and "Inland Post" in table
    assert "https://hc.example/a" in table and "https://ip.example/a" in table


def test_news_table_folds_rows_that_repeat_another(demo_store):
    db, _ = demo_store
    every = json.loads(run("news", "events", "--db", db, "--format", "json").stdout)
    shown = ("date_start", "date_end", "event_type", "actors", "place", "speaker", "source",
             "outlet", "sentence", "url")  # fmt: skip
    keys = [tuple(str(r[c]) for c in shown) for r in every]
    repeats = len(keys) - len(set(keys))
    assert repeats > 0  # the demo's extractor finds some events twice in one sentence
    out = run("news", "events", "--db", db)
    assert out.stderr.strip() == (
        f"{repeats} row{'s' if repeats != 1 else ''} repeating another in every column shown "
        "folded into it (--format csv lists each event with its id)"
    )


# --- 12: --limit in the query, the same rows as before ----------------------------------------


def test_changes_and_timeline_limit_in_the_query(demo_store):
    db, _ = demo_store
    full = api.changes_table(db)
    assert full.num_rows > 3
    assert api.changes_table(db, limit=3).equals(full.slice(0, 3))
    one = api.changes_table(db, WATCH, since="2025-01-01")
    assert api.changes_table(db, WATCH, since="2025-01-01", limit=2).equals(one.slice(0, 2))
    tl = api.timeline_table(db, WATCH, since="2025-10-01")
    assert tl.num_rows > 10
    assert api.timeline_table(db, WATCH, since="2025-10-01", limit=7).equals(tl.slice(0, 7))
    # and the query says so: DuckDB's plan carries the LIMIT
    with open_store(db, read_only=True) as store:
        from basewatch.api import _limited

        plan = store.con.execute(
            "EXPLAIN " + _limited("SELECT * FROM base_changes ORDER BY start_ts", 3)
        ).fetchall()
    assert "TOP_N" in str(plan) or "LIMIT" in str(plan)
    out = run("changes", "--db", db, "--limit", "2", "--format", "jsonl")
    assert len(out.stdout.splitlines()) == 2
    out = run("timeline", "--db", db, "--watch", WATCH, "--limit", "4", "--format", "jsonl")
    assert len(out.stdout.splitlines()) == 4


# --- 10: the README shows a rules file -----------------------------------------------------------


def test_readme_rules_file_is_complete_and_loads(tmp_path):
    text = README.read_text()
    block = text.split("<!-- rules:start -->", 1)[1].split("<!-- rules:end -->", 1)[0]
    toml = block.split("```toml\n", 1)[1].split("```", 1)[0]
    for key in ("name", "on", "watch", "events", "kinds", "min_days", "type", "path", "url",
                "timeout_s"):  # fmt: skip
        assert f"`{key}`" in block, key
    f = tmp_path / "rules.toml"
    f.write_text(toml)
    from basewatch.alerts import load_rules

    rules, sinks = load_rules(f)
    assert len(rules) >= 2 and {s.type for s in sinks} >= {"terminal", "jsonl"}
