"""Retention (``basewatch live --keep-positions``): old positions no finding rests on are deleted;
every position of a flight with an airfield event and every low position around a watched
base stays, so the watch's observable days and the movements are what they were."""

from __future__ import annotations

import pytest
from rows import query

from basewatch import api
from basewatch.errors import ConfigError
from basewatch.live.retention import parse_duration, retain_positions
from basewatch.store import open_store
from basewatch.update import run_watches
from basewatch.watches import load_watches

DAYS = "SELECT base, day, observable FROM base_days ORDER BY ALL"
CITED = """
    SELECT f.flight_id, count(p.ts) FROM flights f
    LEFT JOIN positions p ON p.icao24 = f.icao24 AND p.ts BETWEEN f.first_seen AND f.last_seen
    WHERE f.flight_id IN (SELECT flight_id FROM airfield_events) GROUP BY 1 ORDER BY 1
"""


def test_retention_keeps_what_findings_rest_on(tmp_path):
    out = tmp_path / "sim"
    api.simulate("trap-low-pass", out, format="beast")
    db = tmp_path / "w.duckdb"
    files = sorted((out / "receivers").glob("*/*.beast"))
    api.ingest(files, db=db, format="beast", start="2025-10-26T00:00:00Z")
    api.ingest([_overflight(tmp_path / "over.sbs")], db=db, format="sbs")
    api.process(db)
    watches = list(load_watches([]).values())
    with open_store(db) as store:
        run_watches(store, watches)
    n0 = query(db, "SELECT count(*) FROM positions")[0][0]
    cited, days = query(db, CITED), query(db, DAYS)
    events = query(db, "SELECT event_id FROM airfield_events ORDER BY 1")
    assert len(cited) >= 5 and any(d[2] for d in days)

    with open_store(db) as store:
        assert retain_positions(store, parse_duration("3650d"), watches) == 0  # none that old
        gone = retain_positions(store, parse_duration("30d"), watches)
        run_watches(store, watches)
    assert 0 < gone < n0
    assert query(db, "SELECT count(*) FROM positions")[0][0] == n0 - gone
    assert query(db, CITED) == cited  # every position of every flight with a movement
    assert query(db, DAYS) == days  # observable days as they were
    assert query(db, "SELECT event_id FROM airfield_events ORDER BY 1") == events
    # what went: the overflight, high and far from every watched base
    assert gone == 120
    assert query(db, "SELECT count(*) FROM positions WHERE icao24 = '4b1805'")[0][0] == 0


def _overflight(path):
    """A Swiss airliner crossing the sea west of Cyprus at FL350 for 20 minutes (SBS)."""
    lines = []
    for i in range(120):
        t = f"01:{i * 10 // 60:02d}:{i * 10 % 60:02d}.000"
        lat, lon = 34.0, 30.0 + i * 0.02
        lines.append(
            f"MSG,3,1,1,4B1805,1,2025/10/26,{t},2025/10/26,{t},,35000,,,{lat:.4f},{lon:.4f},,,,,,0"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def test_durations():
    assert parse_duration("30d") == 30 * 86400
    assert parse_duration("12h") == 43200 and parse_duration("90m") == 5400
    assert parse_duration("3600") == 3600 and parse_duration(60) == 60
    for bad in ("30 days", "-1d", "0", "d"):
        with pytest.raises(ConfigError):
            parse_duration(bad)
