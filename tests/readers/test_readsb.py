"""readsb JSON: trace_full files (plain, gzip, cut short), globe_history days, aircraft.json."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zlib

import framing as F
import pytest

from basewatch import api

TRACE = "trace_full_ac671b.json"
NEW_LEGS = [770, 1332, 1806]  # rows with flags & 2 in the sample


@pytest.fixture(scope="module")
def trace_doc():
    from basewatch.demo import sample_path

    return json.loads(sample_path(TRACE).read_text())


def expected_rows(doc) -> list[tuple]:
    """(ts µs, lat, lon, alt_baro_ft, on_ground, new_leg) straight from the JSON."""
    base = doc["timestamp"]
    out = []
    for r in doc["trace"]:
        alt = r[3]
        baro = None if alt == "ground" or alt is None or r[6] & 8 else round(alt)
        out.append((F.us(base + r[0]), r[1], r[2], baro, alt == "ground", bool(r[6] & 2)))
    return out


def stored_rows(db, icao="ac671b") -> list[tuple]:
    return F.query(
        db,
        "SELECT epoch_us(ts), lat_deg, lon_deg, alt_baro_ft, on_ground, new_leg FROM positions"
        " WHERE icao24 = ? ORDER BY ts",
        [icao],
    )


def test_trace_full_plain(db, samples, trace_doc):
    report = api.ingest([samples(TRACE)], db=db)
    assert (report.rows_read, report.rows_added, dict(report.rejects)) == (2500, 2500, {})
    want = expected_rows(trace_doc)
    assert stored_rows(db) == want
    ground = F.query(db, "SELECT count(*), count(alt_baro_ft) FROM positions WHERE on_ground")
    assert ground == [(394, 0)]
    legs = F.query(db, "SELECT epoch_us(ts) FROM positions WHERE new_leg ORDER BY ts")
    assert [t for (t,) in legs] == [want[i][0] for i in NEW_LEGS]
    assert F.query(db, "SELECT count(*) FROM positions WHERE NOT new_leg") == [(2497,)]
    # callsign and squawk are carried forward from the sparse details objects
    carried, last = [], {"flight": None, "squawk": None}
    for r in trace_doc["trace"]:
        if isinstance(r[8], dict):
            for key in last:
                if (r[8].get(key) or "").strip():
                    last[key] = r[8][key].strip()
        carried.append((last["flight"], last["squawk"]))
    assert F.query(db, "SELECT callsign, squawk FROM positions ORDER BY ts") == carried
    assert carried[2] == (None, None) and carried[3] == ("DAL1812", "4637")
    assert {c for c, _ in carried} == {None, "DAL1812", "DAL1615", "DAL2418", "DAL2927"}
    assert F.query(db, "SELECT * EXCLUDE (source_id) FROM aircraft_observed") == [
        ("ac671b", "N899DN", "B739", 0, "BOEING 737-900", "DELTA AIR LINES INC", "2018")
    ]
    assert F.query(db, "SELECT format, complete FROM sources") == [("trace_full", True)]


def test_trace_full_gzip_named_json(db, samples, tmp_path):
    gz = F.write(tmp_path / "trace_full_ac671b.json", gzip.compress(samples(TRACE).read_bytes()))
    api.ingest([gz], db=db)
    plain_db = tmp_path / "plain.duckdb"
    api.ingest([samples(TRACE)], db=plain_db)
    cols = "* EXCLUDE (source_id) FROM positions ORDER BY ts"
    assert F.query(db, f"SELECT {cols}") == F.query(plain_db, f"SELECT {cols}")
    assert F.query(db, "SELECT format, bytes FROM sources") == [("trace_full", gz.stat().st_size)]


def complete_rows(text: bytes) -> int:
    """Trace rows (one a line in the sample) whose closing '],' lies inside ``text``."""
    return sum(
        1
        for line in text.split(b"\n")[:-1]
        if line.lstrip().startswith(b"[") and line.endswith(b"],")
    )


def test_gzip_cut_short(db, samples, tmp_path, trace_doc):
    raw = samples(TRACE).read_bytes()
    packed = gzip.compress(raw)
    cut = packed[: len(packed) * 2 // 5]
    path = F.write(tmp_path / "trace_full_cut.json", cut)
    # what a decompressor can still get out of the cut file
    prefix = zlib.decompressobj(wbits=31).decompress(cut)
    assert 0 < len(prefix) < len(raw)
    keep = complete_rows(prefix)
    assert 500 < keep < 2500

    report = api.ingest([path], db=db)
    assert dict(report.rejects) == {"truncated_gzip": 1, "truncated_json": 1}
    assert report.rows_read == keep
    assert stored_rows(db) == expected_rows(trace_doc)[:keep]
    assert F.query(db, "SELECT complete FROM sources") == [(False,)]
    assert report.incomplete == [str(path)]


def test_json_cut_mid_array(db, samples, tmp_path, trace_doc):
    raw = samples(TRACE).read_bytes()
    cut = raw[: len(raw) // 2 + 17]
    path = F.write(tmp_path / "trace_full_cut.json", cut)
    keep = complete_rows(cut)
    report = api.ingest([path], db=db)
    assert dict(report.rejects) == {"truncated_json": 1}
    assert F.query(
        db, "SELECT excerpt LIKE '%kept ' || ? || ' complete rows' FROM rejects", [keep]
    ) == [(True,)]
    assert stored_rows(db) == expected_rows(trace_doc)[:keep]
    assert F.query(db, "SELECT complete, rows_read FROM sources") == [(False, keep)]
    # the whole file later: a different source, and only the missing rows are new
    again = api.ingest([samples(TRACE)], db=db)
    assert (again.rows_read, again.rows_added) == (2500, 2500 - keep)


@pytest.mark.parametrize("dt", [1e15, -2e9, 1e300])
def test_time_out_of_range_is_rejected_and_the_rest_kept(db, tmp_path, dt):
    doc = {
        "icao": "ac671b",
        "timestamp": 1.7e9,
        "trace": [[0, 1.5, 2.5, 100, 1, 2, 0, 0], [dt, 1.0, 2.0, 100, 1, 2, 0, 0]],
    }
    path = F.write(tmp_path / "trace_full_ac671b.json", json.dumps(doc).encode())
    report = api.ingest([path], db=db)
    assert dict(report.rejects) == {"bad_time": 1}
    assert report.rows_added == 1
    assert F.query(db, "SELECT epoch(ts) FROM positions") == [(1.7e9,)]


# --- globe_history --------------------------------------------------------------------------------

AIRCRAFT = {"ac671b": "N899DN", "ac671c": "N899DX", "a1b2c3": "N12345", "4ca9f0": "EI-XYZ"}


def trace_files(doc) -> dict[str, bytes]:
    """globe_history member name → gzip content, one per aircraft (the sample re-addressed)."""
    out = {}
    for icao, reg in AIRCRAFT.items():
        d = dict(doc, icao=icao, r=reg)
        out[f"traces/{icao[-2:]}/trace_full_{icao}.json"] = gzip.compress(json.dumps(d).encode())
    return out


def check_day(db, doc):
    assert F.query(db, "SELECT icao24, count(*) FROM positions GROUP BY 1 ORDER BY 1") == [
        (icao, 2500) for icao in sorted(AIRCRAFT)
    ]
    want = expected_rows(doc)
    for icao in AIRCRAFT:
        assert stored_rows(db, icao) == want
    regs = F.query(db, "SELECT icao24, registration FROM aircraft_observed ORDER BY 1")
    assert regs == sorted(AIRCRAFT.items())


def test_globe_history_folder(db, tmp_path, trace_doc):
    day = tmp_path / "globe_history" / "2025" / "02" / "04"
    for name, data in trace_files(trace_doc).items():
        F.write(day / name, data)
    report = api.ingest([tmp_path / "globe_history"], db=db)
    assert (report.sources, report.rows_added, dict(report.rejects)) == (4, 10_000, {})
    check_day(db, trace_doc)
    fmts = F.query(db, "SELECT format, count(*) FROM sources GROUP BY 1")
    assert fmts == [("trace_full", 4)]


@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_globe_history_tar(db, tmp_path, trace_doc, mode):
    path = tmp_path / ("readsb_day.tar" if mode == "w" else "readsb_day.tar.gz")
    with tarfile.open(path, mode) as tar:
        members = trace_files(trace_doc)
        members["traces/zz/trace_full_~2a0001.json"] = json.dumps(
            dict(trace_doc, icao="~2a0001")
        ).encode()
        members["acas/acas.csv"] = b"not a trace\n"
        for name, data in members.items():
            info = tarfile.TarInfo(f"2025/02/04/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    report = api.ingest([path], db=db)
    assert (report.sources, report.rows_added) == (1, 10_000)
    assert dict(report.rejects) == {"non_icao_address": 1}
    assert report.counters["tar_other_member"] == 1
    check_day(db, trace_doc)
    assert F.query(db, "SELECT format, complete FROM sources") == [("globe_tar", True)]
    assert F.query(db, "SELECT location FROM rejects") == [
        (f"{path}!2025/02/04/traces/zz/trace_full_~2a0001.json",)
    ]


# --- aircraft.json snapshots ----------------------------------------------------------------------

NOW = 1_738_700_000.0


def snapshot(k: int) -> dict:
    return {
        "now": NOW + 5 * k,
        "messages": 1000 + k,
        "aircraft": [
            {
                "hex": "ae1234",
                "flight": "RCH123  ",
                "alt_baro": 31000 + 100 * k,
                "lat": 50.0 + 0.01 * k,
                "lon": 8.5,
                "gs": 420.5,
                "track": 90.0,
                "seen_pos": 0.4,
                "r": "05-5140",
                "t": "C17",
                "dbFlags": 1,
            },
            {
                "hex": "AE5678",
                "flight": "RCH456 ",
                "alt_baro": "ground",
                "lat": 49.437,
                "lon": 7.6 + 0.001 * k,
                "gs": 3.0,
                "track": 270.0,
                "seen_pos": 1.5,
                "r": "10-0001",
                "t": "C130",
                "dbFlags": 1,
            },
            {"hex": "3c6589", "flight": "DLH4AB ", "alt_baro": 12000},  # no position
            {"hex": "~2a0001", "lat": 49.0, "lon": 8.0, "alt_baro": 2000},  # TIS-B, no address
        ],
    }


def test_aircraft_json_snapshots(db, tmp_path):
    folder = tmp_path / "snapshots"
    for k in range(3):
        F.write(folder / f"aircraft_{k}.json", json.dumps(snapshot(k)))
    report = api.ingest([folder], db=db)
    assert (report.sources, report.rows_added) == (3, 6)
    assert dict(report.rejects) == {"non_icao_address": 3}
    assert report.counters["no_position"] == 3
    rows = F.query(
        db,
        "SELECT icao24, epoch_us(ts), callsign, lat_deg, lon_deg, alt_baro_ft, on_ground,"
        " gs_kt, track_deg FROM positions ORDER BY icao24, ts",
    )
    want = [
        (
            "ae1234",
            F.us(NOW + 5 * k - 0.4),
            "RCH123",
            50.0 + 0.01 * k,
            8.5,
            31000 + 100 * k,
            False,
            420.5,
            90.0,
        )
        for k in range(3)
    ] + [
        (
            "ae5678",
            F.us(NOW + 5 * k - 1.5),
            "RCH456",
            49.437,
            7.6 + 0.001 * k,
            None,
            True,
            3.0,
            270.0,
        )
        for k in range(3)
    ]
    assert rows == want
    observed = F.query(
        db,
        "SELECT icao24, registration, type_code, db_flags, count(DISTINCT source_id)"
        " FROM aircraft_observed GROUP BY ALL ORDER BY 1",
    )
    assert observed == [("ae1234", "05-5140", "C17", 1, 3), ("ae5678", "10-0001", "C130", 1, 3)]
    assert F.query(db, "SELECT DISTINCT format FROM sources") == [("aircraft_json",)]


def old_dump1090(now: float, k: int) -> dict:
    """A dump1090-mutability / dump1090-fa 3.x snapshot: ``altitude``, ``speed``, ``vert_rate``."""
    return {
        "now": now,
        "messages": 5000 + k,
        "aircraft": [
            {
                "hex": "43c6f1",
                "squawk": "7001",
                "flight": "ASCOT12 ",
                "lat": 51.75 + 0.01 * k,
                "lon": -1.58,
                "nucp": 7,
                "seen_pos": 0.3,
                "altitude": 2400 + 100 * k,
                "vert_rate": 1600,
                "track": 194,
                "speed": 168,
                "mlat": [],
                "tisb": [],
                "messages": 812,
                "seen": 0.1,
                "rssi": -21.4,
            },
            {"hex": "43c3b2", "altitude": "ground", "speed": 12, "lat": 51.7502, "lon": -1.5836},
            {"hex": "4ca7b8", "altitude": 36000, "validposition": 0, "lat": 0, "lon": 0},
            {"hex": "406b90", "altitude": "n/a", "speed": [3], "lat": 51.9, "lon": -1.2},
        ],
    }


def test_old_dump1090_snapshots_keep_altitude_speed_and_rate(db, tmp_path):
    folder = tmp_path / "dump1090" / "data"
    F.write(folder / "aircraft.json", json.dumps(old_dump1090(NOW + 60, 2)))
    for k in range(2):
        F.write(folder / f"history_{k}.json", json.dumps(old_dump1090(NOW + 30 * k, k)))
    report = api.ingest([folder], db=db)
    rows = F.query(
        db,
        "SELECT icao24, alt_baro_ft, on_ground, gs_kt, vrate_fpm, track_deg, squawk"
        " FROM positions ORDER BY icao24 DESC, ts",
    )
    assert rows[:3] == [
        ("43c6f1", 2400 + 100 * k, False, 168.0, 1600, 194.0, "7001") for k in (0, 1, 2)
    ]
    assert rows[3:6] == [("43c3b2", None, True, 12.0, None, None, None)] * 3
    # the unreadable altitude and speed are counted, the position itself is kept
    assert rows[6:] == [("406b90", None, False, None, None, None, None)] * 3
    assert report.rejects["bad_value"] == 6  # altitude and speed, in three files
    assert report.counters["no_position"] == 3  # validposition 0


def test_one_report_in_consecutive_snapshots_is_stored_once(db, tmp_path):
    """``now`` and ``seen_pos`` come to 0.1 s each: one report seen in several snapshots
    lands up to 0.2 s apart, also across a 10 s bucket edge of the position id."""
    base = 1_738_700_009.8  # the report at 9.8 s into a bucket: snapshots disagree about 10.0
    folder = tmp_path / "snapshots"
    for k, (now, seen) in enumerate([(base + 0.1, 0.2), (base + 1.1, 1.1), (base + 2.1, 2.3)]):
        doc = {
            "now": now,
            "aircraft": [
                {"hex": "ae1234", "alt_baro": 31000, "lat": 50.0, "lon": 8.5, "seen_pos": seen},
                {"hex": "ae1235", "alt_baro": 9000, "lat": 50.0 + k, "lon": 8.5, "seen_pos": 0},
            ],
        }
        F.write(folder / f"aircraft_{k}.json", json.dumps(doc))
    report = api.ingest([folder], db=db)
    assert F.query(db, "SELECT icao24, count(*) FROM positions GROUP BY 1 ORDER BY 1") == [
        ("ae1234", 1),
        ("ae1235", 3),
    ]
    assert report.rows_added == 4
    # a second pass, in another order, adds nothing
    again = api.ingest(sorted(folder.iterdir(), reverse=True), db=db)
    assert again.rows_added == 0
