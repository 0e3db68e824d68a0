"""The ``basewatch`` command: summaries, caller mistakes in one line, and every output format."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from basewatch.cli import cli

TRACE = "trace_full_ac671b.json"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def filled(db, run, samples):
    result = run("ingest", samples(TRACE), "--db", db)
    assert result.exit_code == 0, result.stderr
    return db


def test_ingest_prints_one_line_summary(run, db, samples):
    result = run("ingest", samples(TRACE), "--db", db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "ingest: 1 source, 2,500 positions read, 2,500 new, 0 rejected, "
        "time from the data (2,500) in "
    )
    again = run("ingest", samples(TRACE), "--db", db)
    assert again.exit_code == 0
    assert again.stdout.startswith(
        "ingest: 0 sources, 0 positions read, 0 new, 0 rejected, 1 already ingested in "
    )


def test_ingest_json_report(run, db, samples):
    result = run(
        "ingest", samples("dump1090_sample.bin"), "--db", db, "--json", "--start", "2024-05-01"
    )
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["sources"], report["rows_read"], report["rows_added"]) == (1, 3, 3)
    assert report["counters"] == {"frames": 239, "time_from_start": 239}
    # replies heard before any squitter of their address cannot be verified yet: counted
    assert report["rejects"] == {"crc_unverified": 6}


def test_ingest_beast_clock_option(run, db, samples):
    result = run(
        "ingest", samples("dump1090_sample.bin"), "--db", db, "--beast-clock", "gps", "--json",
        "--start", "2024-05-01",
    )  # fmt: skip
    assert result.exit_code == 0
    bad = run("ingest", samples("dump1090_sample.bin"), "--db", db, "--beast-clock", "10mhz")
    assert bad.exit_code == 2
    assert "'10mhz' is not one of '12mhz', 'gps'" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nowhere.bin"], "basewatch: error: nowhere.bin: no such file or folder"),
        (
            ["{trace}", "--input-format", "bogus"],
            "basewatch: error: unknown format 'bogus'; choose one of: beast, avr, sbs,",
        ),
        (
            ["{trace}", "--receiver", "35.4"],
            "basewatch: error: receiver '35.4': expected LAT,LON in degrees, e.g. 35.40,35.95",
        ),
        (
            ["{trace}", "--receiver", "135.4,20"],
            "basewatch: error: receiver '135.4,20': latitude must be within ±90",
        ),
        (
            ["{trace}", "--start", "last tuesday"],
            "basewatch: error: start 'last tuesday': expected an ISO date or time",
        ),
        (
            ["tcp://127.0.0.1:30005"],
            "basewatch: error: tcp://127.0.0.1:30005: a live feed needs --input-format beast, avr or sbs",
        ),
        (
            ["tcp://127.0.0.1", "--input-format", "beast"],
            "basewatch: error: tcp://127.0.0.1: expected tcp://HOST:PORT",
        ),
    ],
)
def test_caller_mistakes_are_one_line(run, db, samples, args, message):
    args = [a.format(trace=samples(TRACE)) for a in args]
    result = run("ingest", *args, "--db", db)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(message)
    assert "Traceback" not in result.stderr


def test_positions_json(run, filled):
    result = run("positions", "--db", filled, "--format", "json", "--limit", "3")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)  # one JSON array, as datasette writes it
    assert isinstance(rows, list) and len(rows) == 3
    assert list(rows[0]) == [
        "position_id",
        "ts",
        "icao24",
        "callsign",
        "lat_deg",
        "lon_deg",
        "alt_baro_ft",
        "alt_geom_ft",
        "on_ground",
        "gs_kt",
        "track_deg",
        "vrate_fpm",
        "squawk",
        "new_leg",
        "source_id",
    ]
    first = rows[0]
    assert (first["ts"], first["icao24"], first["lat_deg"], first["lon_deg"]) == (
        "2025-02-04T21:13:42.619000Z",
        "ac671b",
        16.777359,
        -88.036868,
    )
    assert (first["alt_baro_ft"], first["on_ground"], first["new_leg"]) == (32000, False, False)
    # JSON lines: the same rows, one a line
    lines = run("positions", "--db", filled, "--format", "jsonl", "--limit", "3").stdout
    assert [json.loads(x) for x in lines.splitlines()] == rows


def test_positions_csv_with_filters(run, filled):
    result = run(
        "positions",
        "--db",
        filled,
        "--format",
        "csv",
        "--icao24",
        "AC671B",
        "--since",
        "2025-02-05T00:00Z",
        "--until",
        "2025-02-05T01:00Z",
    )
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 221  # counted from the JSON: 00:00 <= timestamp + dt < 01:00
    assert all("2025-02-05 00:" in r["ts"] for r in rows)
    assert {r["icao24"] for r in rows} == {"ac671b"}


def test_positions_table(run, filled):
    result = run("positions", "--db", filled, "--limit", "2")
    assert result.exit_code == 0
    out = result.stdout
    assert "position_id" in out and "lat_deg" in out
    assert "16.77736" in out and "-88.03687" in out
    many = run("positions", "--db", filled)
    assert "… 2,300 more rows (use --limit N, or --format csv for all of them)" in many.stdout


def test_positions_parquet(run, filled, tmp_path):
    out = tmp_path / "out.parquet"
    result = run("positions", "--db", filled, "--format", "parquet", "-o", out)
    assert result.exit_code == 0
    assert result.stderr.strip() == f"wrote 2,500 rows to {out}"
    table = pq.read_table(out)
    assert table.num_rows == 2500
    assert table.column("icao24").unique().to_pylist() == ["ac671b"]
    assert table.schema.field("ts").type.tz == "UTC"
    missing = run("positions", "--db", filled, "--format", "parquet")
    assert missing.exit_code == 2
    assert missing.stderr.strip() == (
        "basewatch: error: --format parquet writes a file: add -o FILE.parquet"
    )


def test_positions_without_store(run, tmp_path):
    result = run("positions", "--db", tmp_path / "none.duckdb")
    assert result.exit_code == 2
    assert result.stderr.startswith("basewatch: error: ")
    assert "no store here yet; run `basewatch ingest` first" in result.stderr


def test_real_process(tmp_path, samples):
    """One run of the installed command in its own process, as a user would."""
    db = tmp_path / "cli.duckdb"
    env = dict(os.environ, BASEWATCH_DB=str(db))
    script = Path(sys.executable).with_name("basewatch")  # the console script of this install
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "basewatch"]
    done = subprocess.run(
        [*cmd, "ingest", str(samples(TRACE))],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ingest: 1 source, 2,500 positions read, 2,500 new, 0 rejected")
    shown = subprocess.run(  # and python -m basewatch
        [sys.executable, "-m", "basewatch", "positions", "--format", "csv", "--limit", "1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[1].split(",")[1] == "2025-02-04 21:13:42.619000Z"
    bad = subprocess.run(
        [*cmd, "ingest", "missing.bin"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr == "basewatch: error: missing.bin: no such file or folder\n"
