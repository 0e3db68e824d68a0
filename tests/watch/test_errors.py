"""Caller mistakes in watch files, rules and options: one line, exit 2, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from basewatch.cli import cli
from basewatch.stages.changes import detect_changes
from basewatch.store import open_store
from basewatch.watches import Watch

BAD_WATCHES = {
    "watch = 5": "[[watch]] tables",
    '[[watch]]\nname = "w"\nbase = "OSLK"\ncountries = "RU"': "must be a list of text",
    '[[watch]]\nname = "w"\nbase = "OSLK"\ntypes = [7]': "must be a list of text",
    '[[watch]]\nname = 7\nbase = "OSLK"': "name must be text",
    '[[watch]]\nname = "w"\nbase = "OSLK"\ngap_days = -5': "gap_days must be a number",
    '[[watch]]\nname = "w"\nbase = "OSLK"\nstate = "yes"': "state must be true or false",
}
BAD_RULES = {
    "rule = 5": "[[rule]] tables",
    "[rule]\nname = 'x'": "[[rule]] tables",
    'sink = ["x"]': "[[sink]] tables",
    '[[rule]]\nname = "x"\non = "change"\nmin_days = "x"': "min_days must be a number",
    '[[rule]]\nname = "x"\non = "movement"\nevents = []': "non-empty list",
    '[[rule]]\nname = "x"\non = "movement"\nevents = [1]': "non-empty list",
    '[[rule]]\nname = "x"\non = "change"\nkind = ["gap"]': "unknown key(s) kind",
    '[[sink]]\ntype = "webhook"\nurl = "http://x"\ntimeout_s = "x"': "timeout_s must be",
}


@pytest.fixture
def store_path(tmp_path):
    db = tmp_path / "s.duckdb"
    open_store(db).close()
    return db


def _run(*args):
    out = CliRunner().invoke(cli, [str(a) for a in args])
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and out.output.startswith("basewatch: error:")
    return out.output


@pytest.mark.parametrize("text", list(BAD_WATCHES))
def test_bad_watch_files(tmp_path, store_path, text):
    f = tmp_path / "w.toml"
    f.write_text(text)
    assert BAD_WATCHES[text] in _run("watch", "--db", store_path, "--watches", f)


@pytest.mark.parametrize("text", list(BAD_RULES))
def test_bad_rules(tmp_path, store_path, text):
    f = tmp_path / "r.toml"
    f.write_text(text)
    assert BAD_RULES[text] in _run("watch", "--db", store_path, "--rules", f)


def test_bad_options(tmp_path, store_path):
    out = CliRunner().invoke(cli, ["watch", "--db", str(store_path), "--every", "-1"])
    assert out.exit_code == 2 and "Invalid value for '--every'" in out.output
    assert "is not before --to 2025-01-01" in _run(
        "brief", "--db", store_path, "--base", "OSLK", "--from", "2025-10-01", "--to", "2025-01-01"
    )
    assert "does not exist" in _run(
        "chart", "--db", store_path, "--base", "OSLK", "-o", tmp_path / "no" / "c.png"
    )
    assert "does not exist" in _run(
        "brief", "--db", store_path, "--base", "OSLK", "-o", tmp_path / "no" / "b.md"
    )
    assert "unknown watch" in _run("changes", "--db", store_path, "--watch", "nope")
    assert "unknown watch" in _run("timeline", "--db", store_path, "--watch", "nope")
    assert "change kind" in _run("changes", "--db", store_path, "--kind", "bogus")


def test_registration_globs_with_several_stars(store_path):
    w = Watch(name="g", base="OSLK", registrations=("RA-*-*", "RF-9?(1)"))
    with open_store(store_path) as store:
        store.con.execute(
            "INSERT INTO aircraft (icao24, registration, is_military, is_state, position_count, detector) "
            "VALUES ('152fa2', 'RA-86-496', true, true, 1, 't')"
        )
        where, params = w.where()
        store.con.execute(
            f"SELECT count(*) FROM airfield_events e LEFT JOIN aircraft a USING (icao24) WHERE {where}",
            params,
        )
        assert detect_changes(store, w).num_rows == 0
        hit = store.con.execute(
            "SELECT regexp_full_match('RA-86-496', ?), regexp_full_match('RF-9X(1)', ?), regexp_full_match('RA86496', ?)",
            [params[-2], params[-1], params[-2]],
        ).fetchone()
    assert hit == (True, True, False)


def test_activity_of_an_airfield_no_watch_covers(demo_store):
    """A base no watch covers has no activity rows: say so and how to add a watch, rather
    than print an empty table; a watched base answers as before."""
    db, _ = demo_store
    ok = CliRunner().invoke(cli, ["activity", "--db", str(db), "--base", "OSLK", "--format", "csv"])
    assert ok.exit_code == 0 and ok.output.count("\n") > 1
    out = _run("activity", "--db", db, "--base", "LFBO")
    assert "no watch covers LFBO" in out and 'base = "LFBO"' in out
    assert "basewatch watch --watches FILE" in out and out.count("\n") == 1
