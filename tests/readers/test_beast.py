"""Beast binary: the real capture, escaping, resync over garbage, truncation and both clocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import framing as F
import pytest
from click.testing import CliRunner

from basewatch import api
from basewatch.cli import cli
from basewatch.errors import InputError
from basewatch.readers import beast as beast_module

# 60 s of the rs1090 flight in the climb: 919 frames, 109 decoded positions, 7 of them a second
# reception of one frame microseconds later: 109 reports (ingest/ids.py)
AIRBORNE = (1800, 60)
TAXI = (600, 60)  # a minute of taxiing at Paris-CDG: 159 frames, 129 positions


def at(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1e6, UTC)


def assert_golden(db, lines, min_rows: int) -> dict[int, tuple[float, float]]:
    """Every stored position is rs1090's own decode of the same frame, to 1e-6 degree."""
    got = F.positions_by_time(db)
    gold = F.golden(lines)
    assert len(got) >= min_rows
    for t, (lat, lon) in got.items():
        assert t in gold, f"position at {t} µs has no decoded frame at that time"
        assert lat == pytest.approx(gold[t][0], abs=1e-6)
        assert lon == pytest.approx(gold[t][1], abs=1e-6)
    return got


# --- the shipped capture -------------------------------------------------------------------------


def test_real_capture_decodes(db, samples):
    report = api.ingest([samples("dump1090_sample.bin")], db=db, start="2024-05-01T12:00:00Z")
    assert report.counters["frames"] == 239
    # six replies come before the first squitter that verifies their address: counted, not used
    assert dict(report.rejects) == {"crc_unverified": 6}
    assert (report.sources, report.rows_read, report.rows_added) == (1, 3, 3)
    rows = F.query(
        db,
        "SELECT icao24, epoch_us(ts), lat_deg, lon_deg, alt_baro_ft, on_ground, callsign, squawk,"
        " round(gs_kt::DOUBLE, 1), vrate_fpm FROM positions ORDER BY ts",
    )
    first_counter = 363_366_270  # the capture's first frame, anchored at --start
    t0 = 1_714_564_800_000_000
    # three DF17 airborne positions of Transavia 48520a over Toulouse; the first of the four
    # position frames has no partner of the other CPR parity yet
    expected = [
        (432_907_014, 43.644213, 1.231515, None, 0),
        (445_026_612, 43.646028, 1.231253, None, 0),
        (515_463_006, 43.656647, 1.229638, "TRA89M", -64),  # after its identification frame
    ]
    assert len(rows) == 3
    for row, (counter, lat, lon, callsign, vrate) in zip(rows, expected, strict=True):
        icao, ts, la, lo, alt, ground, cs, squawk, gs, vr = row
        assert icao == "48520a"
        assert ts == t0 + round((counter - first_counter) / 12)
        assert (la, lo) == (pytest.approx(lat, abs=1e-6), pytest.approx(lon, abs=1e-6))
        assert (alt, ground, cs, squawk, gs, vr) == (38000, False, callsign, "5516", 395.3, vrate)


def test_capture_without_start_stops_with_one_line_naming_start(tmp_path, samples):
    """A receiver clock counts from an arbitrary point: the file's own time (a copy or a
    download changes it) is not taken for the capture's; the run stops before writing."""
    path = tmp_path / "beast_capture.bin"
    path.write_bytes(samples("dump1090_sample.bin").read_bytes())
    db = tmp_path / "s.duckdb"
    with pytest.raises(InputError, match=r"no date or time of its own.*--start"):
        api.ingest([path], db=db)
    assert F.query(db, "SELECT count(*) FROM positions") == [(0,)]
    out = CliRunner().invoke(cli, ["ingest", "--db", str(db), str(path)])
    assert out.exit_code != 0 and "Traceback" not in out.output
    assert out.output.count("\n") == 1 and "--start" in out.output


def test_run_report_says_where_time_came_from(db, samples):
    report = api.ingest([samples("dump1090_sample.bin")], db=db, start="2024-05-01T12:00:00Z")
    assert report.counters["time_from_start"] == 239 - report.counters["mode_ac"]
    assert "time from --start (" in report.summary()


# --- framing built from real frames -------------------------------------------------------------


def test_stream_of_real_frames_matches_rs1090(db, tmp_path):
    lines = F.window(*AIRBORNE)
    t0 = lines[0]["timestamp"]
    path = F.write(tmp_path / "beast_airborne.bin", F.beast_stream(lines, t0))
    report = api.ingest([path], db=db, start=at(F.us(t0)))
    assert report.counters["frames"] == len(lines) == 919
    assert dict(report.rejects) == {}
    got = assert_golden(db, lines, min_rows=109)
    assert len(got) == report.rows_added == 109
    # 12 MHz counter anchored at --start: every time is exact to the microsecond
    assert set(got) <= set(F.golden(lines))


