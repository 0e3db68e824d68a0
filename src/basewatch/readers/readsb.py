"""readsb / dump1090 JSON: ``trace_full`` files, globe_history days, ``aircraft.json`` snapshots.

trace row: [Δt s, lat, lon, alt ft | "ground" | null, gs kt, track deg, flags, vrate fpm,
            details {} | null, source type, alt_geom ft, geom_rate, ias, roll]
flags: 1 stale, 2 new leg, 4 vertical rate is geometric, 8 altitude is geometric.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import orjson

try:  # ISA-L's inflate is about three times zlib's; the standard library otherwise
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover (platforms without isal wheels)
    import zlib as _zlib
import pyarrow as pa

from .. import schema
from . import archive, salvage, trace_scan
from .base import (
    BATCH_ROWS,
    InflateLimit,
    ReadContext,
    Source,
    epoch_to_ts,
    max_inflate,
    positions_table,
    read_whole,
    valid_position_mask,
)

log = logging.getLogger(__name__)

_ICAO_RE = re.compile(r"^[0-9a-f]{6}$")


def _load_json(data: bytes, ctx: ReadContext, location: str, array_key: str) -> dict | None:
    """Parse a JSON document; if it is damaged or cut short, keep every row of ``array_key``
    that can be read (``salvage``), rejecting the others with their byte offset."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        doc = _salvage(data, ctx, location, array_key, str(exc))
        if doc is None:
            return None
    if not isinstance(doc, dict):
        ctx.rejects.add("bad_json", location, "top level is not an object")
        return None
    return doc


_HEADER_FIELDS = {
    "trace": (
        ("icao", rb'"icao"\s*:\s*"([^"\\]*)"'),
        ("timestamp", rb'"timestamp"\s*:\s*([-0-9.eE+]+)'),
    ),
    "aircraft": (("now", rb'"now"\s*:\s*([-0-9.eE+]+)'),),
}


def _salvage(
    data: bytes, ctx: ReadContext, location: str, array_key: str, error: str
) -> dict | None:
    """The document rebuilt from what can be read: its rows element by element, its other
    fields parsed without the rows (or, if that fails too, the fields a row needs)."""
    m = re.search(rb'"' + array_key.encode() + rb'"\s*:\s*\[', data)
    if m is None:
        ctx.rejects.add("bad_json", location, data[:200].decode("utf-8", "replace") or error)
        return None
    kind = list if array_key == "trace" else dict
    got = salvage.split_array(data, m.end(), kind, ctx, location)
    head = data[: m.end() - 1]
    tail = data[got.end :] if got.end is not None else b"}"
    try:
        doc = orjson.loads(head + b"[]" + tail)
    except orjson.JSONDecodeError:
        doc = {}
        for name, pattern in _HEADER_FIELDS[array_key]:
            found = re.search(pattern, head)
            if found is not None:
                with contextlib.suppress(orjson.JSONDecodeError):
                    value = found[1].decode("utf-8", "replace")
                    doc[name] = value if name == "icao" else orjson.loads(found[1])
    if not isinstance(doc, dict):
        doc = {}
    doc[array_key] = got.elements
    if got.end is None:
        ctx.truncated(
            "truncated_json", location, f"{error}; kept {len(got.elements)} complete rows"
        )
    return doc


def _num(col: tuple, dtype=np.float64) -> np.ndarray:
    """Numbers (None → NaN) from a JSON column; anything non-numeric becomes NaN too."""
    try:
        out = np.array(col, dtype=dtype)
        if out.ndim == 1:  # nested lists of numbers would give more dimensions
            return out
    except (TypeError, ValueError):
        pass
    return np.array(
        [v if isinstance(v, int | float) and not isinstance(v, bool) else np.nan for v in col],
        dtype=dtype,
    )


def _num_obj(obj: np.ndarray) -> np.ndarray:
    """An object array of numbers, None and NaN → float64 (anything else → NaN)."""
    obj[np.equal(obj, None)] = np.nan
    try:
        return obj.astype(np.float64)
    except (TypeError, ValueError):
        return _num(tuple(obj))


