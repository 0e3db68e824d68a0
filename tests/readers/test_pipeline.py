"""The pipeline around the readers: sources, rejects, runs, idempotency and overlapping captures."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime

import framing as F
import pytest

from basewatch import api
from basewatch.errors import FormatError, InputError
from basewatch.readers import readsb

TRACE = "trace_full_ac671b.json"
SUMMARY = re.compile(r"^ingest: .* in \d+\.\d s$")


def test_empty_file(db, tmp_path):
    path = F.write(tmp_path / "empty.bin", b"")
    report = api.ingest([path], db=db)
    assert dict(report.rejects) == {"empty_file": 1}
    assert (report.sources, report.rows_read) == (0, 0)
    assert SUMMARY.match(report.summary())
    assert report.summary().startswith(
        "ingest: 0 sources, 0 positions read, 0 new, 1 rejected (empty_file 1) in "
    )
    assert F.query(db, "SELECT reason, uri, location FROM rejects") == [
        ("empty_file", str(path), str(path))
    ]
    assert F.query(db, "SELECT count(*) FROM sources") == [(0,)]


@pytest.mark.parametrize("fmt", ["beast", "avr", "frames_jsonl", "trace_full"])
def test_empty_file_with_format_given(db, tmp_path, fmt):
    path = F.write(tmp_path / "empty.dat", b"")
    report = api.ingest([path], db=db, format=fmt)
    assert dict(report.rejects) == {"empty_file": 1}
    assert report.rows_read == 0


def test_unknown_format(db, tmp_path, samples):
    folder = tmp_path / "in"
    data = b"this is a shopping list, not air traffic\n" * 10
    F.write(folder / "notes.txt", data)
    F.write(folder / "trace.json", samples(TRACE).read_bytes())
    report = api.ingest([folder], db=db)
    assert dict(report.rejects) == {"unknown_format": 1}
    assert (report.sources, report.rows_added) == (1, 2500)
    assert F.query(db, "SELECT uri, excerpt FROM rejects") == [
        (str(folder / "notes.txt"), data[:100].hex())
    ]


def test_unreadable_file_in_folder(db, tmp_path, samples):
    folder = tmp_path / "in"
    F.write(folder / "a_trace.json", samples(TRACE).read_bytes())
    locked = F.write(folder / "b_locked.json", samples(TRACE).read_bytes())
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running with privileges that read a mode-000 file")
        report = api.ingest([folder], db=db)
    finally:
        locked.chmod(0o644)
    assert dict(report.rejects) == {"unreadable": 1}
    assert report.rows_added == 2500
    assert F.query(db, "SELECT uri, excerpt FROM rejects") == [
        (str(locked), "PermissionError: Permission denied")
    ]


def test_dangling_link_in_folder_is_unreadable(db, tmp_path, samples):
    """The same path as a mode-000 file, and testable whatever the user."""
    folder = tmp_path / "in"
    F.write(folder / "a_trace.json", samples(TRACE).read_bytes())
    (folder / "b_gone.json").symlink_to(tmp_path / "nowhere.json")
    report = api.ingest([folder], db=db)
    assert dict(report.rejects) == {"unreadable": 1}
    assert report.rows_added == 2500
    assert F.query(db, "SELECT uri, excerpt FROM rejects") == [
        (str(folder / "b_gone.json"), "FileNotFoundError: No such file or directory")
    ]


def test_caller_mistakes_raise(db, tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        api.ingest([tmp_path / "missing.bin"], db=db)
    with pytest.raises(FormatError, match="unknown format 'bogus'; choose one of: beast, avr"):
        api.ingest([tmp_path], db=db, format="bogus")


def test_same_file_twice_adds_nothing(db, tmp_path, samples):
    first = api.ingest([samples(TRACE)], db=db)
    assert first.rows_added == 2500
    again = api.ingest([samples(TRACE)], db=db)
    assert (again.sources, again.sources_skipped, again.rows_read, again.rows_added) == (0, 1, 0, 0)
    assert "1 already ingested" in again.summary()
    # the same content under another name is the same source
    copy = F.write(tmp_path / "renamed.json", samples(TRACE).read_bytes())
    third = api.ingest([copy], db=db)
    assert (third.sources_skipped, third.rows_added) == (1, 0)
    # content that differs but holds the same positions is read, and adds no rows
    edited = F.write(tmp_path / "edited.json", samples(TRACE).read_bytes() + b"\n\n")
    fourth = api.ingest([edited], db=db)
    assert (fourth.sources, fourth.rows_read, fourth.rows_added) == (1, 2500, 0)
    assert F.query(db, "SELECT count(*), count(DISTINCT position_id) FROM positions") == [
        (2500, 2500)
    ]
    assert F.query(db, "SELECT count(*) FROM runs") == [(4,)]
    # each callsign is kept once, however many runs met it, and every row finds its text
    assert F.query(db, "SELECT count(*), count(DISTINCT callsign) FROM callsigns") == [(4, 4)]
    assert F.query(
        db, "SELECT callsign, count(*) FROM positions GROUP BY ALL ORDER BY callsign NULLS FIRST"
    ) == [(None, 3), ("DAL1615", 472), ("DAL1812", 768), ("DAL2418", 564), ("DAL2927", 693)]


def test_same_file_twice_in_one_run(db, samples):
    report = api.ingest([samples(TRACE), samples(TRACE)], db=db)
    assert (report.sources, report.sources_skipped, report.rows_added) == (1, 1, 2500)
    assert F.query(db, "SELECT count(*) FROM sources") == [(1,)]


def test_overlapping_beast_segments(db, tmp_path):
    """Two captures of one feed that share 200 frames: the second adds only what is new."""
    lines = F.window(1800, 60)
    t0 = lines[0]["timestamp"]
    frames = [
        F.beast_frame(F.wire_frame(d["frame"]), F.counter_12mhz(d["timestamp"], t0, 0x5000))
        for d in lines
    ]
    full = F.write(tmp_path / "beast_full.bin", b"".join(frames))
    full_db = tmp_path / "full.duckdb"
    api.ingest([full], db=full_db, start=datetime.fromtimestamp(F.us(t0) / 1e6, UTC))
    want = dict(F.query(full_db, "SELECT position_id, epoch_us(ts) FROM positions"))
    assert len(want) == 109

    a = F.write(tmp_path / "beast_part1.bin", b"".join(frames[:600]))
    b = F.write(tmp_path / "beast_part2.bin", b"".join(frames[400:]))
    # each file with the time of its own first frame
    ra = api.ingest([a], db=db, start=datetime.fromtimestamp(F.us(t0) / 1e6, UTC))
    t400 = lines[400]["timestamp"]
    rb = api.ingest([b], db=db, start=datetime.fromtimestamp(F.us(t400) / 1e6, UTC))
    got = dict(F.query(db, "SELECT position_id, epoch_us(ts) FROM positions"))
    assert set(got) == set(want)
    assert all(abs(got[pid] - want[pid]) <= 1 for pid in want)
    assert ra.rows_added + rb.rows_added == 109
    in_a = sum(1 for t in want.values() if t <= F.us(lines[599]["timestamp"]))
    assert ra.rows_added == in_a
    assert rb.rows_read > rb.rows_added == 109 - in_a
    assert F.query(db, "SELECT uri, rows_read, rows_added FROM sources ORDER BY uri") == [
        (str(a), ra.rows_read, ra.rows_added),
        (str(b), rb.rows_read, rb.rows_added),
    ]


def test_runs_and_sources_rows(db, tmp_path, samples):
    beast = F.write(tmp_path / "beast_capture.bin", samples("dump1090_sample.bin").read_bytes())
    trace = samples(TRACE)
    report = api.ingest([trace, beast], db=db, start="2024-05-01T12:00:00Z", receiver="43.6,1.4")
    runs = F.query(
        db,
        "SELECT run_id, command, args, seconds, rows_read, rows_added, rejects, counts, status"
        " FROM runs",
    )
    assert len(runs) == 1
    run_id, command, args, seconds, rows_read, rows_added, rej, counts, status = runs[0]
    assert (run_id, command, status) == (report.run_id, "ingest", "ok")
    # six replies of the Beast capture come before the squitter that verifies their address
    assert (rows_read, rows_added, rej) == (2503, 2503, 6)
    assert 0 < seconds < 30
    assert json.loads(args) == {
        "inputs": [str(trace), str(beast)],
        "format": None,
        "receiver": [43.6, 1.4],
        "start": "2024-05-01T12:00:00Z",
        "duration": None,
        "beast_clock": "12mhz",
    }
    # where time came from: the trace's own times, --start for the Beast capture's frames
    assert json.loads(counts) == {
        "rejects": {"crc_unverified": 6},
        "frames": 239,
        "time_from_data": 2500,
        "time_from_start": 239,
    }
    assert "time from the data (2,500), --start (239)" in report.summary()

    sources = F.query(
        db,
        "SELECT uri, format, bytes, run_id, rows_read, rows_added, rejects, complete,"
        " length(source_id) FROM sources ORDER BY uri",
    )
    assert sorted(sources) == sorted(
        [
            (str(trace), "trace_full", trace.stat().st_size, run_id, 2500, 2500, 0, True, 16),
            (str(beast), "beast", 4218, run_id, 3, 3, 6, True, 16),
        ]
    )
    per_source = F.query(
        db,
        "SELECT s.format, count(*) FROM positions p JOIN sources s USING (source_id) GROUP BY 1"
        " ORDER BY 1",
    )
    assert per_source == [("beast", 3), ("trace_full", 2500)]


def test_rejects_counted_per_source(db, tmp_path, samples):
    raw = samples(TRACE).read_bytes()
    cut = F.write(tmp_path / "cut.json", raw[: len(raw) // 3])
    report = api.ingest([samples(TRACE), cut], db=db)
    assert dict(report.rejects) == {"truncated_json": 1}
    assert F.query(db, "SELECT uri, rejects, complete FROM sources ORDER BY rejects") == [
        (str(samples(TRACE)), 0, True),
        (str(cut), 1, False),
    ]
    assert F.query(db, "SELECT r.uri = s.uri FROM rejects r JOIN sources s USING (source_id)") == [
        (True,)
    ]


def test_failed_run_is_recorded(db, samples, monkeypatch):
    def boom(src, ctx):
        ctx.rejects.add("bad_trace", src.uri, "before the failure")
        raise KeyboardInterrupt  # stopped by the user: the run fails, and says so
        yield  # pragma: no cover

    monkeypatch.setattr(readsb, "read_trace_full", boom)
    with pytest.raises(KeyboardInterrupt):
        api.ingest([samples(TRACE)], db=db)
    assert F.query(db, "SELECT status, rejects FROM runs") == [("interrupted", 1)]
    assert F.query(db, "SELECT reason FROM rejects") == [("bad_trace",)]
    assert F.query(db, "SELECT count(*) FROM sources") == [(0,)]


def test_reader_failure_costs_its_file_only(db, samples, data_dir, monkeypatch):
    def boom(src, ctx):
        raise RuntimeError("reader crashed")
        yield  # pragma: no cover

    monkeypatch.setattr(readsb, "read_trace_full", boom)
    report = api.ingest([samples(TRACE), data_dir / "sbs_flight.txt"], db=db)
    assert report.rejects == {"reader_error": 1}
    assert report.rows_added > 0  # the other file's rows
    assert F.query(db, "SELECT format, complete FROM sources ORDER BY 1") == [
        ("sbs", True),
        ("trace_full", False),
    ]
    assert F.query(db, "SELECT status FROM runs") == [("ok",)]


@pytest.mark.parametrize("first", ["beast", "jsonl"])
def test_one_capture_in_two_formats_is_stored_once(db, tmp_path, first):
    """A Beast capture and the JSON lines decoded from it hold the same reports: the second
    file adds nothing, whichever comes first (ingest/ids.py says what "the same" means)."""
    lines = F.window(0, 900)  # taxi and take-off: surface and airborne positions
    t0 = lines[0]["timestamp"]
    files = {
        "beast": F.write(tmp_path / "capture.bin", F.beast_stream(lines, t0)),
        "jsonl": F.write(tmp_path / "capture.jsonl", "".join(json.dumps(d) + "\n" for d in lines)),
    }
    start = datetime.fromtimestamp(F.us(t0) / 1e6, UTC)
    alone = {}
    for fmt, path in files.items():
        alone[fmt] = tmp_path / f"{fmt}.duckdb"
        api.ingest([path], db=alone[fmt], start=start, receiver=F.RECEIVER)
    counts = {fmt: F.query(p, "SELECT count(*) FROM positions")[0][0] for fmt, p in alone.items()}
    assert counts["beast"] == counts["jsonl"] > 1000
    second = "jsonl" if first == "beast" else "beast"
    api.ingest([files[first]], db=db, start=start, receiver=F.RECEIVER)
    report = api.ingest([files[second]], db=db, start=start, receiver=F.RECEIVER)
    assert report.rows_read > counts[second] and report.rows_added == 0  # some heard twice
    twice = F.query(
        db,
        "SELECT count(*) FROM (SELECT icao24, lat_deg, lon_deg, alt_baro_ft, epoch_ms(ts)"
        " FROM positions GROUP BY ALL HAVING count(*) > 1)",
    )
    assert twice == [(0,)]
