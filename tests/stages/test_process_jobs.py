"""``process --jobs 2`` derives exactly what ``--jobs 1`` derives: the same flights and
airfield events, row for row with the same ids, from aircraft spread over several groups."""

from __future__ import annotations

import shutil

import rows as R
from days import simulate_days

from basewatch import api
from basewatch.demo import sample_path


def test_jobs_two_derives_what_jobs_one_derives(tmp_path):
    folder = simulate_days(tmp_path, "2025-01-14T00:00:00Z", "2025-01-16T00:00:00Z")
    shutil.copy(sample_path("trace_full_ac671b.json"), folder / "trace_full_ac671b.json")
    one, two = tmp_path / "one.duckdb", tmp_path / "two.duckdb"
    api.ingest([folder], one)
    shutil.copy(one, two)
    r1 = api.process(one, jobs=1)
    r2 = api.process(two, jobs=2)
    assert r1.aircraft >= 8 and r1.flights > 10 and r1.events > 10
    assert (r1.positions, r1.flights, r1.events, r1.by_type) == (
        r2.positions,
        r2.flights,
        r2.events,
        r2.by_type,
    )
    for sql in ("SELECT * FROM flights", "SELECT * FROM airfield_events", "SELECT * FROM aircraft"):
        got = R.sorted_rows(two, sql)
        assert got and got == R.sorted_rows(one, sql), sql
