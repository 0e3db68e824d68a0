"""OpenSky state vectors: both column sets, CSV and Parquet, units, bad lines, ids, detection."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
import rows as R

from basewatch import api
from basewatch.readers import detect

COLUMNS = [
    "icao24",
    "ts",
    "callsign",
    "lat_deg",
    "lon_deg",
    "alt_baro_ft",
    "alt_geom_ft",
    "on_ground",
    "gs_kt",
    "track_deg",
    "vrate_fpm",
    "squawk",
]

# REST: metres, m/s and m/s → feet, knots and ft/min; time is time_position
REST = [
    # on the ground at Hmeimim: no altitude, "true" lowercase
    (
        "152fa2",
        "06:00:05",
        "RSD087",
        35.4012,
        35.9487,
        None,
        None,
        True,
        13.9957,
        178.0,
        None,
        "2741",
    ),
    # 9144 m = 30000 ft, 231.5 m/s = 450 kt, -5.2 m/s = -1024 ft/min; callsign "SWR1234 " trimmed
    ("4b1816", "06:00:00", "SWR1234", 35.4, 35.95, 30000, 30500, False, 450.0, 89.5, -1024, "1000"),
    # icao24 in capitals, on_ground "0", 5.08 m/s = 1000 ft/min, no squawk
    (
        "ae07e1",
        "06:00:07",
        "RCH451",
        35.6,
        35.7119,
        30000,
        30100,
        False,
        420.0064,
        90.0,
        1000,
        None,
    ),
]
# history: time is lastposupdate, or time when that is empty
HISTORY = [
    (
        "152fa2",
        "06:00:08.512",
        "RSD087",
        35.3883,
        35.9491,
        1025,
        1150,
        False,
        164.9935,
        180.0,
        2303,
        "2741",
    ),
    (
        "152fa2",
        "06:00:20",
        "RSD087",
        35.35,
        35.95,
        2500,
        2625,
        False,
        194.3844,
        181.0,
        2000,
        "2741",
    ),
    ("152fb1", "06:00:29", None, 35.4015, 35.9485, None, None, True, 6.0259, 90.0, None, None),
]


def expected(rows: list[tuple]) -> list[dict]:
    return R.expected(rows, COLUMNS)


def stored(db) -> list[dict]:
    return R.stored(db, COLUMNS)


def assert_rows(db, rows: list[tuple]) -> None:
    got = stored(db)
    want = expected(rows)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        gs_got, gs_want = g.pop("gs_kt"), w.pop("gs_kt")
        assert g == w
        assert gs_got == pytest.approx(gs_want, abs=1e-3)


query = R.query
at = R.at


def rejects(db) -> list[tuple]:
    return query(db, "SELECT reason, location, n FROM rejects ORDER BY reason, location")


def to_parquet(csv_path, out) -> None:
    """The CSV as a typed Parquet file (types inferred by pyarrow: ints, doubles, bools)."""
    pq.write_table(pcsv.read_csv(csv_path), out)


# --- CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, rows", [("opensky_rest.csv", REST), ("opensky_history.csv", HISTORY)]
)
def test_csv_units_and_times(db, data_dir, name, rows):
    report = api.ingest([data_dir / name], db=db)
    assert (report.rows_read, report.rows_added) == (3, 3)
    assert dict(report.rejects) == {}
    assert dict(report.counters) == {"no_position": 1, "time_from_data": 3}
    assert_rows(db, rows)
    assert query(db, "SELECT format FROM sources") == [("opensky_csv",)]


def test_csv_bad_lines_rejected_neighbours_kept(db, data_dir):
    report = api.ingest([data_dir / "opensky_bad_lines.csv"], db=db)
    times = [r["ts"] for r in stored(db)]
    assert times == [at("06:00:00"), at("06:00:03"), at("06:00:10")]  # lines 2, 5 and 13
    assert rejects(db) == [
        ("bad_csv_line", "line 12", 1),  # one field too many
        ("bad_csv_line", "line 3", 1),  # fields missing
        ("bad_icao24", "line 6", 1),  # 4b18zz
        ("bad_number", "line 11", 1),  # on_ground "maybe"
        ("bad_number", "line 4", 1),  # velocity "fast"
        ("bad_number", "line 8", 1),  # latitude "35.4N" (line 7 is blank)
        ("bad_position", "line 9", 1),  # latitude 95
        ("no_time", "line 10", 1),  # no time_position
    ]
    assert report.rows_read == 3 and sum(report.rejects.values()) == 8
    (excerpt,) = query(db, "SELECT excerpt FROM rejects WHERE location = 'line 3'")[0]
    assert excerpt == "4b1816,SWR1234,Switzerland,1761285601,1761285601,35.95010"


def test_csv_gzip(db, data_dir, tmp_path):
    path = tmp_path / "states.csv.gz"
    path.write_bytes(gzip.compress((data_dir / "opensky_history.csv").read_bytes()))
    assert detect.detect(gzip.decompress(path.read_bytes())[:4096]) == "opensky_csv"
    report = api.ingest([path], db=db)
    assert report.rows_added == 3
    assert_rows(db, HISTORY)


def test_csv_header_only_and_unknown_header(db, tmp_path, data_dir):
    header = (data_dir / "opensky_rest.csv").read_text().splitlines()[0]
    only = tmp_path / "only_header.csv"
    only.write_text(header + "\n")
    other = tmp_path / "other.csv"
    other.write_text("icao24,when,where\n4b1816,1761285600,somewhere\n")
    report = api.ingest([only, other], db=db, format="opensky_csv")
    assert report.rows_read == 0
    assert rejects(db) == [("bad_csv_header", "line 1", 1)]


@pytest.mark.parametrize("fmt", [None, "opensky_csv", "opensky_parquet"])
def test_empty_file(db, tmp_path, fmt):
    path = tmp_path / "states.csv"
    path.write_bytes(b"")
    report = api.ingest([path], db=db, format=fmt)
    assert report.rows_read == 0
    assert [r[0] for r in rejects(db)] == ["empty_file"]


def test_idempotent(db, data_dir, tmp_path):
    src = data_dir / "opensky_rest.csv"
    api.ingest([src], db=db)
    again = api.ingest([src], db=db)
    assert (again.sources_skipped, again.rows_added) == (1, 0)
    # the same rows in another file (CRLF line ends, rows reversed): same ids, nothing new
    lines = src.read_text().splitlines()
    other = tmp_path / "reordered.csv"
    other.write_bytes(("\r\n".join([lines[0], *reversed(lines[1:])]) + "\r\n").encode())
    report = api.ingest([other], db=db)
    assert (report.sources_skipped, report.rows_read, report.rows_added) == (0, 3, 0)
    assert len(api.positions(db=db)) == 3


def test_detection(data_dir, tmp_path):
    for name in ("opensky_rest.csv", "opensky_history.csv", "opensky_bad_lines.csv"):
        assert detect.detect((data_dir / name).read_bytes()[:4096], name) == "opensky_csv"
    path = tmp_path / "states.parquet"
    to_parquet(data_dir / "opensky_rest.csv", path)
    assert detect.detect(path.read_bytes()[:4096], path.name) == "opensky_parquet"
    assert detect.detect(b"hex,when,where\n4b1816,1,2\n") is None


# --- Parquet ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, rows", [("opensky_rest.csv", REST), ("opensky_history.csv", HISTORY)]
)
def test_parquet_matches_csv(db, data_dir, tmp_path, name, rows):
    path = tmp_path / name.replace(".csv", ".parquet")
    to_parquet(data_dir / name, path)
    report = api.ingest([path], db=db)
    assert (report.rows_read, report.rows_added) == (3, 3)
    assert dict(report.counters) == {"no_position": 1, "time_from_data": 3}
    assert_rows(db, rows)
    assert query(db, "SELECT format FROM sources") == [("opensky_parquet",)]
    # the CSV of the same state vectors gives the same ids: nothing new
    again = api.ingest([data_dir / name], db=db)
    assert (again.rows_read, again.rows_added) == (3, 0)


def test_parquet_typed_columns(db, tmp_path):
    """History columns as a database would type them: timestamps, floats with NaN, booleans."""
    t0 = datetime(2025, 10, 24, 6, tzinfo=UTC)
    table = pa.table(
        {
            "time": pa.array([t0, t0, t0], pa.timestamp("s", tz="UTC")),
            "icao24": ["152FA2", "152fa2", "zz0000"],
            "lat": [35.4012, 35.3965, 35.0],
            "lon": [35.9487, 35.9489, 35.0],
            "velocity": pa.array([7.2, 76.13, 1.0], pa.float64()),
            "heading": [178.0, 179.5, 0.0],
            "vertrate": [None, 0.0, 0.0],
            "callsign": pa.array(["RSD087  ", "", "X"]).dictionary_encode(),
            "onground": [True, False, False],
            "squawk": [2741.0, float("nan"), 0.0],
            "baroaltitude": [None, 91.44, 0.0],
            "geoaltitude": [None, None, 0.0],
            "lastposupdate": [float("nan"), 1761285606.25, 0.0],
        }
    )
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path, row_group_size=2)
    report = api.ingest([path], db=db)
    assert report.rows_added == 2
    assert rejects(db) == [("bad_icao24", "row 2", 1)]
    assert_rows(
        db,
        [
            (
                "152fa2",
                "06:00:00",
                "RSD087",
                35.4012,
                35.9487,
                None,
                None,
                True,
                13.9957,
                178.0,
                None,
                "2741",
            ),
            (
                "152fa2",
                "06:00:06.25",
                None,
                35.3965,
                35.9489,
                300,
                None,
                False,
                147.9849,
                179.5,
                0,
                None,
            ),
        ],
    )
