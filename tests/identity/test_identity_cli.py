"""``basewatch aircraft import`` and ``basewatch aircraft show``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from identity_files import tar1090_line, write_tar1090

from basewatch.cli import cli

FLEET = [
    tar1090_line("152fa2", "RA-86496", "IL62", "10", "ILYUSHIN Il-62M", "", "Russia - Air Force"),
    tar1090_line("4b1805", "HB-JVN", "E190", "00", "EMBRAER ERJ-190", "2009", "Helvetic"),
    "zzzzzz;bad;line;00;;;;",
]


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def imported(tmp_path, db, run):
    result = run("aircraft", "import", write_tar1090(tmp_path / "fleet.csv", FLEET), "--db", db)
    assert result.exit_code == 0, result.output
    return db


def test_import_prints_one_line(tmp_path, db, run):
    path = write_tar1090(tmp_path / "fleet.csv", FLEET)
    result = run("aircraft", "import", path, "--db", db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "aircraft import: tar1090_db (tar1090_db), 3 rows read, 2 stored (1 military), "
        "0 replaced, 1 rejected (bad_icao24 1) in "
    )
    again = run("aircraft", "import", path, "--db", db, "--json")
    report = json.loads(again.stdout)
    assert (report["rows_stored"], report["rows_replaced"]) == (2, 2)


def test_show_by_address_json(imported, run):
    result = run("aircraft", "show", "152FA2", "--db", imported, "--format", "json")
    assert result.exit_code == 0
    row = json.loads(result.stdout)
    assert row["registration"] == "RA-86496"
    assert (row["country_iso2"], row["is_military"]) == ("RU", True)
    assert row["reason"] == 'tar1090-db military flag; operator "Russia - Air Force"'


def test_show_by_registration_table(imported, run):
    result = run("aircraft", "show", "hb-jvn", "--db", imported)
    assert result.exit_code == 0
    out = result.stdout
    assert "4b1805" in out and "Switzerland" in out and "is_military" in out


def test_show_with_a_watch_list(imported, run, tmp_path):
    wl = tmp_path / "w.toml"
    wl.write_text('[[watch]]\nlabel = "Il-62"\ntype = "IL62"\n')
    result = run(
        "aircraft", "show", "152fa2", "--db", imported, "--watchlist", wl, "--format", "json"
    )
    assert json.loads(result.stdout)["watch_labels"] == "Il-62"


def test_show_unknown_registration_exits_1(imported, run):
    result = run("aircraft", "show", "XX-NOPE", "--db", imported)
    assert result.exit_code == 1
    assert "no aircraft with registration 'XX-NOPE'" in result.stderr


def test_show_unseen_address_is_unknown_and_gives_its_country(imported, run):
    result = run("aircraft", "show", "018001", "--db", imported, "--format", "json")
    assert result.exit_code == 1  # as for a registration the store does not know
    assert result.stdout == ""
    assert result.stderr == (
        "basewatch: aircraft 018001 is unknown to this store: no position and no aircraft "
        "database row (its address block is Libya's)\n"
    )


def test_user_mistakes_are_one_line(tmp_path, db, run):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello\n")
    result = run("aircraft", "import", notes, "--db", db)
    assert result.exit_code == 2
    assert result.stderr.startswith("basewatch: error: ") and len(result.stderr.splitlines()) == 1
    result = run("aircraft", "import", tmp_path / "missing.csv", "--db", db)
    assert result.exit_code == 2 and "no such file" in result.stderr
    bad_wl = tmp_path / "w.toml"
    bad_wl.write_text("[[watch]]\n")
    path = write_tar1090(tmp_path / "fleet.csv", FLEET)
    result = run("aircraft", "import", path, "--db", db, "--watchlist", bad_wl)
    assert result.exit_code == 2 and "label missing" in result.stderr
    result = run("aircraft", "show", "152fa2", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 2 and "no store here yet" in result.stderr


def test_installed_command_runs(tmp_path, db):
    path = write_tar1090(tmp_path / "fleet.csv", FLEET)
    proc = subprocess.run(
        [sys.executable, "-m", "basewatch", "aircraft", "import", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("aircraft import: tar1090_db")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "basewatch",
            "aircraft",
            "show",
            "RA-86496",
            "--db",
            str(db),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["icao24"] == "152fa2"
