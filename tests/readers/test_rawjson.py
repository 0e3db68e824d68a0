"""JSON lines of raw frames (jet1090 / rs1090): golden check against rs1090's own decode."""

from __future__ import annotations

import gzip
import json

import framing as F
import pytest

from basewatch import api


def test_full_flight_matches_rs1090(db, samples):
    """Every position basewatch stores is the one rs1090 wrote for the same frame."""
    report = api.ingest([samples(F.JSONL)], db=db, receiver=F.RECEIVER)
    assert F.query(db, "SELECT format FROM sources") == [("frames_jsonl",)]
    assert report.counters["frames"] == 57_793
    # one DF5 reply in the capture has a reserved flight status: the only bad frame
    assert dict(report.rejects) == {"reserved_fs": 1}
    rows = F.query(db, "SELECT epoch_us(ts), icao24, lat_deg, lon_deg, on_ground FROM positions")
    assert len(rows) >= 7600  # 8,225 decoded, 594 of them a frame heard twice within 0.5 s
    by_time: dict[int, list[dict]] = {}
    for d in F.jsonl_lines():
        by_time.setdefault(F.us(d["timestamp"]), []).append(d)
    surface = 0
    for t, icao, lat, lon, ground in rows:
        lines = [d for d in by_time[t] if "latitude" in d]
        assert lines, f"no decoded line at {t}"
        assert icao == F.ICAO
        assert any(
            abs(d["latitude"] - lat) <= 1e-6 and abs(d["longitude"] - lon) <= 1e-6 for d in lines
        )
        surface += ground
        assert ground == (lines[0]["bds"] == "06")
    assert surface > 1500  # taxi out and in: surface positions need the receiver


def test_without_receiver_no_surface_positions(db, tmp_path):
    lines = F.window(600, 60)  # taxiing, never airborne here: nothing to decode against
    path = F.write(tmp_path / "taxi.jsonl", "".join(json.dumps(d) + "\n" for d in lines))
    report = api.ingest([path], db=db)
    assert F.query(db, "SELECT count(*) FROM positions") == [(0,)]
    assert report.counters["surface_no_reference"] > 100
    assert "surface positions against none, not decoded" in report.summary()
    db2 = tmp_path / "with.duckdb"
    api.ingest([path], db=db2, receiver=F.RECEIVER)
    assert F.query(db2, "SELECT count(*), bool_and(on_ground) FROM positions") == [(121, True)]


def test_without_receiver_the_take_off_gives_the_taxi_reference(db, tmp_path):
    """A capture from the gate: the taxi-out is decoded against the aircraft's first airborne
    position (it took off from there), as it would be against the receiver's."""
    lines = F.window(0, 1500)  # the taxi at LFPG and the climb-out
    path = F.write(tmp_path / "out.jsonl", "".join(json.dumps(d) + "\n" for d in lines))
    report = api.ingest([path], db=db)
    assert report.counters["surface_ref_own_next"] > 1000
    db2 = tmp_path / "with.duckdb"
    api.ingest([path], db=db2, receiver=F.RECEIVER)
    sql = "SELECT epoch_us(ts), lat_deg, lon_deg FROM positions WHERE on_ground ORDER BY 1"
    without, given = F.query(db, sql), F.query(db2, sql)
    assert len(without) == len(given) > 1000
    assert all(
        abs(a[1] - b[1]) < 1e-6 and abs(a[2] - b[2]) < 1e-6
        for a, b in zip(without, given, strict=True)
    )
    assert "surface positions against" in report.summary()


@pytest.mark.parametrize("shift_s, decoded", [(0.3, True), (2400.0, False)])
def test_without_receiver_a_parked_aircraft_takes_its_neighbours_reference(
    db, tmp_path, shift_s, decoded
):
    """A second aircraft heard only on the surface (never airborne, no --receiver) is decoded
    against the first one's resolved surface positions heard within 10 minutes, at the same
    airport (here it taxis the same way 0.3 s behind); 40 minutes away it is not decoded."""
    lines = F.window(0, 1500)  # 393322's taxi at LFPG and its climb-out
    other = [
        {"timestamp": d["timestamp"] + shift_s, "frame": F.with_icao(d["frame"], "3c4b26")}
        for d in F.window(600, 60)
        if d.get("bds") == "06"
    ]
    text = "".join(
        json.dumps({"timestamp": d["timestamp"], "frame": d["frame"]}) + "\n"
        for d in sorted([*lines, *other], key=lambda d: d["timestamp"])
    )
    path = F.write(tmp_path / "two.jsonl", text)
    report = api.ingest([path], db=db)
    got = F.query(db, "SELECT lat_deg, lon_deg FROM positions WHERE icao24 = '3c4b26' ORDER BY ts")
    if not decoded:
        assert got == [] and report.counters["surface_ref_neighbour"] == 0
        return
    # every message decoded (a frame heard twice within 0.5 s is one report, stored once),
    # each where rs1090 put the same frame of the first aircraft
    assert report.counters["surface_ref_neighbour"] == len(other)
    assert len(got) > 0.9 * len(other)
    want = {g for d in F.window(600, 60) if d.get("bds") == "06" for g in F.golden([d]).values()}
    assert all(any(abs(a - c) < 1e-6 and abs(b - e) < 1e-6 for c, e in want) for a, b in got)
    assert "surface positions against" in report.summary()


