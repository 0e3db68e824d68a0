"""`basewatch news add` / `news events`: a thin shell over the API, typed errors in one line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from basewatch.cli import cli

DATA = Path(__file__).parent / "data"


def test_add_then_events_in_each_format(db):
    runner = CliRunner()
    res = runner.invoke(cli, ["news", "add", str(DATA / "belousov_meeting.md"), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("news: 1 article read, 1 new, 0 duplicates,")

    res = runner.invoke(cli, ["news", "events", "--db", str(db), "--format", "json"])
    rows = json.loads(res.output)
    keys = {"event_type", "date_start", "date_end", "date_precision", "actors", "place"}
    keys |= {"speaker", "source", "sentence", "article_id"}
    assert rows and all(keys <= set(r) for r in rows)
    assert any(r["event_type"] == "flight" and r["place"] == "OSLK" for r in rows)

    res = runner.invoke(
        cli, ["news", "events", "--db", str(db), "--format", "csv", "--type", "statement"]
    )
    recs = list(csv.DictReader(io.StringIO(res.output)))
    assert {r["speaker"] for r in recs} == {"Andrei Belousov"}
    assert all(r["actors"] == "Andrei Belousov" for r in recs)

    res = runner.invoke(cli, ["news", "events", "--db", str(db), "--place", "oslk"])
    assert res.exit_code == 0 and "Il-62M" in res.output


def test_user_mistakes_are_one_line_errors(db, tmp_path):
    runner = CliRunner()
    note = tmp_path / "n.txt"
    note.write_text("Two Il-76 transports landed at Al Jufra on Saturday.\n")
    res = runner.invoke(
        cli, ["news", "add", str(note), "--published", "yesterday", "--db", str(db)]
    )
    assert res.exit_code == 2
    assert res.output.strip().startswith("basewatch: error: --published 'yesterday'")
    res = runner.invoke(cli, ["news", "add", str(tmp_path / "missing.md"), "--db", str(db)])
    assert res.exit_code == 2 and "no such file" in res.output
    runner.invoke(cli, ["news", "add", str(note), "--db", str(db)])
    res = runner.invoke(cli, ["news", "events", "--db", str(db), "--type", "party"])
    assert res.exit_code == 2 and "choose one of" in res.output
