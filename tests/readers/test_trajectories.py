"""Trajectories as the traffic library writes them (JSON array or lines, plain or gzip)."""

from __future__ import annotations

import gzip
import json

import pytest
from rows import query

import basewatch as bw
from basewatch.store import open_store


def test_real_carrier_sample(db, data_dir):
    report = bw.ingest([data_dir / "traffic_military_aircraft_carrier.json.gz"], db=db)
    assert report.sources == 1 and not report.rejects
    rows = query(
        db,
        "SELECT count(*), count(DISTINCT icao24), min(callsign), max(alt_baro_ft) FROM positions",
    )
    n, aircraft, callsign, top = rows[0]
    assert aircraft == 1 and callsign == "PSWRD35" and n > 7000
    assert report.counters.get("no_position", 0) > 0  # rows with no position are counted
    assert n + report.counters["no_position"] == 9024


def _write(path, records, lines=False, gz=False):
    text = "\n".join(json.dumps(r) for r in records) if lines else json.dumps(records)
    data = text.encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_lines_iso_times_and_bad_rows(tmp_path, db):
    good = {
        "timestamp": "2025-10-26T06:10:00Z",
        "icao24": "152FA2",
        "callsign": "RFF7081 ",
        "latitude": 35.4,
        "longitude": 35.9,
        "altitude": 1200.0,
        "groundspeed": 150.0,
        "track": 352.0,
        "vertical_rate": -700.0,
        "onground": False,
    }
    rows = [
        good,
        {**good, "timestamp": "2025-10-26T06:10:05Z", "latitude": 35.41},
        {**good, "icao24": "xyz"},  # bad address
        {**good, "timestamp": "not a time"},  # no time
        {**good, "timestamp": "2025-10-26T06:10:10Z", "latitude": None},  # no position
    ]
    f = _write(tmp_path / "t.jsonl", rows, lines=True, gz=True)
    report = bw.ingest([f], db=db, format="traffic")
    got = query(
        db, "SELECT icao24, callsign, alt_baro_ft, gs_kt, on_ground, ts FROM positions ORDER BY ts"
    )
    assert [r[:5] for r in got] == [("152fa2", "RFF7081", 1200, 150.0, False)] * 2
    assert str(got[0][5]).startswith("2025-10-26 06:10:00")
    assert report.rejects == {"bad_icao24": 1, "no_time": 1}
    assert report.counters["no_position"] == 1


def test_missing_columns_and_garbage_are_rejected(tmp_path, db):
    f = _write(tmp_path / "t.json", [{"icao24": "152fa2", "latitude": 1.0, "groundspeed": 1}])
    report = bw.ingest([f], db=db, format="traffic_json")
    assert report.rejects == {"bad_columns": 1}
    g = tmp_path / "g.json"
    g.write_bytes(b'[{"icao24": "152fa2", "latitude": 1.0, "groundspeed": ')
    report = bw.ingest([g], db=db, format="traffic_json")
    assert list(report.rejects) == ["truncated_json"]  # cut mid-record: nothing before it to keep
    with open_store(db, read_only=True) as store:
        assert store.scalar("SELECT count(*) FROM positions") == 0


@pytest.mark.parametrize(
    "bad",
    [
        {"latitude": "north"},
        {"latitude": [1]},
        {"onground": "yes"},
        {"callsign": ["A"]},
        {"squawk": {"a": 1}},
        {"altitude": "high"},
        {"altitude": 1e20},
        {"timestamp": -1e15},
        {"timestamp": "x"},
        {"timestamp": 9223372036854775807},
    ],
)
def test_odd_values_never_lose_the_good_rows(tmp_path, db, bad):
    good = {
        "timestamp": 1730000000000,
        "icao24": "abcdef",
        "latitude": 35.4,
        "longitude": 35.9,
        "groundspeed": 200,
        "altitude": 1000,
    }
    rows = [good, dict(good, timestamp=1730000001000), dict(good, timestamp=1730000002000) | bad]
    report = bw.ingest([_write(tmp_path / "t.json", rows)], db=db, format="traffic_json")
    stored = query(db, "SELECT count(*) FROM positions")[0][0]
    assert stored >= 2 and not report.incomplete
    assert stored + sum(report.rejects.values()) + report.counters.get("no_position", 0) == 3
