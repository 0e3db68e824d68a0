"""AVR text: the three line forms, bad lines, CRC failures and the receiver clock."""

from __future__ import annotations

from datetime import UTC, datetime

import framing as F
import pytest

from basewatch import api
from basewatch.errors import InputError

AIRBORNE = (1800, 60)  # 919 frames, 109 position reports (as in test_beast)


def at(us: int) -> datetime:
    return datetime.fromtimestamp(us / 1e6, UTC)


def avr_text(lines, t0, form: str = "@", base: int = 0x2000) -> str:
    out = []
    for i, d in enumerate(lines):
        frame = F.wire_frame(d["frame"])
        counter = F.counter_12mhz(d["timestamp"], t0, base)
        if form == "@":
            out.append(F.avr_line(frame, counter))
        elif form == "<":
            out.append(F.avr_line(frame, counter, signal=0x20 + i % 200))
        else:
            out.append(F.avr_line(frame))
    return "\n".join(out) + "\n"


@pytest.fixture
def airborne():
    lines = F.window(*AIRBORNE)
    return lines, lines[0]["timestamp"]


@pytest.fixture
def beast_positions(tmp_path, airborne):
    """What the Beast reader makes of the same frames: AVR must agree with it."""
    lines, t0 = airborne
    path = F.write(tmp_path / "beast_ref.bin", F.beast_stream(lines, t0))
    ref = tmp_path / "ref.duckdb"
    api.ingest([path], db=ref, start=at(F.us(t0)))
    got = F.positions_by_time(ref)
    assert len(got) == 109
    return got


@pytest.mark.parametrize("form", ["@", "<"])
def test_timed_lines_match_beast_and_rs1090(db, tmp_path, airborne, beast_positions, form):
    lines, t0 = airborne
    text = avr_text(lines, t0, form)
    assert text.startswith(form) and text.count(";") == len(lines)
    path = F.write(tmp_path / "avr_timed.txt", text)
    report = api.ingest([path], db=db, start=at(F.us(t0)))
    assert F.query(db, "SELECT format FROM sources") == [("avr",)]
    assert report.counters["frames"] == len(lines)
    assert "avr_untimed" not in report.counters
    assert dict(report.rejects) == {}
    got = F.positions_by_time(db)
    assert got == beast_positions
    gold = F.golden(lines)
    for t, (lat, lon) in got.items():
        assert (lat, lon) == (
            pytest.approx(gold[t][0], abs=1e-6),
            pytest.approx(gold[t][1], abs=1e-6),
        )


def test_untimed_lines_take_the_start_time(db, tmp_path):
    lines = F.window(1800, 3)  # 49 frames over 3 s: two even and two odd airborne positions
    path = F.write(tmp_path / "avr_untimed.txt", avr_text(lines, 0, "*"))
    report = api.ingest([path], db=db, start="2024-07-06T07:13:09Z")
    assert report.counters["avr_untimed"] == 49
    assert report.counters["frames"] == 49
    assert dict(report.rejects) == {}
    rows = F.query(db, "SELECT epoch_us(ts), icao24, alt_baro_ft, gs_kt IS NOT NULL FROM positions")
    assert len(rows) == 4
    assert {r[:2] for r in rows} == {(1_720_249_989_000_000, "393322")}
    assert {r[2] for r in rows} == {22625, 22650}
    assert all(r[3] for r in rows)  # the velocity frames between them are carried on


def test_mixed_forms_and_blank_lines(db, tmp_path, airborne, beast_positions):
    lines, t0 = airborne
    parts = []
    for i, d in enumerate(lines):
        frame = F.wire_frame(d["frame"])
        counter = F.counter_12mhz(d["timestamp"], t0, 0x2000)
        parts.append(F.avr_line(frame, counter) if i % 2 else F.avr_line(frame, counter, 0x7F))
        if i % 100 == 0:
            parts.append("   ")
    path = F.write(tmp_path / "avr_mixed.txt", "\r\n".join(parts) + "\r\n")
    report = api.ingest([path], db=db, start=at(F.us(t0)))
    assert dict(report.rejects) == {}
    assert F.positions_by_time(db) == beast_positions