def test_bad_lines_are_rejected_and_neighbours_kept(db, tmp_path):
    lines = F.window(1800, 60)
    good = [json.dumps({"timestamp": d["timestamp"], "frame": d["frame"]}) for d in lines]
    clean = F.write(tmp_path / "clean.jsonl", "\n".join(good) + "\n")
    clean_db = tmp_path / "clean.duckdb"
    api.ingest([clean], db=clean_db)
    want = F.positions_by_time(clean_db)
    assert len(want) == 109

    bad = {
        100: '{"timestamp": 1720249989.1, "frame": "8d3933',  # cut JSON
        200: '{"timestamp": 1720249990.2, "df": "17"}',  # no frame
        300: '{"timestamp": "yesterday", "frame": "8d393322"}',  # not a number
        400: "[1, 2, 3]",
    }
    out = []
    for i, line in enumerate(good):
        out.append(line)
        if i in bad:
            out.append(bad[i])
    path = F.write(tmp_path / "bad.jsonl", "\n".join(out) + "\n")
    report = api.ingest([path], db=db)
    assert dict(report.rejects) == {"bad_json": 1, "missing_field": 3}
    got = F.query(db, "SELECT reason, location, excerpt FROM rejects ORDER BY location")
    assert got == [
        ("bad_json", "line 102", bad[100]),
        ("missing_field", "line 203", bad[200]),
        ("missing_field", "line 304", bad[300]),
        ("missing_field", "line 405", bad[400]),
    ]
    assert F.positions_by_time(db) == want


def test_gzip_cut_short_keeps_what_was_read(db, tmp_path):
    lines = F.window(1800, 600)
    text = "".join(
        json.dumps({"timestamp": d["timestamp"], "frame": d["frame"]}) + "\n" for d in lines
    )
    packed = gzip.compress(text.encode())
    path = F.write(tmp_path / "cut.jsonl.gz", packed[: len(packed) // 2])
    report = api.ingest([path], db=db)
    # the cut line at the end of what could be decompressed is a bad JSON line
    assert dict(report.rejects) == {"truncated_gzip": 1, "bad_json": 1}
    times = F.position_times(db)
    assert len(times) > 400
    gold = F.golden(lines)
    assert set(times) <= set(gold)
    assert F.query(db, "SELECT complete FROM sources") == [(False,)]


@pytest.mark.parametrize("name", ["frames.jsonl", "frames.json"])
def test_detected_by_content(db, tmp_path, name):
    lines = F.window(1800, 10)
    path = F.write(tmp_path / name, "".join(json.dumps(d) + "\n" for d in lines))
    api.ingest([path], db=db)
    assert F.query(db, "SELECT format FROM sources") == [("frames_jsonl",)]


def test_a_wrong_receiver_does_not_move_the_surface_positions(db, tmp_path):
    """Given 48 NM off (near the edge of a surface zone), the receiver decoded the taxi-out into
    positions jumping 10+ NM between messages; the aircraft's own take-off position wins."""
    lines = F.window(0, 1500)
    path = F.write(tmp_path / "out.jsonl", "".join(json.dumps(d) + "\n" for d in lines))
    api.ingest([path], db=db, receiver=(48.2, 2.5))
    db2 = tmp_path / "right.duckdb"
    api.ingest([path], db=db2, receiver=F.RECEIVER)
    sql = "SELECT epoch_us(ts), lat_deg, lon_deg FROM positions WHERE on_ground ORDER BY 1"
    wrong, right = F.query(db, sql), F.query(db2, sql)
    assert len(wrong) == len(right) > 1000
    assert (
        max(abs(a[1] - b[1]) + abs(a[2] - b[2]) for a, b in zip(wrong, right, strict=True)) < 1e-6
    )