def _columns(trace: list, ctx: ReadContext, location: str) -> tuple[list, list]:
    """Transpose trace rows into 14 columns, dropping (and rejecting) malformed rows."""
    try:
        width = min(map(len, trace)) if trace else 0
        if (
            width < 6
            or width != max(map(len, trace))
            or not all(map(list.__instancecheck__, trace))
        ):
            raise TypeError
        rows = trace
    except TypeError:
        rows = [r for r in trace if isinstance(r, list) and len(r) >= 6]
        for r in trace:
            if not (isinstance(r, list) and len(r) >= 6):
                ctx.rejects.add("bad_trace_row", location, salvage.excerpt(r))
        if not rows:
            return [], []
        cols = list(itertools.zip_longest(*rows, fillvalue=None))
        return rows, cols + [(None,) * len(rows)] * (14 - len(cols))
    cols = list(zip(*rows, strict=True))
    return rows, cols + [(None,) * len(rows)] * (14 - len(cols))


def _details(col: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Callsign and squawk from the sparse details objects, carried forward."""
    n = len(col)
    obj = np.fromiter(col, dtype=object, count=n)  # 1-D whatever the values
    at = np.flatnonzero(np.not_equal(obj, None))
    dets = obj[at].tolist()
    if not all(map(dict.__instancecheck__, dets)):
        keep = [i for i, d in enumerate(dets) if isinstance(d, dict)]
        at, dets = at[keep], [dets[i] for i in keep]
    out = []
    for key in ("flight", "squawk"):
        raw = [d.get(key) for d in dets]
        vals = np.array(
            [v.strip() or None if isinstance(v, str) else None for v in raw] + [None], dtype=object
        )
        have_at = np.not_equal(vals[:-1], None)
        have = np.zeros(n, dtype=bool)
        have[at[have_at]] = True
        src = np.full(n, -1, dtype=np.int64)
        src[at[have_at]] = np.flatnonzero(have_at)
        idx = np.where(have, np.arange(n), -1)
        np.maximum.accumulate(idx, out=idx)
        pick = np.where(idx >= 0, src[np.maximum(idx, 0)], len(vals) - 1)
        out.append(vals[pick])
    return out[0], out[1]


@dataclass(slots=True)
class _Points:
    """A trace's point columns, however they were parsed (numbers as float64, NaN if null)."""

    dt: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray  # NaN for null and for "ground"
    ground: np.ndarray
    gs: np.ndarray
    track: np.ndarray
    flags: np.ndarray
    vrate: np.ndarray
    alt_geom: np.ndarray
    callsign: np.ndarray | pa.Array
    squawk: np.ndarray | pa.Array
    excerpt: Callable[[int], str]  # row number → the row as JSON, for rejects


def _trace_header(doc: dict, ctx: ReadContext, location: str) -> tuple[str, float] | None:
    icao = doc.get("icao", "")
    icao = icao.lower() if isinstance(icao, str) else salvage.excerpt(icao)
    base = doc.get("timestamp")
    if not _ICAO_RE.match(icao):
        # "~" marks a non-ICAO (TIS-B / anonymous) address: not an airframe we can follow
        ctx.rejects.add(
            "non_icao_address" if icao.startswith("~") else "bad_icao24", location, icao
        )
        return None
    if (
        not isinstance(doc.get("trace"), list)
        or not isinstance(base, int | float)
        or isinstance(base, bool)
    ):
        ctx.rejects.add("bad_trace", location, "missing trace array or timestamp")
        return None
    try:
        return icao, float(base)
    except OverflowError:
        ctx.rejects.add("bad_trace", location, f"timestamp {salvage.excerpt(base)}")
        return None


def _points_from_rows(trace: list, ctx: ReadContext, location: str) -> _Points | None:
    """Point columns from parsed trace rows (the general path)."""
    rows, cols = _columns(trace, ctx, location)
    if not rows:
        return None
    alt_obj = np.fromiter(cols[3], dtype=object, count=len(rows))
    ground = alt_obj == "ground"
    alt_obj[ground] = np.nan
    callsign, squawk = _details(cols[8])
    return _Points(
        dt=_num(cols[0]),
        lat=_num(cols[1]),
        lon=_num(cols[2]),
        alt=_num_obj(alt_obj),
        ground=ground,
        gs=_num(cols[4]),
        track=_num(cols[5]),
        flags=_num(cols[6]),
        vrate=_num(cols[7]),
        alt_geom=_num(cols[10]),
        callsign=callsign,
        squawk=squawk,
        excerpt=lambda i: salvage.excerpt(rows[i]),
    )


def _span_strings(data: bytes, spans: np.ndarray) -> pa.Array:
    """Per-row (start, end) byte spans of ASCII strings (-1: none) → a string array."""
    offsets, valid, text, nulls = trace_scan.span_text(data, spans)
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.StringArray.from_buffers(
        len(valid), pa.py_buffer(offsets), pa.py_buffer(text), bitmap, nulls
    )


def _points_from_scan(sc: trace_scan.Scan, data: bytes) -> _Points:
    """Point columns from the compiled scan (the fast path)."""
    num, row_at = sc.num, sc.row_at
    return _Points(
        dt=num[trace_scan.DT],
        lat=num[trace_scan.LAT].copy(),  # the table keeps these two as they are
        lon=num[trace_scan.LON].copy(),
        alt=num[trace_scan.ALT],
        ground=sc.ground,
        gs=num[trace_scan.GS],
        track=num[trace_scan.TRACK],
        flags=num[trace_scan.FLAGS],
        vrate=num[trace_scan.VRATE],
        alt_geom=num[trace_scan.ALT_GEOM],
        callsign=_span_strings(data, sc.flight),
        squawk=_span_strings(data, sc.squawk),
        excerpt=lambda i: orjson.dumps(orjson.loads(data[row_at[i, 0] : row_at[i, 1]])).decode()[
            :200
        ],
    )


def _repeat(text: str, n: int) -> pa.Array:
    """A string array of ``n`` times ``text``, built from its buffers."""
    raw = text.encode()
    offsets = np.arange(0, len(raw) * (n + 1), len(raw), dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(raw * n))


def _points_table(icao: str, base: float, p: _Points, ctx: ReadContext, location: str) -> pa.Table:
    flags_i = np.nan_to_num(p.flags, nan=0).astype(np.int64)
    geom_alt_flag = (flags_i & 8) != 0
    alt, alt_geom = p.alt, p.alt_geom
    if geom_alt_flag.any():
        alt_geom = np.where(geom_alt_flag & np.isnan(alt_geom), alt, alt_geom)
        alt_baro = np.where(geom_alt_flag, np.nan, alt)
    else:
        alt_baro = alt

    ok = valid_position_mask(p.lat, p.lon) & np.isfinite(p.dt)
    bad = np.flatnonzero(~ok)
    for i in bad[:50]:
        ctx.rejects.add("bad_position", f"{location} row {i}", p.excerpt(i))
    if len(bad) > 50:
        ctx.rejects.add(
            "bad_position", f"{location} rows", f"{len(bad) - 50} more", n=len(bad) - 50
        )
    n = len(p.dt)
    table = positions_table(
        {
            "ts": epoch_to_ts(base + np.nan_to_num(p.dt)),
            "icao24": _repeat(icao, n),
            "callsign": p.callsign,
            "lat_deg": p.lat,
            "lon_deg": p.lon,
            "alt_baro_ft": pa.array(alt_baro, pa.float64(), from_pandas=True).cast(
                pa.int32(), safe=False
            ),
            "alt_geom_ft": pa.array(alt_geom, pa.float64(), from_pandas=True).cast(
                pa.int32(), safe=False
            ),
            "on_ground": p.ground,
            "gs_kt": pa.array(p.gs, pa.float64(), from_pandas=True),
            "track_deg": pa.array(p.track, pa.float64(), from_pandas=True),
            "vrate_fpm": pa.array(p.vrate, pa.float64(), from_pandas=True).cast(
                pa.int32(), safe=False
            ),
            "squawk": p.squawk,
            "new_leg": (flags_i & 2) != 0,
        },
        n,
    )
    return table.filter(pa.array(ok)) if len(bad) else table


def trace_to_table(doc: dict, ctx: ReadContext, location: str) -> pa.Table | None:
    """A parsed trace document → positions (the general path, for any JSON)."""
    header = _trace_header(doc, ctx, location)
    if header is None:
        return None
    points = _points_from_rows(doc["trace"], ctx, location)
    if points is None:
        return None
    table = _points_table(*header, points, ctx, location)
    _observe(doc, header[0], ctx, location)
    return table


def scanned_trace_to_table(
    data: bytes, ctx: ReadContext, location: str
) -> tuple[bool, pa.Table | None]:
    """The fast path: (accepted, table). Not accepted means: use ``trace_to_table``."""
    sc = trace_scan.scan_trace(data)
    if sc is None:
        return False, None
    try:  # the document without its trace rows: icao, timestamp, registration, ...
        doc = orjson.loads(b"".join((data[: sc.start], b"[]", data[sc.end :])))
    except orjson.JSONDecodeError:
        return False, None
    if not isinstance(doc, dict) or doc.get("trace") != []:
        return False, None
    header = _trace_header(doc, ctx, location)
    if header is None or sc.n == 0:
        return True, None
    table = _scanned_table(*header, sc, data)
    if table is None:  # rows to reject, or values to cast as numpy does: the numpy path
        table = _points_table(*header, _points_from_scan(sc, data), ctx, location)
    _observe(doc, header[0], ctx, location)
    return True, table


def _nullable(values: np.ndarray, ok: np.ndarray, nulls: int) -> pa.Array:
    return pa.array(values, mask=~ok) if nulls else pa.array(values)


def _scanned_table(icao: str, base: float, sc: trace_scan.Scan, data: bytes) -> pa.Table | None:
    """The table of a scan whose rows are all valid, built from columns already in their
    stored types (the numpy path's result, in a few array builds instead of dozens)."""
    cols = trace_scan.typed_columns(sc, base)
    if cols is None:
        return None
    ts, ints, int_ok, floats, float_ok, new_leg, nulls = cols
    n = sc.n
    arrays = [
        pa.array(ts).view(schema.UTC_US),
        _repeat(icao, n),
        _span_strings(data, sc.flight),
        pa.array(sc.num[trace_scan.LAT].copy()),  # copied: a view keeps the scan's capacity
        pa.array(sc.num[trace_scan.LON].copy()),
        _nullable(ints[0], int_ok[0], nulls[0]),
        _nullable(ints[1], int_ok[1], nulls[1]),
        pa.array(sc.ground),
        _nullable(floats[0], float_ok[0], nulls[3]),
        _nullable(floats[1], float_ok[1], nulls[4]),
        _nullable(ints[2], int_ok[2], nulls[2]),
        _nullable(*trace_scan.span_squawk_codes(data, sc.squawk)),
        pa.array(new_leg),
    ]
    return pa.Table.from_arrays(arrays, schema=schema.READER_POSITIONS)


_TEXT_FIELDS = (("r", "registration"), ("t", "type_code"), ("desc", "description"))
_TEXT_FIELDS += (("ownOp", "operator"), ("year", "year"))


def _observe(doc: dict, icao: str, ctx: ReadContext, location: str = "") -> None:
    """The aircraft's identity (registration, type, flags, ...) as the source gives it; a
    field of the wrong type rejects the identity row (``bad_aircraft_info``), not the file."""
    if not (doc.get("r") or doc.get("t") or doc.get("dbFlags")):
        return
    row: dict = {"icao24": icao}
    for theirs, ours in _TEXT_FIELDS:
        value = doc.get(theirs)
        if theirs == "year" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            ctx.rejects.add(
                "bad_aircraft_info", f"{location} {icao} {theirs}", salvage.excerpt(value)
            )
            return
        row[ours] = value
    flags = doc.get("dbFlags")
    ok = isinstance(flags, int) and not isinstance(flags, bool) and 0 <= flags < 2**31
    row["db_flags"] = flags if ok else None
    ctx.aircraft.append(row)


def _whole(raw: bytes) -> bytes | None:
    """In-memory content, gunzipped if it is one whole gzip member; None for anything else
    (the streamed path then reports what is wrong); ``InflateLimit`` past the cap."""
    if raw[:2] != b"\x1f\x8b":
        return raw
    limit = max_inflate()
    try:
        d = _zlib.decompressobj(31)
        data = d.decompress(raw, limit + 1)
    except _zlib.error:
        return None
    if len(data) > limit:
        raise InflateLimit(limit)
    return data if d.eof and not d.unused_data else None


def trace_bytes_to_table(
    data: bytes, ctx: ReadContext, location: str, fast: bool = True
) -> pa.Table | None:
    """The (decompressed) bytes of a trace file → positions: compiled scan, else orjson."""
    accepted, table = scanned_trace_to_table(data, ctx, location) if fast else (False, None)
    if not accepted:
        doc = _load_json(data, ctx, location, "trace")
        table = None if doc is None else trace_to_table(doc, ctx, location)
    return table


def read_trace_full(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    """One readsb ``trace_full`` / ``trace_recent`` file (gzip content or not)."""
    try:
        data = _whole(src.data) if src.data is not None else None
    except InflateLimit as exc:
        ctx.truncated("over_inflate_cap", src.uri, str(exc))
        return
    if data is not None:
        ctx.progress(len(src.data))
    else:  # streamed: a cut or damaged gzip is reported, what it held is kept
        data = read_whole(src, ctx)
    data = _not_empty(data, ctx, src.uri)
    if data is None:
        return
    table = trace_bytes_to_table(data, ctx, src.uri)
    if table is not None and table.num_rows:
        yield table


def _not_empty(data: bytes | None, ctx: ReadContext, uri: str) -> bytes | None:
    """The content, or None when there is none (unreadable, or blank: ``empty_file``)."""
    if data is not None and not data.strip():
        ctx.rejects.add("empty_file", uri)
        return None
    return data


def _batched(tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
    pending: list[pa.Table] = []
    rows = 0
    for t in tables:
        pending.append(t)
        rows += t.num_rows
        if rows >= BATCH_ROWS:
            yield pa.concat_tables(pending)
            pending, rows = [], 0
    if pending:
        yield pa.concat_tables(pending)


def read_globe_history_tar(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    """A globe_history day packed as .tar (or .tar.gz, .tar.bz2, .tar.xz): every trace file
    in it that can be read, past damaged headers and up to where the archive is cut."""

    def members() -> Iterator[pa.Table]:
        progress = ctx.progress  # the archive's bytes are counted as they are read
        for m in archive.tar_members(archive.archive_chunks(src, ctx), ctx, src.uri):
            name = m.name.rsplit("/", 1)[-1]
            # a damaged header's name may be wrong: its content is read all the same
            if not name.startswith("trace_") and not m.damaged:
                ctx.counters["tar_other_member"] += 1
                continue
            ctx.progress = lambda n: None
            try:
                yield from read_trace_full(Source(uri=f"{src.uri}!{m.name}", data=m.data), ctx)
            finally:
                ctx.progress = progress

    yield from _batched(members())


# --- aircraft.json snapshots ---------------------------------------------------------------

# Numeric fields of a snapshot's aircraft, under the names readsb and dump1090-fa 4+ use first,
# then those of dump1090-mutability and dump1090-fa 3.x (``aircraft.json``, ``history_N.json``):
# ``altitude`` (ft or "ground"), ``speed`` (kt), ``vert_rate`` (ft/min).
_SNAPSHOT_NUMBERS = {
    "alt_baro": ("alt_baro", "altitude"),
    "alt_geom": ("alt_geom",),
    "gs": ("gs", "speed"),
    "track": ("track",),
    "baro_rate": ("baro_rate", "vert_rate"),
    "geom_rate": ("geom_rate",),
    "seen_pos": ("seen_pos",),
}


def _text(v: object) -> str | None:
    return v.strip() or None if isinstance(v, str) else None


def _snapshot_numbers(
    recs: list[dict], hexes: list[str], keys: tuple[str, ...], ctx: ReadContext, uri: str
) -> tuple[np.ndarray, np.ndarray]:
    """(values, on ground) of one numeric field: the first of ``keys`` each aircraft has. A
    value that is there but is not a number (nor "ground" for an altitude) is a counted
    ``bad_value`` reject, and the row keeps its other fields."""
    out = np.full(len(recs), np.nan)
    ground = np.zeros(len(recs), dtype=bool)
    for i, a in enumerate(recs):
        for key in keys:
            v = a.get(key)
            if v is None:
                continue
            if isinstance(v, int | float) and not isinstance(v, bool):
                out[i] = v
            elif v == "ground" and key in ("alt_baro", "altitude"):
                ground[i] = True
            else:
                ctx.rejects.add("bad_value", f"{uri} hex {hexes[i]} {key}", repr(v))
            break
    return out, ground


def read_aircraft_json(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    """A readsb / dump1090 ``aircraft.json`` (or ``history_N.json``) snapshot: one row per
    aircraft with a position, the time being ``now − seen_pos``."""
    data = _not_empty(read_whole(src, ctx), ctx, src.uri)
    if data is None:
        return
    doc = _load_json(data, ctx, src.uri, "aircraft")
    if doc is None:
        return
    now = doc.get("now")
    aircraft = doc.get("aircraft")
    if (
        not isinstance(now, int | float)
        or isinstance(now, bool)
        or not np.isfinite(float(now) if abs(now) < 1e300 else np.inf)
        or not isinstance(aircraft, list)
    ):
        ctx.rejects.add("bad_snapshot", src.uri, "missing now or aircraft")
        return
    recs: list[dict] = []
    for a in aircraft:
        if not isinstance(a, dict):
            ctx.rejects.add("bad_json", src.uri, salvage.excerpt(a))
            continue
        hexid = a.get("hex", "")
        hexid = hexid.lower() if isinstance(hexid, str) else salvage.excerpt(hexid)
        if not _ICAO_RE.match(hexid):
            ctx.rejects.add(
                "non_icao_address" if hexid.startswith("~") else "bad_icao24", src.uri, hexid
            )
            continue
        if a.get("lat") is None or a.get("lon") is None or a.get("validposition") == 0:
            ctx.counters["no_position"] += 1
            continue
        recs.append(a)
        if a.get("r") or a.get("t") or a.get("dbFlags"):
            _observe(
                {
                    "r": a.get("r"),
                    "t": a.get("t"),
                    "dbFlags": a.get("dbFlags"),
                    "desc": a.get("desc"),
                    "ownOp": a.get("ownOp"),
                    "year": a.get("year"),
                },
                hexid,
                ctx,
                src.uri,
            )
    if not recs:
        return
    hexes = [str(a["hex"]).lower() for a in recs]
    num = {
        col: _snapshot_numbers(recs, hexes, keys, ctx, src.uri)
        for col, keys in _SNAPSHOT_NUMBERS.items()
    }
    alt_baro, ground = num["alt_baro"]
    lat = _num(tuple(a.get("lat") for a in recs))  # not numbers: rejected as bad_position
    lon = _num(tuple(a.get("lon") for a in recs))
    seen_pos = np.nan_to_num(num["seen_pos"][0], nan=0.0)
    vrate = num["baro_rate"][0]
    vrate = np.where(np.isnan(vrate), num["geom_rate"][0], vrate)
    ok = valid_position_mask(lat, lon)
    for i in np.flatnonzero(~ok):
        ctx.rejects.add("bad_position", f"{src.uri} hex {hexes[i]}", salvage.excerpt(recs[i]))
    table = positions_table(
        {
            "ts": epoch_to_ts(now - seen_pos),
            "icao24": hexes,
            "callsign": [_text(a.get("flight")) for a in recs],
            "lat_deg": lat,
            "lon_deg": lon,
            "alt_baro_ft": pa.array(alt_baro, pa.float64(), from_pandas=True),
            "alt_geom_ft": pa.array(num["alt_geom"][0], pa.float64(), from_pandas=True),
            "on_ground": ground,
            "gs_kt": pa.array(num["gs"][0], pa.float64(), from_pandas=True),
            "track_deg": pa.array(num["track"][0], pa.float64(), from_pandas=True),
            "vrate_fpm": pa.array(vrate, pa.float64(), from_pandas=True),
            "squawk": [s if isinstance(s, str) else None for s in (a.get("squawk") for a in recs)],
        },
        len(recs),
    )
    yield table.filter(pa.array(ok)) if not ok.all() else table