def test_escaped_0x1a_in_timestamp_signal_and_payload(db, tmp_path):
    lines = F.window(*TAXI)
    t0 = lines[0]["timestamp"]
    base = 0x1A1A_1A1A_0000  # counter bytes that are 0x1a, doubled on the wire
    parts = [b"\x1a1" + F.beast_escape(bytes.fromhex("1a1a1a1a1a1a1a1a1a"))]  # a Mode A/C reply
    with_1a = []
    for d in lines:
        frame = F.wire_frame(d["frame"])
        parts.append(F.beast_frame(frame, F.counter_12mhz(d["timestamp"], t0, base), 0x1A))
        if "latitude" in d and 0x1A in bytes.fromhex(frame):
            with_1a.append(F.us(d["timestamp"]))
    data = b"".join(parts)
    assert data.count(b"\x1a\x1a") > 2 * len(lines)  # counter and signal bytes at least
    assert len(with_1a) == 2  # surface positions whose message itself holds 0x1a
    path = F.write(tmp_path / "beast_escaped.bin", data)

    report = api.ingest([path], db=db, start=at(F.us(t0)), receiver=F.RECEIVER)
    assert report.counters["frames"] == len(lines)
    assert report.counters["mode_ac"] == 1
    assert dict(report.rejects) == {}
    got = assert_golden(db, lines, min_rows=100)
    assert set(with_1a) <= set(got)

    # the same frames without any 0x1a in the framing give the very same positions
    plain = F.write(tmp_path / "beast_plain.bin", F.beast_stream(lines, t0))
    db2 = tmp_path / "plain.duckdb"
    api.ingest([plain], db=db2, start=at(F.us(t0)), receiver=F.RECEIVER)
    assert F.positions_by_time(db2) == got


def _frames(lines, t0):
    return [
        F.beast_frame(F.wire_frame(d["frame"]), F.counter_12mhz(d["timestamp"], t0, 0x1000))
        for d in lines
    ]


def test_garbage_between_and_inside_frames(db, tmp_path):
    lines = F.window(*AIRBORNE)
    t0 = lines[0]["timestamp"]
    frames = _frames(lines, t0)
    clean = F.write(tmp_path / "beast_clean.bin", b"".join(frames))
    clean_db = tmp_path / "clean.duckdb"
    api.ingest([clean], db=clean_db, start=at(F.us(t0)))
    clean_pos = F.positions_by_time(clean_db)
    assert len(clean_pos) == 109

    # a position frame without 0x1a anywhere gets 4 junk bytes in the middle of its message
    broken = next(
        i
        for i, d in enumerate(lines)
        if i > 600 and F.us(d["timestamp"]) in clean_pos and frames[i].count(b"\x1a") == 1
    )
    between = {
        10: b"NOISE",
        100: b"\x00\xff\x00",
        200: b"\x1a",  # a lone frame marker
        300: b"\x1a\x1a\x1a\x1a",
        400: b"\x1a3abc",  # a frame start that is not followed by a frame
        500: b"\x1a9xyz",  # an unknown frame type
    }
    out = bytearray()
    offsets = {}
    for i, fr in enumerate(frames):
        if i in between:
            offsets[i] = len(out)
            out += between[i]
        if i == broken:
            out += fr[:14] + b"JUNK" + fr[14:]
        else:
            out += fr
    path = F.write(tmp_path / "beast_garbage.bin", bytes(out))
    report = api.ingest([path], db=db, start=at(F.us(t0)))

    # six runs of garbage, and the tail of the frame the junk pushed out of place
    assert dict(report.rejects) == {"beast_resync": 7, "crc_fail": 1}
    assert report.counters["frames"] == len(lines)
    got = F.positions_by_time(db)
    lost = F.us(lines[broken]["timestamp"])
    assert got == {t: p for t, p in clean_pos.items() if t != lost}
    resync = F.query(
        db,
        "SELECT location, excerpt FROM rejects WHERE reason = 'beast_resync' ORDER BY"
        " CAST(split_part(split_part(location, ' ', 2), ' ', 1) AS BIGINT)",
    )
    assert resync[0] == (f"byte {offsets[10]} (5 bytes skipped)", b"NOISE".hex())
    assert resync[1] == (f"byte {offsets[100]} (3 bytes skipped)", "00ff00")
    assert resync[2] == (f"byte {offsets[200]} (1 bytes skipped)", "1a")


def test_stream_cut_mid_frame(db, tmp_path):
    lines = F.window(*AIRBORNE)
    t0 = lines[0]["timestamp"]
    frames = _frames(lines, t0)
    full = F.write(tmp_path / "beast_full.bin", b"".join(frames))
    full_db = tmp_path / "full.duckdb"
    api.ingest([full], db=full_db, start=at(F.us(t0)))
    full_pos = F.positions_by_time(full_db)
    last = F.us(lines[-1]["timestamp"])
    # end the capture on a position frame, cut 5 bytes before its end
    end = max(i for i, d in enumerate(lines) if F.us(d["timestamp"]) in full_pos)
    data = b"".join(frames[: end + 1])
    cut_at = len(data) - len(frames[end])
    path = F.write(tmp_path / "beast_cut.bin", data[:-5])
    report = api.ingest([path], db=db, start=at(F.us(t0)))

    assert dict(report.rejects) == {"truncated_frame": 1}
    assert report.incomplete == [str(path)]
    assert F.query(db, "SELECT location, excerpt FROM rejects") == [
        (f"byte {cut_at}", frames[end][:-5].hex())
    ]
    assert F.query(db, "SELECT complete, rows_added FROM sources") == [(False, len(full_pos) - 1)]
    lost = F.us(lines[end]["timestamp"])
    assert lost <= last
    assert F.positions_by_time(db) == {t: p for t, p in full_pos.items() if t != lost}


