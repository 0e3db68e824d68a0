"""``ingest --jobs 2`` stores exactly what ``--jobs 1`` stores: the same positions (ids and
all), sources, rejects and aircraft, with a corrupt file and a repeated file among the inputs."""

from __future__ import annotations

import shutil

import pytest
import rows as R

from basewatch import api
from basewatch.demo import sample_path

SAMPLES = ("trace_full_ac671b.json", "rs1090_full_flight_short.jsonl.gz", "dump1090_sample.bin")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    work = tmp_path_factory.mktemp("jobs")
    api.simulate("trap-patchy", work / "sim")
    folder = work / "sim" / "globe_history"

    for name in SAMPLES[:2]:
        shutil.copy(sample_path(name), folder / name)
    shutil.copy(sample_path(SAMPLES[0]), folder / "again_trace_full_ac671b.json")
    (folder / "garbage.json").write_bytes(b"\x1f\x8b\x08 cut short")
    return folder


def test_jobs_two_stores_what_jobs_one_stores(inputs, tmp_path):
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    r1 = api.ingest([inputs], one, jobs=1)
    r2 = api.ingest([inputs], two, jobs=2)
    assert r1.rows_added > 1000 and r1.rows_added == r2.rows_added
    assert (r1.sources, r1.sources_skipped, r1.rows_read) == (
        r2.sources,
        r2.sources_skipped,
        r2.rows_read,
    )
    assert r1.sources_skipped == 1 and r1.rejects and r1.rejects == r2.rejects
    for sql in (
        "SELECT * FROM position_rows",
        "SELECT * FROM callsigns",
        "SELECT * EXCLUDE (run_id, ingested_at) FROM sources",
        "SELECT * EXCLUDE (run_id) FROM rejects",
        "SELECT * FROM aircraft_observed",
    ):
        assert R.sorted_rows(one, sql) == R.sorted_rows(two, sql), sql
    # and a re-run with workers adds nothing
    assert api.ingest([inputs], two, jobs=2).rows_added == 0
