"""Good files of every format, with the byte span of every record, and the hostile shapes of
issue 15 built from them. Shared by the reader tests and the fuzz harness.

Every seed is written here from the project's samples (the real readsb trace, the real
traffic trajectory, the real rs1090 frames) or from numbers made up in this file; a seed
knows how many positions each of its records gives (``Unit``), so damage to a byte can be
charged to the records it touches.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import framing as F
import pyarrow as pa
import pyarrow.parquet as pq

from basewatch.demo import sample_path

DATA = Path(__file__).parent / "data"
TRACE = "trace_full_ac671b.json"
T0 = 1_738_700_000  # 2025-02-04


@dataclass(frozen=True, slots=True)
class Unit:
    """A byte span of a seed and the positions it gives; damage inside costs them."""

    start: int
    end: int
    rows: int
    shared: bool = False  # fields the rows of other units need (a header)


@dataclass
class Seed:
    name: str  # a file name the format is told from
    fmt: str
    data: bytes  # as written (plain; ``gz`` seeds are compressed by the harness)
    units: list[Unit] = field(default_factory=list)
    records: bool = True  # positions come one per record (not from frame pairs)

    @property
    def rows(self) -> int:
        return sum(u.rows for u in self.units if not u.shared)


def _spans(data: bytes, pattern: bytes) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, data)]


def _header_unit(data: bytes, first: int, rows: int) -> Unit:
    return Unit(0, first, rows, shared=True)  # the fields every row needs live before the first row


@cache
def trace_doc() -> dict:
    return json.loads(sample_path(TRACE).read_text())


def trace_seed() -> Seed:
    data = sample_path(TRACE).read_bytes()
    rows = _spans(data, rb"\n    \[[^\n]*\](?=,?\n)")
    units = [_header_unit(data, rows[0][0], len(rows))]
    units += [Unit(s + 1, e, 1) for s, e in rows]
    return Seed("trace_full_ac671b.json", "trace_full", data, units)


def trace_member(doc: dict, k: int, rows: slice) -> bytes:
    """One aircraft's trace as readsb writes it (one row a line), from part of the sample."""
    head = {key: doc[key] for key in ("r", "t", "dbFlags", "desc", "timestamp")}
    lines = ",\n".join(json.dumps(r, separators=(",", ":")) for r in doc["trace"][rows])
    return (
        f'{{"icao":"{0xAC6700 + k:06x}",'
        + json.dumps(head)[1:-1]
        + f',\n"trace":[\n{lines}\n]\n}}\n'
    ).encode()


def tar_seed(members: int = 10, per: int = 250) -> Seed:
    doc = trace_doc()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for k in range(members):
            data = trace_member(doc, k, slice(k * per, (k + 1) * per))
            info = tarfile.TarInfo(f"2025/02/04/traces/{k:02x}/trace_full_{0xAC6700 + k:06x}.json")
            info.size = len(data)
            info.mtime = T0
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    units = []
    offset = 0
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar.getmembers():
            member = data[m.offset_data : m.offset_data + m.size]
            rows = _spans(member, rb"\n\[[^\n]*\](?=,?\n)")
            units.append(Unit(m.offset, m.offset_data + rows[0][0], len(rows), shared=True))
            units += [Unit(m.offset_data + s + 1, m.offset_data + e, 1) for s, e in rows]
            offset = m.offset_data + m.size
    assert offset
    return Seed("globe_2025-02-04.tar", "globe_tar", data, units)


def snapshot_doc(n: int = 60) -> dict:
    aircraft = []
    for i in range(n):
        a = {
            "hex": f"{0x152F00 + i:06x}",
            "flight": f"RSD{i:03d} ",
            "alt_baro": "ground" if i % 7 == 0 else 1000 + 250 * i,
            "lat": 35.0 + 0.01 * i,
            "lon": 35.5 + 0.02 * i,
            "gs": 200.5 + i,
            "track": float(i * 6 % 360),
            "seen_pos": 0.2,
            "squawk": f"{i % 8}{(i + 1) % 8}{(i + 2) % 8}{(i + 3) % 8}",
        }
        if i % 5 == 0:
            a.update(r=f"RF-{85000 + i}", t="IL76", dbFlags=1)
        aircraft.append(a)
    return {"now": float(T0), "messages": 123456, "aircraft": aircraft}