def test_decoding_does_not_depend_on_batching(db, tmp_path, monkeypatch):
    lines = F.window(*AIRBORNE)
    t0 = lines[0]["timestamp"]
    path = F.write(tmp_path / "beast_airborne.bin", F.beast_stream(lines, t0))
    api.ingest([path], db=db, start=at(F.us(t0)))
    whole = F.positions_by_time(db)
    monkeypatch.setattr(beast_module, "BATCH_ROWS", 7)
    db7 = tmp_path / "batched.duckdb"
    api.ingest([path], db=db7, start=at(F.us(t0)))
    assert F.positions_by_time(db7) == whole


# --- clocks --------------------------------------------------------------------------------------


def test_12mhz_counter_with_start_gives_exact_times(db, tmp_path):
    lines = F.window(*AIRBORNE)
    t0 = lines[0]["timestamp"]
    path = F.write(tmp_path / "beast_airborne.bin", F.beast_stream(lines, t0, base=987_654_321))
    api.ingest([path], db=db, start=at(F.us(t0)).isoformat())
    times = F.position_times(db)
    gold = F.golden(lines)
    assert len(times) == 109 and set(times) <= set(gold)
    args = json.loads(F.query(db, "SELECT args FROM runs")[0][0])
    assert args["beast_clock"] == "12mhz"


def test_gps_clock(db, tmp_path):
    lines = F.window(*AIRBORNE)
    path = F.write(tmp_path / "beast_gps.bin", F.beast_stream(lines, 0, clock="gps"))
    report = api.ingest([path], db=db, beast_clock="gps", start="2024-07-06")
    assert dict(report.rejects) == {}
    got = assert_golden(db, lines, min_rows=109)
    assert len(got) == 109
    # without --start nothing says which day it was
    with pytest.raises(InputError, match="--start"):
        api.ingest([path], db=tmp_path / "nostart.duckdb", beast_clock="gps")
    # the same bytes read as a 12 MHz counter are not the same times
    db3 = tmp_path / "wrong.duckdb"
    api.ingest([path], db=db3, start="2024-07-06")
    assert set(F.position_times(db3)).isdisjoint(got)


def _flight_across_midnight() -> tuple[list[dict], int]:
    """The whole rs1090 flight moved in time so that midnight UTC falls 40 minutes in.

    As Beast it is over 1 MiB, read in two chunks: with batches of 20,000 frames the reader
    decodes it in two batches, midnight in the first, the second all after it.
    """
    midnight = 1_720_310_400  # 2024-07-07T00:00:00Z
    lines = F.jsonl_lines()
    delta = round((midnight - 2400 - lines[0]["timestamp"]) * 1e6) / 1e6
    return [dict(d, timestamp=d["timestamp"] + delta) for d in lines], midnight


@pytest.fixture(scope="module")
def midnight_capture(tmp_path_factory):
    lines, midnight = _flight_across_midnight()
    data = F.beast_stream(lines, 0, clock="gps")
    assert len(data) > 1 << 20
    path = F.write(tmp_path_factory.mktemp("gps") / "beast_gps_midnight.bin", data)
    return path, {F.us(d["timestamp"]) for d in lines if "latitude" in d}, midnight


def _check_midnight(db, golden_times, midnight):
    times = F.position_times(db)
    assert len(times) > 7500  # 8,211 decoded, 587 of them a frame heard twice
    assert set(times) <= golden_times
    after = sum(t >= midnight * 1_000_000 for t in times)
    assert 0 < after < len(times)


def test_gps_clock_across_midnight(db, midnight_capture, monkeypatch):
    monkeypatch.setattr(beast_module, "BATCH_ROWS", 20_000)
    path, golden_times, midnight = midnight_capture
    api.ingest([path], db=db, beast_clock="gps", start="2024-07-06", receiver=F.RECEIVER)
    _check_midnight(db, golden_times, midnight)


def test_gps_clock_across_midnight_given_the_date_only(db, midnight_capture, monkeypatch):
    """GPS mode states the time of day: --start with the first frame's date is enough."""
    monkeypatch.setattr(beast_module, "BATCH_ROWS", 20_000)
    path, golden_times, midnight = midnight_capture
    day = datetime.fromtimestamp(midnight - 86400, UTC).date().isoformat()
    api.ingest([path], db=db, beast_clock="gps", receiver=F.RECEIVER, start=day)
    _check_midnight(db, golden_times, midnight)
