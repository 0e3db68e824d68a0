"""Hostile inputs (issue 15): no input crashes the process or aborts the run, a damaged file
keeps every record that can be read, and no file inflates without bound."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import framing as F
import hostile as H
import pytest

from basewatch import api


def ingest(db, *paths, **kw):
    return api.ingest([str(p) for p in paths], db=db, **kw)


def count(db, where: str = "TRUE", params: list | None = None) -> int:
    return F.query(db, f"SELECT count(*) FROM positions WHERE {where}", params)[0][0]


# --- 1. no input crashes the process ----------------------------------------------------------


def test_deep_nesting_in_traffic_json_does_not_crash(tmp_path, db):
    """10,000 levels in one value took the process down inside DuckDB's JSON reader."""
    path = F.write(tmp_path / "trajectory.json", H.deep_traffic_json(10_000))
    code = (
        "import json, sys, basewatch as bw\n"
        "r = bw.ingest([sys.argv[1]], db=sys.argv[2])\n"
        "print(json.dumps([r.rows_read, dict(r.rejects)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(db)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rows, rejects = json.loads(out.stdout.strip().splitlines()[-1])
    assert rows == H.traffic_seed().rows - 1
    assert rejects == {"too_deep": 1}


# --- 2. a bad value rejects its row, never the run ----------------------------------------------


def test_wrong_typed_registration_and_type(tmp_path, db):
    """``r`` or ``t`` as a number failed the run at the end, after its sources were marked
    complete: the identities of every file were lost and a re-run said "already ingested"."""
    folder = tmp_path / "day"
    F.write(folder / "a_good.json", H.trace_with(icao="abcdef"))
    F.write(folder / "b_r_number.json", H.trace_with(icao="abcde0", r=123))
    snap = H.snapshot_doc()
    snap["aircraft"][5]["t"] = 5
    F.write(folder / "c_aircraft.json", json.dumps(snap))
    report = ingest(db, folder)
    assert report.rows_added == 2500 + 2500 + 60
    assert dict(report.rejects) == {"bad_aircraft_info": 2}
    ids = F.query(db, "SELECT icao24, registration, type_code FROM aircraft_observed ORDER BY 1")
    assert ("abcdef", "N899DN", "B739") in ids
    assert not [i for i in ids if i[0] in ("abcde0", "152f05")]
    assert len(ids) == 1 + 11  # the good trace and the snapshot's 12 identities but one
    again = ingest(db, folder)
    assert (again.sources_skipped, again.rows_added) == (3, 0)


@pytest.mark.parametrize("depth", [300, 1000])
def test_deep_trace_value_rejects_its_row(tmp_path, db, depth):
    """A trace value nested 256–1,023 deep broke ``orjson.dumps`` of the reject excerpt; every
    re-run failed and stored nothing."""
    path = F.write(tmp_path / "trace_full_ac671b.json", H.deep_trace_value(depth, row=100))
    report = ingest(db, path)
    assert report.rows_added == 2499
    assert dict(report.rejects) == {"bad_position": 1}
    excerpt = F.query(db, "SELECT excerpt FROM rejects")[0][0]
    assert "nested" in excerpt
    assert ingest(db, path).sources_skipped == 1


def test_parquet_integer_above_2_53(tmp_path, db):
    path = F.write(tmp_path / "states.parquet", H.parquet_with_big_int(2**60, row=1234))
    report = ingest(db, path)
    assert report.rows_added == 2998
    assert dict(report.rejects) == {"bad_number": 1}
    assert F.query(db, "SELECT location FROM rejects") == [("row 1234",)]


@pytest.mark.parametrize("field", [b"velocity", b"icao24"])
def test_parquet_column_name_not_utf8(tmp_path, db, field):
    """A damaged byte in a column name of the file's metadata: pyarrow raises
    UnicodeDecodeError (not one of its own errors) while listing the columns (fuzz case
    16339); the file is a reject of its own (bad_parquet), not a reader failure."""
    data = H.parquet_seed().data
    bad = field[:2] + b"\xe1" + field[3:]
    path = F.write(tmp_path / "states.parquet", data.replace(field, bad))
    report = ingest(db, path)
    assert dict(report.rejects) == {"bad_parquet": 1}
    assert report.rows_added == 0


# --- 3. damaged and cut archives ---------------------------------------------------------------


def tar_with_header(damage) -> tuple[bytes, int]:
    """The 10-member day with the header of its fourth member changed by ``damage``."""
    seed = H.tar_seed()
    heads = [u for u in seed.units if u.shared]
    at = heads[3].start
    data = bytearray(seed.data)
    damage(data, at)
    return bytes(data), at


def test_tar_header_bit_flip_keeps_every_member(tmp_path, db):
    def flip(data, at):
        data[at + 20] ^= 0x04  # in the member's name: the checksum fails

    data, at = tar_with_header(flip)
    report = ingest(db, F.write(tmp_path / "day.tar", data))
    assert report.rows_added == 2500
    assert dict(report.rejects) == {"bad_tar_header": 1}
    assert F.query(db, "SELECT complete FROM sources") == [(True,)]


def test_tar_header_destroyed_resynchronises(tmp_path, db):
    def smash(data, at):
        data[at : at + 512] = bytes(range(256)) * 2

    data, at = tar_with_header(smash)
    path = F.write(tmp_path / "day.tar", data)
    report = ingest(db, path)
    assert report.rows_added == 2250  # every member but the one whose header is gone
    assert dict(report.rejects) == {"bad_tar_header": 1}
    (location,) = F.query(db, "SELECT location FROM rejects")[0]
    assert location.startswith(f"{path} bytes {at}-")
    assert count(db, "icao24 = 'ac6703'") == 0 and count(db, "icao24 = 'ac6704'") == 250


@pytest.mark.parametrize(("grown", "member"), [(5_000, 3), (40_000, 3), (20_000, 9)])
def test_tar_member_grown_far_past_its_size_keeps_its_rows(tmp_path, db, grown, member):
    """A value of a member's trace swapped for one nested ``grown`` / 2 deep: the member is
    longer than its header says by far more than ``archive.SLACK``, and its next header (or
    the end of the archive, after the last member) is found intact there (the fuzz cut such
    members at their declared size: 37-228 of their 250 rows lost)."""
    seed = H.tar_seed()
    head = [u for u in seed.units if u.shared][member]
    row = next(u for u in seed.units if not u.shared and u.start > head.end + 2000)
    value = seed.data.index(b",", row.start) + 1  # the row's latitude
    end = seed.data.index(b",", value)
    deep = b"[" * (grown // 2) + b"1" + b"]" * (grown // 2)
    data = seed.data[:value] + deep + seed.data[end:]
    report = ingest(db, F.write(tmp_path / "day.tar", data))
    assert report.rows_added == 2499  # all but the row whose value was swapped
    assert report.rejects["tar_size_mismatch"] == 1 and "bad_tar_header" not in report.rejects


@pytest.mark.parametrize("byte", [130, 258])  # in its size field, in its magic
def test_tar_member_glued_to_no_damaged_next_header(tmp_path, db, byte):
    """The next header damaged where the size says (its checksum fails): the member before
    it ends there, it is not read on to the header after."""

    def flip(data, at):
        data[at + byte] ^= 0x01

    data, at = tar_with_header(flip)
    report = ingest(db, F.write(tmp_path / "day.tar", data))
    assert report.rows_added >= 2250 and "tar_size_mismatch" not in report.rejects


def test_truncated_tar_gz_keeps_every_member_before_the_cut(tmp_path, db):
    seed = H.tar_seed()
    packed = gzip.compress(seed.data)
    cut = packed[: len(packed) * 3 // 5]
    prefix = zlib.decompressobj(31).decompress(cut)
    whole = [u for u in seed.units if not u.shared and u.end <= len(prefix) - 2]
    report = ingest(db, F.write(tmp_path / "day.tar.gz", cut))
    assert len(whole) >= report.rows_added >= len(whole) - 1
    assert {"truncated_gzip", "truncated_archive"} <= set(report.rejects)
    assert F.query(db, "SELECT complete FROM sources") == [(False,)]


# --- 4. one bad byte costs one record -----------------------------------------------------------


def test_stray_byte_in_trace_full(tmp_path, db):
    seed = H.trace_seed()
    row = seed.units[1 + 1000]
    path = F.write(
        tmp_path / "trace_full_ac671b.json", H.stray_byte(seed.data, row.start + 20, b"x")
    )
    report = ingest(db, path)
    assert report.rows_added == 2499
    assert dict(report.rejects) == {"bad_json": 1}
    at = seed.data.index(b"[", row.start)
    assert F.query(db, "SELECT location FROM rejects") == [(f"{path} byte {at}",)]


def test_stray_byte_in_gzip_trace_full(tmp_path, db):
    seed = H.trace_seed()
    row = seed.units[1 + 2000]
    data = gzip.compress(H.stray_byte(seed.data, row.start + 5, b"}"))
    report = ingest(db, F.write(tmp_path / "trace_full_ac671b.json", data))
    assert (report.rows_added, dict(report.rejects)) == (2499, {"bad_json": 1})


def test_invalid_utf8_in_opensky_csv(tmp_path, db):
    seed = H.csv_seed()
    row = seed.units[1 + 1500]
    line = seed.data[row.start : row.end]
    at = row.start + line.index(b",RSD") + 2
    path = F.write(tmp_path / "states.csv", H.stray_byte(seed.data, at, b"\xff"))
    report = ingest(db, path)
    assert report.rows_added == 2998
    assert dict(report.rejects) == {"bad_encoding": 1}
    assert F.query(db, "SELECT location FROM rejects") == [("line 1502",)]


def test_csv_line_short_of_a_field_with_invalid_utf8(tmp_path, db, capfd):
    """pyarrow cannot show such a line to the invalid-row handler: the block parser stops,
    and the file is read line by line from there."""
    seed = H.csv_seed()
    row = seed.units[1 + 1500]
    line = seed.data[row.start : row.end]
    cut = line.index(b",RSD")
    bad = line[:cut] + b"\xac" + line[cut + 1 :]  # one field fewer, one byte not UTF-8
    path = F.write(tmp_path / "states.csv", seed.data[: row.start] + bad + seed.data[row.end :])
    report = ingest(db, path)
    assert report.rows_added == 2998
    assert dict(report.rejects) == {"bad_encoding": 1}
    assert "Exception ignored" not in capfd.readouterr().err


@pytest.mark.parametrize("gz", [False, True])
def test_csv_stray_quote_costs_its_line_only(tmp_path, db, capfd, gz):
    """A quote inserted before a field (fuzz case 39106): pyarrow's parser took every line
    after it, to the end of its block, for one quoted value and dropped them with one
    reject (1,012 of 2,998 rows kept). Now that line is rejected and the rest are read."""
    seed = H.csv_seed()
    row = seed.units[1 + 1000]
    data = seed.data[: row.start] + b'"' + seed.data[row.start :]
    path = F.write(tmp_path / "states.csv", gzip.compress(data) if gz else data)
    report = ingest(db, path)
    assert report.rows_added == seed.rows - 1
    assert dict(report.rejects) == {"bad_csv_line": 1}
    (where,) = F.query(db, "SELECT location FROM rejects")[0]
    assert where == f"line {1 + 1000 + 1}", where  # the header is line 1
    assert "Exception ignored" not in capfd.readouterr().err


@pytest.mark.parametrize("lines", [False, True])
def test_stray_byte_in_traffic_json(tmp_path, db, lines):
    seed = H.traffic_seed(lines)
    k = next(i for i, u in enumerate(seed.units) if i > 1500 and u.rows)
    row = seed.units[k]
    path = F.write(tmp_path / seed.name, H.stray_byte(seed.data, row.start + 1, b"#"))
    report = ingest(db, path)
    assert report.rows_added == seed.rows - 1
    assert dict(report.rejects) == {"bad_json": 1}
    assert F.query(db, "SELECT location FROM rejects") == [(f"{path} byte {row.start}",)]


@pytest.mark.parametrize("lines", [False, True])
@pytest.mark.parametrize(
    ("field", "value"),
    [("icao24", b"true"), ("icao24", b"{}"), ("timestamp", b"[]"), ("altitude", b'{"a":1}')],
)
def test_one_value_of_another_type_in_traffic_json(tmp_path, db, lines, field, value):
    """One record whose value is of another JSON type: DuckDB then types the whole column as
    JSON (a string "ae0455" read back with its quotes), which cost every row of the file."""
    seed = H.traffic_seed(lines)
    row = next(u for i, u in enumerate(seed.units) if i > 1500 and u.rows)
    key = seed.data.index(f'"{field}":'.encode(), row.start) + len(field) + 3
    end = min(seed.data.index(c, key) for c in (b",", b"}"))
    path = F.write(tmp_path / seed.name, seed.data[:key] + value + seed.data[end:])
    report = ingest(db, path)
    lost = 0 if field == "altitude" else 1  # a bad altitude leaves the row without one
    assert report.rows_added == seed.rows - lost
    assert sum(report.rejects.values()) == lost


def test_stray_byte_in_aircraft_json(tmp_path, db):
    seed = H.snapshot_seed()
    row = seed.units[1 + 30]
    report = ingest(db, F.write(tmp_path / "aircraft.json", H.stray_byte(seed.data, row.start + 3)))
    assert report.rows_added == 59
    assert dict(report.rejects) == {"bad_json": 1}


def _closer_damaged(seed, unit, closer: bytes, to: bytes) -> bytes:
    """The seed with the closing bracket of one record (a unit) changed to ``to``."""
    at = seed.data.rindex(closer, unit.start, unit.end + 1)
    return seed.data[:at] + to + seed.data[at + 1 :]


@pytest.mark.parametrize("to", [b"=", b" ", b"{"])
@pytest.mark.parametrize("which", ["aircraft_json", "traffic_json", "trace_full"])
def test_a_record_whose_closer_is_damaged_costs_only_itself(tmp_path, db, which, to):
    """The ``}`` (or ``]``) that ends one record damaged: the record ran on into the next
    one, and both were lost (fuzz cases 13616, 16064: 58 of 59 aircraft kept)."""
    seed = {
        "aircraft_json": H.snapshot_seed,
        "traffic_json": H.traffic_seed,
        "trace_full": H.trace_seed,
    }[which]()
    units = [u for u in seed.units if u.rows and not u.shared]
    unit = units[len(units) // 2]
    closer = b"]" if which == "trace_full" else b"}"
    path = F.write(tmp_path / seed.name, _closer_damaged(seed, unit, closer, to))
    report = ingest(db, path)
    assert report.rows_added == seed.rows - 1
    assert sum(report.rejects.values()) == 1, report.rejects


# --- 5. a cap on what a file may inflate to ------------------------------------------------------

SNAP_HEAD = b'{"now": 1738700000.0, "aircraft": ['


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setenv("BASEWATCH_MAX_INFLATE", "4MiB")


@pytest.mark.parametrize(
    ("name", "head"),
    [
        ("aircraft.json", SNAP_HEAD),
        ("trace_full_abcdef.json", b'{"icao": "abcdef", "timestamp": 1738700000, "trace": ['),
        ("states.csv", H.HISTORY.encode() + b"\n"),
        ("trajectory.json", b'[{"icao24": "abcdef", "latitude": 1, "groundspeed": 2}'),
    ],
)
def test_gzip_bomb_is_a_reject(tmp_path, db, small_cap, name, head):
    bomb = H.gzip_bomb(head, b" ", 64 << 20, b"]}")
    assert len(bomb) < 200_000
    report = ingest(db, F.write(tmp_path / name, bomb))
    assert report.rejects["over_inflate_cap"] == 1
    assert report.incomplete == [str(tmp_path / name)]


def test_sbs_bomb_keeps_the_lines_before_the_cap(tmp_path, db, small_cap):
    line = (H.DATA / "sbs_flight.txt").read_bytes()
    bomb = H.gzip_bomb(line, b"\n", 64 << 20)
    report = ingest(db, F.write(tmp_path / "flight.sbs", bomb))
    assert report.rejects["over_inflate_cap"] == 1
    plain = ingest(db.with_name("plain.duckdb"), F.write(tmp_path / "plain.sbs", line))
    assert report.rows_read == plain.rows_read > 0


def test_tar_member_over_the_cap_is_skipped(tmp_path, db, small_cap):
    report = ingest(db, F.write(tmp_path / "day.tar.gz", H.tar_over_cap()))
    assert report.rows_added == 250
    assert dict(report.rejects) == {"over_inflate_cap": 1}


def test_file_over_the_cap_is_not_inflated_again_until_it_changes_or_the_cap_rises(
    tmp_path, db, small_cap, monkeypatch
):
    head = SNAP_HEAD + b'{"hex": "abcdef", "lat": 35.4, "lon": 35.9, "alt_baro": 900}'
    bomb = H.gzip_bomb(head, b" ", 16 << 20, b"]}")
    path = F.write(tmp_path / "aircraft.json", bomb)
    first = ingest(db, path)
    assert dict(first.rejects) == {"over_inflate_cap": 1}
    assert first.incomplete == [str(path)]
    again = ingest(db, path)  # unchanged, same cap: skipped, and said so
    assert dict(again.rejects) == {"over_inflate_cap": 1}
    assert (again.sources, again.incomplete) == (0, [])
    said = F.query(
        db,
        "SELECT excerpt FROM rejects WHERE run_id = ? AND reason = 'over_inflate_cap'",
        [again.run_id],
    )
    assert "not read again" in said[0][0] and "4,194,304 bytes" in said[0][0], said
    twice = ingest(db, path, path)  # the same content twice in one run: read once at most
    assert (twice.sources, twice.rejects["over_inflate_cap"]) == (0, 2)
    changed = F.write(tmp_path / "changed" / "aircraft.json", bomb + gzip.compress(b" "))
    assert ingest(db, changed).incomplete == [str(changed)]  # another content: read
    monkeypatch.setenv("BASEWATCH_MAX_INFLATE", "32MiB")  # a raised cap reads it again
    raised = ingest(db, path)
    assert (raised.sources, raised.incomplete, raised.rejects["over_inflate_cap"]) == (1, [], 0)
    assert raised.rows_read == 1  # its aircraft, read whole this time


def test_file_over_the_cap_is_not_inflated_again_with_jobs(tmp_path, db, small_cap):
    """The same with ``ingest --jobs 2``: the workers are told which sources stopped at the
    cap."""
    head = SNAP_HEAD + b'{"hex": "abcdef", "lat": 35.4, "lon": 35.9, "alt_baro": 900}'
    F.write(tmp_path / "in" / "a" / "aircraft.json", H.gzip_bomb(head, b" ", 16 << 20, b"]}"))
    F.write(tmp_path / "in" / "b" / "aircraft.json", head + b"]}")
    first = ingest(db, tmp_path / "in", jobs=2)
    assert (first.rejects["over_inflate_cap"], len(first.incomplete)) == (1, 1)
    again = ingest(db, tmp_path / "in", jobs=2)
    assert (again.rejects["over_inflate_cap"], again.incomplete) == (1, [])
    assert again.sources_skipped == 1  # the good one, ingested whole


def test_gzip_bomb_memory_stays_bounded(tmp_path, db):
    """A 1 GiB aircraft.json in 1 MiB of gzip peaked at 4.3 GiB; now the default cap (256 MiB)
    ends it with a reject."""
    path = F.write(tmp_path / "aircraft.json", H.gzip_bomb(SNAP_HEAD, b" ", 1 << 30, b"]}"))
    code = (
        "import json, resource, sys, basewatch as bw\n"
        "r = bw.ingest([sys.argv[1]], db=sys.argv[2])\n"
        # VmHWM is this process's own peak; ru_maxrss would carry the forking pytest's peak
        # over exec (Linux keeps it per process, not per address space), as CI once saw
        "peak = int(next(ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')).split()[1])\n"
        "print(json.dumps([dict(r.rejects), peak]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(db)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-3000:]
    rejects, peak_kib = json.loads(out.stdout.strip().splitlines()[-1])
    assert rejects == {"over_inflate_cap": 1}
    assert peak_kib < 1 << 20  # KiB: under 1 GiB (472 MiB measured)


# --- the folder test ------------------------------------------------------------------------


def test_folder_of_one_good_and_every_hostile_file(tmp_path, db, monkeypatch):
    monkeypatch.setenv("BASEWATCH_MAX_INFLATE", "4MiB")
    folder = tmp_path / "mixed"
    F.write(folder / "good" / "trace_full_abcdef.json", H.trace_with(icao="abcdef"))
    hostile = folder / "hostile"
    F.write(hostile / "deep.json", H.deep_traffic_json(10_000))
    F.write(hostile / "r_number.json", H.trace_with(icao="abcde1", r=7, t=[1]))
    F.write(hostile / "deep_value.json", H.deep_trace_value(300))
    F.write(hostile / "big_int.parquet", H.parquet_with_big_int())
    smashed, _ = tar_with_header(lambda d, at: d.__setitem__(slice(at, at + 512), bytes(512)))
    F.write(hostile / "smashed.tar", smashed)
    F.write(hostile / "cut.tar.gz", gzip.compress(H.tar_seed().data)[:30_000])
    F.write(hostile / "stray.json", H.stray_byte(H.trace_seed().data, 200_000, b"x"))
    F.write(hostile / "states.csv", H.stray_byte(H.csv_seed().data, 100_000))
    F.write(hostile / "aircraft.json", H.gzip_bomb(SNAP_HEAD, b" ", 64 << 20, b"]}"))
    F.write(hostile / "junk.bin", bytes(range(256)) * 40)
    # what the fuzz campaigns found since
    pq_name = H.parquet_seed().data.replace(b"velocity", b"ve\xe1ocity")
    F.write(hostile / "name_not_utf8.parquet", pq_name)
    traffic = H.traffic_seed()
    F.write(hostile / "mixed.json", traffic.data.replace(b'"icao24":', b'"icao24":true,"x":', 1))
    for run in range(2):
        report = ingest(db, folder)
        assert count(db, "icao24 = 'abcdef'") == 2500, run
        assert F.query(db, "SELECT count(*) FROM aircraft_observed WHERE icao24 = 'abcdef'") == [
            (1,)
        ]
    assert report.sources_skipped >= 4  # the files read whole are not read again
    # the bomb, stopped at the cap, is not inflated again (the cut archive is read again)
    assert [Path(p).name for p in report.incomplete] == ["cut.tar.gz"]
    assert report.rejects["over_inflate_cap"] == 1


def test_tar_splice_copying_a_header_keeps_the_member_after_it(tmp_path, db):
    """A span of the archive holding a header copied into an earlier member (fuzz case
    26850): the copy is a valid header whose size leads to no header, and the real next
    header comes before its declared end. It is rejected with its byte range, the member it
    landed in runs on to the real next header, and that member and every one after it are
    read (the copy took the real next member into its own span: 250 rows lost)."""
    seed = H.tar_seed()
    heads = [u for u in seed.units if u.shared]
    piece = seed.data[heads[3].start - 1653 : heads[3].start - 1653 + 4096]
    at = heads[2].start - 1224  # inside member 1, near its end
    data = seed.data[:at] + piece + seed.data[at:]
    path = F.write(tmp_path / "day.tar", data)
    ingest(db, path)
    clean = tmp_path / "clean.duckdb"
    ingest(clean, F.write(tmp_path / "clean" / "day.tar", seed.data))
    key = "SELECT icao24, ts, lat_deg, lon_deg FROM positions"
    kept = set(F.query(db, key)) & set(F.query(clean, key))
    assert len(kept) >= 2500 - 2  # the rows the copied span cut in two
    for k in range(10):
        assert count(db, "icao24 = ?", [f"{0xAC6700 + k:06x}"]) >= 249, k
    stray = at + 1653
    locations = [loc for (loc,) in F.query(db, "SELECT location FROM rejects")]
    assert f"{path} bytes {stray}-{stray + 512}" in locations, locations