def snapshot_bytes(doc: dict) -> bytes:
    """As readsb writes it: one aircraft a line."""
    head = f'{{ "now" : {doc["now"]},\n  "messages" : {doc["messages"]},\n  "aircraft" : [\n'
    body = ",\n".join(json.dumps(a, separators=(",", ":")) for a in doc["aircraft"])
    return (head + body + "\n  ]\n}\n").encode()


def snapshot_seed() -> Seed:
    data = snapshot_bytes(snapshot_doc())
    rows = _spans(data, rb"\{\"hex\"[^\n]*\}")
    units = [_header_unit(data, rows[0][0], len(rows))] + [Unit(s, e, 1) for s, e in rows]
    return Seed("aircraft.json", "aircraft_json", data, units)


@cache
def traffic_records(n: int = 3000) -> tuple[dict, ...]:
    with gzip.open(DATA / "traffic_military_aircraft_carrier.json.gz", "rb") as fh:
        return tuple(json.loads(fh.read())[:n])


def traffic_seed(lines: bool = False) -> Seed:
    recs = traffic_records()
    texts = [json.dumps(r, separators=(",", ":")).encode() for r in recs]
    data = (b"\n" if lines else b",").join(texts)
    data = data + b"\n" if lines else b"[" + data + b"]"
    units, pos = [], 0 if lines else 1
    for r, t in zip(recs, texts, strict=True):
        units.append(Unit(pos, pos + len(t), int(r["latitude"] is not None)))
        pos += len(t) + 1
    name = "trajectory.jsonl" if lines else "trajectory.json"
    return Seed(name, "traffic_json", data, units)


HISTORY = "time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact,hour"


def history_rows(n: int = 2999) -> list[str]:
    out = []
    for i in range(n):
        t = T0 + 10 * i
        out.append(
            f"{t},{0x152F00 + i % 13:06x},{35.0 + i * 1e-4:.5f},{35.9 + i * 1e-4:.5f},"
            f"{80 + i % 50}.5,{i % 360}.0,{(i % 21) - 10}.25,RSD{i % 13:03d},"
            f"{'True' if i % 11 == 0 else 'False'},False,False,{i % 8}{i // 8 % 8}{i // 64 % 8}{i // 512 % 8},"
            f"{300 + i}.5,{320 + i}.5,{t - 1}.5,{t}.9,{t - t % 3600}"
        )
    return out


def csv_seed() -> Seed:
    rows = history_rows()
    data = (HISTORY + "\n" + "\n".join(rows) + "\n").encode()
    units, pos = [Unit(0, len(HISTORY), len(rows), shared=True)], len(HISTORY) + 1
    for r in rows:
        units.append(Unit(pos, pos + len(r), 1))
        pos += len(r) + 1
    return Seed("states_2025-02-04.csv", "opensky_csv", data, units)


def history_table(n: int = 2999) -> pa.Table:
    names = HISTORY.split(",")
    cols = list(zip(*(r.split(",") for r in history_rows(n)), strict=True))
    conv = {"icao24": str, "callsign": str, "squawk": str, "onground": lambda v: v == "True"}
    conv |= {"alert": lambda v: v == "True", "spi": lambda v: v == "True"}
    conv |= {c: int for c in ("time", "hour")}
    return pa.table(
        {n_: [conv.get(n_, float)(v) for v in col] for n_, col in zip(names, cols, strict=True)}
    )


def parquet_seed() -> Seed:
    buf = io.BytesIO()
    table = history_table()
    pq.write_table(table, buf, row_group_size=1000)
    data = buf.getvalue()
    # a Parquet file is one unit per row group in practice: damage there costs the group
    return Seed(
        "states.parquet",
        "opensky_parquet",
        data,
        [Unit(0, len(data), table.num_rows)],
        records=False,
    )


def sbs_seed() -> Seed:
    data = (DATA / "sbs_flight.txt").read_bytes()
    return Seed("flight.sbs", "sbs", data, [], records=False)


def frames_seed(n: int = 2000) -> Seed:
    lines = F.jsonl_lines()[:n]
    data = b"".join(
        json.dumps({"timestamp": x["timestamp"], "frame": x["frame"]}).encode() + b"\n"
        for x in lines
    )
    return Seed("frames.jsonl", "frames_jsonl", data, [], records=False)


