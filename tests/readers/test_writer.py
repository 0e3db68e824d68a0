"""The ingest write path: duplicates across batches, the carried remainder, the Bloom filter.

Small batch and row-group sizes make one ingest of three trace files cross many batches; each
way of finding duplicates (filter says new, filter flags a few rows, the exact check) must
store exactly the same rows.
"""

from __future__ import annotations

import json
from datetime import timedelta

import framing as F
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from basewatch import api
from basewatch.readers import pipeline
from basewatch.readers.seen import SeenIds
from basewatch.store import open_store

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


@pytest.fixture
def second_day(tmp_path, samples):
    """A store holding one trace, and a second ingest whose files touch it in every way."""
    doc = json.loads(samples(TRACE).read_text())
    rows = doc["trace"]
    first = F.write(tmp_path / "first" / "trace_full_ac671b.json", json.dumps(doc))
    d = tmp_path / "second"
    shifted = [[r[0] + 4.5, *r[1:]] for r in rows]  # same aircraft, same hours, other times
    text = json.dumps(dict(doc, desc="cut"))
    files = [
        # the stored rows again, in other bytes: nothing new
        F.write(d / "a_ac671b.json", json.dumps(dict(doc, trace=rows[:1200], desc="part"))),
        # the same hours under another address: all new, and no stored span to look at
        F.write(d / "b_ac671c.json", json.dumps(dict(doc, icao="ac671c"))),
        # inside the stored aircraft's span but at other times: flagged, then all kept
        F.write(d / "c_ac671b.json", json.dumps(dict(doc, trace=shifted[:1500]))),
        # the last stored rows and rows past the stored span
        F.write(
            d / "d_ac671b.json",
            json.dumps(dict(doc, timestamp=doc["timestamp"] + 3000, trace=rows[2000:])),
        ),
        # a copy cut in the middle of the array: what is left repeats stored rows
        F.write(d / "e_ac671b.json", text[: len(text) * 2 // 3]),
        # a file given twice (skipped the second time by its content hash)
        F.write(d / "f_ac671c.json", json.dumps(dict(doc, icao="ac671c", desc="again"))),
        F.write(d / "g_ac671c.json", json.dumps(dict(doc, icao="ac671c", desc="again"))),
    ]
    return first, files


SPAN_MODES = {
    "spans, few flagged": 4096,  # flagged rows looked up one by one
    "spans, many flagged": 100,  # batches with many flagged rows take the exact path
}


def spy(method, calls: list):
    def wrapper(self, *args):
        calls.append(method.__name__)
        return method(self, *args)

    return wrapper


@pytest.mark.parametrize("mode", SPAN_MODES)
def test_stored_spans_keep_exactly_the_rows_of_the_exact_path(
    tmp_path, second_day, monkeypatch, mode
):
    first, files = second_day
    stores = {}
    for name, exact_max in {"exact": -1, mode: SPAN_MODES[mode]}.items():
        db = tmp_path / f"{len(stores)}.duckdb"
        api.ingest([first], db=db)
        paths = []
        with monkeypatch.context() as m:
            m.setattr(pipeline, "ROW_GROUP", 1000)
            m.setattr(pipeline._Writer, "BATCH", 1500)
            m.setattr(pipeline._Writer, "CHECKPOINT_ROWS", 4000)
            m.setattr(pipeline._Writer, "EXACT_MAX", exact_max)
            for path in ("_exact", "_stored"):
                m.setattr(pipeline._Writer, path, spy(getattr(pipeline._Writer, path), paths))
            report = api.ingest(files, db=db)
        stores[name] = (report, F.query(db, "SELECT * FROM positions ORDER BY position_id"))
        stores[name] += (paths,)
    (exact, rows, _), (fast, fast_rows, paths) = stores.values()
    # some batches (the new aircraft) needed no look in the store at all
    batches = -(-exact.rows_read // 1500)
    assert 0 < len(paths) < batches
    assert ("_exact" in paths) == (SPAN_MODES[mode] < 1500)
    assert fast_rows == rows
    assert (fast.rows_read, fast.rows_added) == (exact.rows_read, exact.rows_added)
    assert fast.rows_added == 2500 + 1500 + 500  # ac671c, the shifted rows, rows past the span
    assert exact.incomplete and fast.sources_skipped == 1


def test_stored_spans_only_flag_aircraft_at_stored_times(db, second_day):
    first, files = second_day
    api.ingest([first], db=db)
    with open_store(db) as store:
        spans = pipeline.StoredSpans(store.con)
        t = store.table("SELECT icao, ts FROM position_rows ORDER BY ts")
        lo, hi = t.column("ts")[0].as_py(), t.column("ts")[-1].as_py()
        icao, ts = t.column("icao"), t.column("ts")
        assert spans.may_hold(icao, ts, lo, hi).all()
        other = pa.chunked_array([pa.array([0xAC671C] * len(t), pa.uint32())])
        assert not spans.may_hold(other, ts, lo, hi).any()
        later = pc.add(ts, pa.scalar(timedelta(days=3)))
        assert not spans.may_hold(icao, later, lo + timedelta(days=3), hi + timedelta(days=3)).any()


SETTINGS = "SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit', 'disabled_compression_methods') ORDER BY name"  # noqa: E501


@pytest.mark.parametrize("fails", [False, True])
def test_ingest_gives_the_connection_its_settings_back(db, files, monkeypatch, fails):
    monkeypatch.setattr(pipeline, "ROW_GROUP", 1000)
    monkeypatch.setattr(pipeline._Writer, "BATCH", 1000)
    with open_store(db) as store:
        store.con.execute("SET disabled_compression_methods = 'rle'")
        before = store.con.execute(SETTINGS).fetchall()
        appended = []

        def append(self, rows):
            appended.append(rows.num_rows)
            # what the writer appends while it runs: without FSST, with its cache dropped after
            assert "FSST" in self._setting("disabled_compression_methods")
            original(self, rows)
            if fails and len(appended) == 2:
                raise RuntimeError("disk full")

        original = pipeline._Writer._append
        monkeypatch.setattr(pipeline._Writer, "_append", append)
        if fails:
            with pytest.raises(RuntimeError, match="disk full"):
                pipeline.ingest(files, store)
        else:
            pipeline.ingest(files, store)
            cached = "SELECT sum(memory_usage_bytes) FROM duckdb_memory() WHERE tag = 'BASE_TABLE'"
            assert store.con.execute(cached).fetchone()[0] < 1 << 20
        assert store.con.execute(SETTINGS).fetchall() == before
        assert len(appended) >= 2


@pytest.mark.parametrize("limit", ["700MB", None])
def test_memory_limit_set_back_exactly(db, files, monkeypatch, limit):
    monkeypatch.setattr(pipeline, "ROW_GROUP", 1000)
    monkeypatch.setattr(pipeline._Writer, "BATCH", 1000)
    if limit:
        monkeypatch.setenv("BASEWATCH_MEMORY_LIMIT", limit)
    with open_store(db) as store:
        if limit is None:  # changed after opening: set back as near as DuckDB shows it
            store.con.execute("SET memory_limit = '3GB'")
        before = store.con.execute(SETTINGS).fetchall()
        for _ in range(3):
            pipeline.ingest(files, store)
            assert store.con.execute(SETTINGS).fetchall() == before


def test_seen_ids_start_another_filter_when_one_is_full():
    """A long run: past ``FILL`` ids another filter starts (at most ``MAX_FILTERS``); every id
    added to any of them is still flagged, and new ids are flagged as rarely as in one filter
    at that fill (a single filter of the same size flagged about one new id in eight)."""
    seen = SeenIds(bits_log2=16)  # filters of 8 KiB
    seen.fill = 3_000
    rng = np.random.default_rng(11)
    added = [rng.integers(0, 2**64 - 1, 3_000, dtype=np.uint64) for _ in range(4)]
    for ids in added:
        assert seen.check_add(ids).sum() < 100
    assert len(seen.filters) == 4
    assert all(seen.check(ids).all() for ids in added)  # no id forgotten
    fresh = rng.integers(0, 2**64 - 1, 10_000, dtype=np.uint64)
    assert seen.check(fresh).sum() < 50
    one = SeenIds(bits_log2=16)
    one.fill = 10**9
    for ids in added:
        one.check_add(ids)
    assert len(one.filters) == 1 and one.check(fresh).sum() > 1_000
