"""Spark on local[2] against the embedded path: the same flights and airfield events, row for
row with the same ids, from a simulated three days of the Khmeimim scenario with a corrupt
file and a cut one among them; the same rejects; a re-run adds nothing.

Needs pyspark (the ``spark`` extra) and Java; skipped without them, except in CI (CI set),
where they are installed from the project's own files and the test must run.
"""

from __future__ import annotations

import gzip
import os
import shutil
import tomllib
from importlib.resources import files

import pytest
import rows as R

from basewatch import api

pyspark = pytest.importorskip("pyspark") if not os.environ.get("CI") else __import__("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    if os.environ.get("CI"):
        raise RuntimeError("CI: the Spark tests need Java (make test installs it)")
    pytest.skip("no Java runtime", allow_module_level=True)

DAYS = ("2025-01-14T00:00:00Z", "2025-01-17T00:00:00Z")  # flights over two midnights


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Three days of the shipped scenario, plus one file of garbage and one cut gzip."""
    work = tmp_path_factory.mktemp("spark-sim")
    text = files("basewatch.data.scenarios").joinpath("khmeimim-2025.toml").read_text()
    spec = tomllib.loads(text)["scenario"]
    text = text.replace(f'start = "{spec["start"]}"', f'start = "{DAYS[0]}"', 1)
    text = text.replace(f'end = "{spec["end"]}"', f'end = "{DAYS[1]}"', 1)
    (work / "days.toml").write_text(text)
    api.simulate(work / "days.toml", work / "sim")
    root = work / "sim" / "globe_history"
    traces = sorted(root.rglob("trace_full_*.json"))
    assert len(traces) > 20
    bad = root / "2025-01-15" / "traces" / "zz"
    bad.mkdir(parents=True)
    (bad / "trace_full_garbage.json").write_bytes(b"\x00\x01 not a trace at all \xff" * 20)
    whole = gzip.compress(gzip.decompress(traces[3].read_bytes()) + b" ")
    (bad / "trace_full_cut.json").write_bytes(whole[: len(whole) // 2])
    return root


@pytest.fixture(scope="module")
def embedded(inputs, tmp_path_factory):
    db = tmp_path_factory.mktemp("embedded") / "e.duckdb"
    api.ingest([inputs], db)
    api.process(db)
    return db


@pytest.fixture(scope="module")
def spark_lake(inputs, tmp_path_factory):
    lake = tmp_path_factory.mktemp("lake") / "lake"
    first = api.spark_ingest([inputs], lake, master="local[2]")
    again = api.spark_ingest([inputs], lake, master="local[2]")
    processed = api.spark_process(lake, master="local[2]")
    return lake, first, again, processed


def _lake(lake, name):
    return f"read_parquet('{lake}/{name}/**/*.parquet')"


@pytest.mark.parametrize("table", ["flights", "airfield_events"])
def test_same_rows_and_ids_as_embedded(embedded, spark_lake, table):
    lake = spark_lake[0]
    mine = R.sorted_rows(embedded, f"SELECT * FROM {_lake(lake, table)}")
    theirs = R.sorted_rows(embedded, f"SELECT * FROM {table}")
    assert len(theirs) > 20
    assert mine == theirs


def test_flights_over_midnight_are_one_flight(embedded, spark_lake):
    lake = spark_lake[0]
    over = R.sorted_rows(
        embedded,
        f"SELECT flight_id FROM {_lake(lake, 'flights')} "
        "WHERE CAST(first_seen AS DATE) <> CAST(last_seen AS DATE)",
    )
    assert over  # the parity above covers them: same ids as the embedded path


def test_positions_and_rejects_as_embedded(embedded, spark_lake):
    lake, first, again, _ = spark_lake
    assert first.rows_added == R.sorted_rows(embedded, "SELECT count(*) FROM position_rows")[0][0]
    by_reason = "SELECT source_id, reason, sum(n) FROM {} GROUP BY ALL"
    # the first run's (the re-run reads the cut file again: it was never complete)
    spark_rejects = R.sorted_rows(
        embedded,
        by_reason.format(f"{_lake(lake, 'rejects')} WHERE run_id = '{first.run_id}'"),
    )
    assert spark_rejects == R.sorted_rows(embedded, by_reason.format("rejects"))
    reasons = {r[1] for r in spark_rejects}
    assert {"unknown_format", "truncated_gzip"} <= reasons, reasons


def test_rerun_adds_nothing(embedded, spark_lake):
    lake, first, again, _ = spark_lake
    # only the cut file is read again (it never was complete), and it adds nothing
    assert again.rows_added == 0 and again.sources == len(first.incomplete) == 1
    assert again.sources_skipped == first.sources - len(first.incomplete)
    n = R.sorted_rows(
        embedded, f"SELECT count(*), count(DISTINCT position_id) FROM {_lake(lake, 'positions')}"
    )
    assert n == [(first.rows_added, first.rows_added)]


def test_attach_the_spark_lake(spark_lake, embedded, tmp_path):
    lake = spark_lake[0]
    db = tmp_path / "attached.duckdb"
    counts = api.attach(lake, db)
    assert counts["flights"] == R.sorted_rows(embedded, "SELECT count(*) FROM flights")[0][0]
    assert len(api.flights(db, base="OSLK")) == len(api.flights(embedded, base="OSLK"))
