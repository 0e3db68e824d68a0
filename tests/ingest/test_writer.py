"""The ingest write path: duplicates across batches, the carried remainder, the Bloom filter.

Small batch and row-group sizes make one ingest of three trace files cross many batches; each
way of finding duplicates (filter says new, filter flags a few rows, the exact check) must
store exactly the same rows.
"""

from __future__ import annotations

import json

import framing as F
import numpy as np
import pytest

from basewatch import api
from basewatch.ingest import pipeline
from basewatch.ingest.seen import SeenIds

TRACE = "trace_full_ac671b.json"


@pytest.fixture
def files(tmp_path, samples):
    doc = json.loads(samples(TRACE).read_text())
    a = F.write(tmp_path / "in" / "a_trace_full_ac671b.json", json.dumps(doc))
    # the first 1,200 rows again, in a file with other bytes (another source, no new rows)
    part = dict(doc, trace=doc["trace"][:1200], desc="copy")
    b = F.write(tmp_path / "in" / "b_trace_full_ac671b.json", json.dumps(part))
    # the same flight under another address: all new
    c = F.write(tmp_path / "in" / "c_trace_full_ac671c.json", json.dumps(dict(doc, icao="ac671c")))
    # and one repeating rows inside itself
    d = F.write(
        tmp_path / "in" / "d_trace_full_ac671d.json",
        json.dumps(dict(doc, icao="ac671d", trace=doc["trace"][:300] + doc["trace"][100:400])),
    )
    return [a, b, c, d]


MODES = {
    "filter": (pipeline.SeenIds, 4096),
    "flagged rows": (lambda: SeenIds(bits_log2=10), 10**9),  # a tiny filter flags many rows
    "exact": (pipeline.SeenIds, -1),  # every batch checked against the store
}


@pytest.mark.parametrize("mode", MODES)
def test_duplicates_found_whatever_the_path(db, files, monkeypatch, mode):
    seen, exact_max = MODES[mode]
    monkeypatch.setattr(pipeline, "ROW_GROUP", 1000)
    monkeypatch.setattr(pipeline._Writer, "BATCH", 1500)
    monkeypatch.setattr(pipeline._Writer, "CHECKPOINT_ROWS", 4000)
    monkeypatch.setattr(pipeline._Writer, "EXACT_MAX", exact_max)
    monkeypatch.setattr(pipeline, "SeenIds", seen)
    report = api.ingest(files, db=db)
    assert report.rows_read == 2500 + 1200 + 2500 + 600
    assert report.rows_added == 2500 + 2500 + 400
    assert F.query(db, "SELECT count(*), count(DISTINCT position_id) FROM positions") == [
        (5400, 5400)
    ]
    per_source = F.query(db, "SELECT uri, rows_read, rows_added FROM sources ORDER BY uri")
    assert [(r, n) for _, r, n in per_source] == [(2500, 2500), (1200, 0), (2500, 2500), (600, 400)]
    # the same table as one ingest with the production sizes
    other = db.with_name("other.duckdb")
    monkeypatch.undo()
    api.ingest(files, db=other)
    cols = "* EXCLUDE (source_id) FROM positions ORDER BY icao24, ts"
    assert F.query(db, f"SELECT {cols}") == F.query(other, f"SELECT {cols}")
    # and again: nothing new, every source skipped
    again = api.ingest(files, db=db)
    assert (again.rows_added, again.sources_skipped) == (0, 4)


def test_seen_ids_flags_repeats_and_only_few_others():
    seen = SeenIds()
    rng = np.random.default_rng(7)
    first = rng.integers(0, 2**63, 200_000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    assert not seen.check_add(first).any()
    again = seen.check_add(first[:1000])
    assert again.all()
    fresh = rng.integers(0, 2**63, 200_000, dtype=np.uint64) * np.uint64(2)
    assert seen.check_add(fresh).sum() < 20  # false hits are rare at this fill
    inside = seen.check_add(np.array([5, 6, 5], dtype=np.uint64))
    assert inside.tolist() == [False, False, True]
