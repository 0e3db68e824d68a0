"""The files look like what real tools write."""

from __future__ import annotations

import gzip
import json
import os

import numpy as np

from basewatch import api


def test_trace_full_layout_and_sampling(tmp_path):
    api.simulate("trap-patchy", tmp_path, format="trace_full")
    path = tmp_path / "globe_history" / "2025-10-24" / "traces" / "d0" / "trace_full_152fd0.json"
    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b"  # gzip content under a .json name, as readsb writes it
    doc = json.loads(gzip.decompress(raw))
    assert doc["icao"] == "152fd0" and doc["r"] == "RF-78830" and doc["t"] == "IL76"
    assert doc["dbFlags"] == 1 and isinstance(doc["timestamp"], float)
    trace = doc["trace"]
    assert trace[0][6] & 2  # the flight starts a new leg
    assert trace[0][3] == "ground" and trace[-1][3] == "ground"
    dt = np.diff([p[0] for p in trace])
    alt = np.array([0 if p[3] == "ground" else p[3] for p in trace])
    climbing = np.abs(np.array([p[7] or 0 for p in trace]))[1:] > 500
    cruise = (alt[1:] > 25000) & ~climbing
    assert np.median(dt[climbing]) < np.median(dt[cruise]) / 3  # denser in climbs than cruise


def test_raw_capture_time_is_its_last_frame(tmp_path):
    api.simulate("trap-patchy", tmp_path, format="beast")
    captures = sorted((tmp_path / "receivers").rglob("*.beast"))
    assert captures
    for cap in captures:
        data = cap.read_bytes()
        assert data[:2] in (b"\x1a2", b"\x1a3")
        mtime = os.stat(cap).st_mtime
        assert 1761264000 <= mtime < 1761264000 + 86400  # on the scenario's day


def test_opensky_history_columns(tmp_path):
    api.simulate("trap-patchy", tmp_path, format="opensky-csv")
    lines = (tmp_path / "opensky" / "states_2025-10-24.csv").read_text().splitlines()
    assert lines[0].startswith("time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground")
    row = lines[len(lines) // 2].split(",")
    assert row[1] == "152fd0" and len(row) == 17
    assert 150 < float(row[4]) < 260  # m/s in cruise


def test_captures_list_gives_start_when_mtime_is_lost(tmp_path):
    import csv

    from sim_cases import true_states

    from basewatch.geo import haversine_nm

    api.simulate("trap-patchy", tmp_path, format="avr")
    rows = list(csv.DictReader((tmp_path / "captures.csv").open()))
    assert len(rows) == len(list((tmp_path / "receivers").rglob("*.avr")))
    db = tmp_path / "s.duckdb"
    for r in rows:
        path = tmp_path / r["path"]
        os.utime(path, (0, 0))  # copied without its time
        api.ingest(
            [path], db=db, receiver=(float(r["lat"]), float(r["lon"])), start=r["first_frame"]
        )
    df = api.positions(db=db)
    ts = df["ts"].map(lambda t: t.timestamp()).to_numpy(dtype=np.float64)
    truth = true_states("trap-patchy", df["icao24"].to_numpy(dtype=object), ts)
    err = haversine_nm(truth["lat"], truth["lon"], df["lat_deg"], df["lon_deg"]) * 1852
    assert len(df) > 500 and np.nanmax(err) < 20