def test_bad_lines_are_rejected_and_neighbours_kept(db, tmp_path, airborne, beast_positions):
    lines, t0 = airborne
    good = avr_text(lines, t0).splitlines()
    bad = {
        50: "@00000000200Z8D393322;",  # not hex
        150: good[150].rstrip(";"),  # the terminator missing
        250: "*8D39;3322;",
        350: "garbage from a serial line",
    }
    out = []
    for i, line in enumerate(good):
        out.append(line)
        if i in bad:
            out.append(bad[i])
    path = F.write(tmp_path / "avr_bad.txt", "\n".join(out) + "\n")
    report = api.ingest([path], db=db, start=at(F.us(t0)))
    assert dict(report.rejects) == {"bad_avr_line": 4}
    # each bad line sits right after good line i, i.e. on line i + 2 plus the bad ones before it
    want = [(f"line {i + 2 + k}", bad[i]) for k, i in enumerate(sorted(bad))]
    got = F.query(db, "SELECT location, excerpt FROM rejects ORDER BY location")
    assert sorted(got) == sorted(want)
    assert F.positions_by_time(db) == beast_positions
    assert F.query(db, "SELECT rejects, complete FROM sources") == [(4, True)]


def test_crc_failure_is_rejected(db, tmp_path, airborne, beast_positions):
    lines, t0 = airborne
    text = avr_text(lines, t0).splitlines()
    # flip one bit in the ME field of a DF17 airborne position that decoded
    i = next(
        i
        for i, d in enumerate(lines)
        if i > 400 and F.us(d["timestamp"]) in beast_positions and d.get("bds") == "05"
    )
    frame = lines[i]["frame"]
    flipped = F.flip_bit(frame, 60)
    assert flipped != frame and F.crc24(bytes.fromhex(flipped)[:11]) != int(flipped[22:], 16)
    text[i] = text[i].replace(frame.upper(), flipped.upper())
    path = F.write(tmp_path / "avr_crc.txt", "\n".join(text) + "\n")
    report = api.ingest([path], db=db, start=at(F.us(t0)))
    assert dict(report.rejects) == {"crc_fail": 1}
    assert F.query(db, "SELECT excerpt FROM rejects") == [(flipped,)]
    lost = F.us(lines[i]["timestamp"])
    assert F.positions_by_time(db) == {t: p for t, p in beast_positions.items() if t != lost}


@pytest.mark.parametrize("form", ["@", "*"])
def test_file_without_start_stops_with_one_line_naming_start(tmp_path, airborne, form):
    """Timed lines count from an arbitrary point and ``*`` lines carry no time at all: a file
    of either needs --start; the file's modification time is never taken for it."""
    lines, t0 = airborne
    path = F.write(tmp_path / "avr.txt", avr_text(lines, t0, form))
    db = tmp_path / "s.duckdb"
    with pytest.raises(InputError, match=r"AVR capture carries no date or time.*--start"):
        api.ingest([path], db=db)
    assert F.query(db, "SELECT count(*) FROM positions") == [(0,)]


def test_file_cut_mid_line(db, tmp_path, airborne, beast_positions):
    lines, t0 = airborne
    text = avr_text(lines, t0)
    path = F.write(tmp_path / "avr_cut.txt", text[:-12])  # the last line loses its end
    report = api.ingest([path], db=db, start=at(F.us(t0)))
    assert dict(report.rejects) == {"bad_avr_line": 1}
    assert F.query(db, "SELECT location FROM rejects") == [(f"line {len(lines)}",)]
    lost = F.us(lines[-1]["timestamp"])
    assert F.positions_by_time(db) == {t: p for t, p in beast_positions.items() if t != lost}