def avr_seed(n: int = 2000) -> Seed:
    t0 = F.jsonl_lines()[0]["timestamp"]
    lines = F.jsonl_lines()[:n]
    data = "".join(
        F.avr_line(x["frame"], F.counter_12mhz(x["timestamp"], t0, 0x1000)) + "\n" for x in lines
    ).encode()
    return Seed("capture.avr", "avr", data, [], records=False)


def beast_seed(n: int = 2000) -> Seed:
    lines = list(F.jsonl_lines()[:n])
    return Seed(
        "capture.beast", "beast", F.beast_stream(lines, lines[0]["timestamp"]), [], records=False
    )


def seeds() -> list[Seed]:
    """One good file of every format (two for traffic JSON: array and lines)."""
    return [
        trace_seed(),
        tar_seed(),
        snapshot_seed(),
        traffic_seed(),
        traffic_seed(lines=True),
        csv_seed(),
        parquet_seed(),
        sbs_seed(),
        frames_seed(),
        avr_seed(),
        beast_seed(),
    ]


# --- the hostile shapes of issue 15 ---------------------------------------------------------


def nested(depth: int) -> bytes:
    return b"[" * depth + b"1" + b"]" * depth


def deep_traffic_json(depth: int = 10_000) -> bytes:
    """A trajectory whose one value is nested ``depth`` deep (DuckDB's reader crashed)."""
    s = traffic_seed()
    u = next(u for u in s.units if u.rows)
    rec = s.data[u.start : u.end]
    bad = re.sub(rb'"groundspeed":[^,}]*', b'"groundspeed":' + nested(depth), rec, count=1)
    return s.data[: u.start] + bad + s.data[u.end :]


def trace_with(**fields) -> bytes:
    doc = dict(trace_doc(), **fields)
    return json.dumps(doc).encode()


def deep_trace_value(depth: int = 300, row: int = 100) -> bytes:
    """A trace whose one row holds a value nested ``depth`` deep where its latitude goes."""
    s = trace_seed()
    u = s.units[1 + row]
    text = s.data[u.start : u.end]
    parts = text.split(b",", 2)
    bad = parts[0] + b"," + nested(depth) + b"," + parts[2]
    return s.data[: u.start] + bad + s.data[u.end :]


def parquet_with_big_int(value: int = 2**60, row: int = 1234) -> bytes:
    t = history_table()
    alt = t.column("baroaltitude").to_pylist()
    ints = [int(v) for v in alt]
    ints[row] = value
    t = t.set_column(
        t.schema.get_field_index("baroaltitude"), "baroaltitude", pa.array(ints, pa.int64())
    )
    buf = io.BytesIO()
    pq.write_table(t, buf)
    return buf.getvalue()


def stray_byte(data: bytes, at: int, byte: bytes = b"\xff") -> bytes:
    return data[:at] + byte + data[at:]


def gzip_bomb(head: bytes, filler: bytes, size: int, tail: bytes = b"") -> bytes:
    """gzip of ``head`` + ``filler`` repeated to ``size`` bytes + ``tail``, made without
    holding the inflated content: one gzip member per MiB of filler, all the same (gzip
    readers read concatenated members as one stream)."""
    block, member = _bomb_member(filler)
    return b"".join(
        [gzip.compress(head, 9)] + [member] * max(1, size // len(block)) + [gzip.compress(tail, 9)]
    )


@cache
def _bomb_member(filler: bytes) -> tuple[bytes, bytes]:
    """(a MiB of ``filler``, its gzip member): made once per filler (the fuzz makes a bomb in
    one case of 26)."""
    block = filler * max(1, (1 << 20) // len(filler))
    return block, gzip.compress(block, 9)


def tar_over_cap(member_bytes: int = 16 << 20) -> bytes:
    """A tar.gz whose first member is ``member_bytes`` of spaces (over a small inflate cap)
    and whose second is a good trace of 250 rows."""
    buf = io.BytesIO()
    good = trace_member(trace_doc(), 1, slice(0, 250))
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("traces/00/trace_full_ac6700.json")
        info.size = member_bytes
        tar.addfile(info, io.BytesIO(b" " * info.size))
        info = tarfile.TarInfo("traces/01/trace_full_ac6701.json")
        info.size = len(good)
        tar.addfile(info, io.BytesIO(good))
    return buf.getvalue()
