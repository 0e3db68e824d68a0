"""SBS-1 / BaseStation: every MSG type, forward fill, bad lines, stable ids, detection, live feed."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime

import pytest
import rows as R

from basewatch import api
from basewatch.readers import base, detect, tcp
from basewatch.readers import sbs as sbs_module

A, B = "152fa2", "ae07e1"

# (icao24, time, callsign, lat, lon, alt_baro_ft, on_ground, gs_kt, track_deg, vrate_fpm, squawk)
FLIGHT = [
    # MSG,2 surface position with an empty ground field: on the ground; callsign from MSG,1,
    # squawk from MSG,6, its own ground speed and track
    (A, "06:00:01", "RSD087", 35.4012, 35.9487, None, True, 14.0, 178.0, None, "2741"),
    # MSG,3 airborne; velocity from the MSG,4 a second earlier
    (A, "06:00:06", "RSD087", 35.3965, 35.9489, 300, False, 148.0, 179.5, 0, "2741"),
    (A, "06:00:12", "RSD087", 35.3883, 35.9491, 1025, False, 165.0, 180.0, 2304, "2741"),
    # the last MSG,4 is 40 s old: too old to carry; callsign and squawk still carried
    (A, "06:00:50", "RSD087", 35.33, 35.951, 2500, False, None, None, None, "2741"),
    # a second aircraft: nothing of A's leaks onto it; its callsign arrives after its first fix
    (B, "06:00:02", None, 35.6, 35.7, 30000, False, None, None, None, None),
    (B, "06:00:07", "RCH451", 35.6, 35.7119, 30000, False, 420.0, 90.0, -64, None),
]
COLUMNS = [
    "icao24",
    "ts",
    "callsign",
    "lat_deg",
    "lon_deg",
    "alt_baro_ft",
    "on_ground",
    "gs_kt",
    "track_deg",
    "vrate_fpm",
    "squawk",
]

CUT_LINE = b"MSG,3,1,1,152FA2,1,2025/10/24,06:01:00.000,2025/10/24,06:01:00.000,,3000,,,35.30"


def expected(rows: list[tuple]) -> list[dict]:
    return R.expected(rows, COLUMNS)


def stored(db) -> list[dict]:
    return R.stored(db, COLUMNS)


query = R.query
at = R.at


def rejects(db) -> list[tuple]:
    return query(db, "SELECT reason, location, n FROM rejects ORDER BY reason, location")


def ids(db) -> set[int]:
    return {r[0] for r in query(db, "SELECT position_id FROM positions")}


# --- files --------------------------------------------------------------------------------------


def test_every_message_type_contributes(db, data_dir):
    report = api.ingest([data_dir / "sbs_flight.txt"], db=db)
    assert (report.sources, report.rows_read, report.rows_added) == (1, 6, 6)
    assert dict(report.rejects) == {}
    assert dict(report.counters) == {
        "sbs_sel": 1,
        "sbs_id": 1,
        "sbs_air": 1,
        "sbs_sta": 1,
        "sbs_clk": 1,
        "no_position": 1,  # the MSG,3 at 06:00:20 has an altitude but no position
        "time_from_data": 6,  # the lines' own dates and times
    }
    assert stored(db) == expected(FLIGHT)
    assert query(db, "SELECT format, rows_read, rejects, complete FROM sources") == [
        ("sbs", 6, 0, True)
    ]


def test_state_carries_across_batches(db, data_dir, monkeypatch):
    """One line per batch: callsign, squawk and velocity still reach later positions."""

    def line_by_line(src, ctx):
        for lines in base.iter_lines(src, ctx):
            for line in lines:
                yield [line]

    monkeypatch.setattr(sbs_module, "iter_lines", line_by_line)
    report = api.ingest([data_dir / "sbs_flight.txt"], db=db)
    assert report.rows_added == 6
    assert stored(db) == expected(FLIGHT)


def test_bad_lines_are_rejected_and_neighbours_kept(db, data_dir):
    report = api.ingest([data_dir / "sbs_bad_lines.txt"], db=db, format="sbs")
    assert report.rows_added == 2
    assert [(r["ts"], r["lat_deg"], r["alt_baro_ft"]) for r in stored(db)] == [
        (at("06:00:06"), 35.3965, 300),
        (at("06:00:12"), 35.3883, 1025),  # the CRLF-terminated line
    ]
    assert rejects(db) == [
        ("bad_number", "line 14", 1),  # squawk 8888 is not octal
        ("bad_number", "line 15", 1),  # is-on-ground 2
        ("bad_number", "line 4", 1),  # latitude 35.39a0
        ("bad_position", "line 11", 1),  # latitude 95
        ("bad_position", "line 12", 1),  # latitude without longitude
        ("bad_sbs_line", "line 2", 1),  # 8 fields
        ("bad_sbs_line", "line 3", 1),  # hex ident 15ZFA2
        ("bad_sbs_line", "line 7", 1),  # FOO,...
        ("bad_sbs_line", "line 8", 1),  # transmission type 9
        ("no_date", "line 5", 1),  # month 13
        ("no_date", "line 6", 1),  # no time
        ("non_icao_address", "line 9", 1),  # ~1A2B3C
    ]
    (excerpt,) = query(db, "SELECT excerpt FROM rejects WHERE location = 'line 4'")[0]
    assert ",35.39a0,35.94895," in excerpt
    assert query(db, "SELECT rejects FROM sources") == [(12,)]


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(db, tmp_path, content):
    path = tmp_path / "feed.sbs"
    path.write_bytes(content)
    report = api.ingest([path], db=db, format="sbs")
    assert report.rows_read == 0
    assert [r[0] for r in rejects(db)] == ["empty_file"]
    assert api.positions(db=db).empty


def test_empty_file_auto_detected(db, tmp_path):
    path = tmp_path / "feed.sbs"
    path.write_bytes(b"")
    api.ingest([path], db=db)
    assert [r[0] for r in rejects(db)] == ["empty_file"]


def test_ids_are_stable_and_ingest_idempotent(db, data_dir, tmp_path):
    src = data_dir / "sbs_flight.txt"
    api.ingest([src], db=db)
    first = ids(db)
    again = api.ingest([src], db=db)
    assert (again.sources_skipped, again.rows_added) == (1, 0)
    # another file holding the same lines and one more: only the new line's position is added
    extra = b"MSG,3,1,1,152FA2,1,2025/10/24,06:00:55.000,2025/10/24,06:00:55.000,,2700,,,35.32300,35.95110,,,0,0,0,0\n"
    bigger = tmp_path / "longer.sbs"
    bigger.write_bytes(src.read_bytes() + extra)
    report = api.ingest([bigger], db=db)
    assert (report.sources_skipped, report.rows_read, report.rows_added) == (0, 7, 1)
    assert first < ids(db) and len(ids(db)) == 7


def test_detection(db, data_dir, tmp_path):
    for name in ("sbs_flight.txt", "sbs_bad_lines.txt"):
        assert detect.detect((data_dir / name).read_bytes()[:4096], name) == "sbs"
    # a capture that starts mid-line: the fragment is rejected, the rest read
    data = (data_dir / "sbs_flight.txt").read_bytes()
    cut = tmp_path / "cut.txt"
    cut.write_bytes(data[30:])
    assert detect.detect(cut.read_bytes()[:4096]) == "sbs"
    report = api.ingest([cut], db=db)
    assert report.rows_added == 6
    assert rejects(db) == [("bad_sbs_line", "line 1", 1)]
    assert query(db, "SELECT format FROM sources") == [("sbs",)]


def test_date_parsing_checks_the_calendar():
    import pyarrow as pa

    dates = ["2024/02/29", "2025/02/29", "2100/02/29", "2000/02/29", "2025-12-31", "2025/00/10"]
    times = ["12:00:00", "12:00:00", "12:00:00", "00:00:00.5", "23:59:59.999", "12:00:00"]
    secs, ok = sbs_module.parse_date_time(pa.array(dates), pa.array(times))
    assert ok.tolist() == [True, False, False, True, True, False]
    want = [
        datetime(2024, 2, 29, 12, tzinfo=UTC).timestamp(),
        datetime(2000, 2, 29, tzinfo=UTC).timestamp() + 0.5,
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp() + 0.999,
    ]
    assert secs[ok].tolist() == pytest.approx(want, abs=1e-6)


# --- live feed ----------------------------------------------------------------------------------


class OneShotFeed:
    """Accepts one connection, sends the chunks, closes it mid-line; keeps listening after."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            for chunk in self.chunks:
                conn.sendall(chunk)
                time.sleep(0.05)

    def __enter__(self) -> OneShotFeed:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
        self.thread.join(2)


def test_live_feed_cut_mid_line(db, data_dir, monkeypatch):
    monkeypatch.setattr(tcp, "READ_TIMEOUT_S", 0.1)
    data = (data_dir / "sbs_flight.txt").read_bytes()
    # split inside lines, so lines are put back together across reads
    chunks = [data[:700], data[700:1500], data[1500:], CUT_LINE]
    with OneShotFeed(chunks) as feed:
        report = api.ingest([f"tcp://127.0.0.1:{feed.port}"], db=db, format="sbs", duration=2)
    assert (report.sources, report.rows_read, report.rows_added) == (1, 6, 6)
    assert stored(db) == expected(FLIGHT)
    assert rejects(db) == [("truncated_line", "connection closed", 1)]
    (excerpt,) = query(db, "SELECT excerpt FROM rejects")[0]
    assert excerpt == CUT_LINE.decode()
    assert query(db, "SELECT format, rows_read FROM sources") == [("sbs", 6)]
    # the same lines from a file are the same positions
    again = api.ingest([data_dir / "sbs_flight.txt"], db=db)
    assert (again.rows_read, again.rows_added) == (6, 0)
