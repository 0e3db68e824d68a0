"""SBS-1 / BaseStation CSV (port 30003): files and live feeds, all MSG transmission types.

One line per message, 22 comma-separated fields for ``MSG`` (0-based):
0 message type, 1 transmission type 1..8, 4 hex ident, 6 date generated (YYYY/MM/DD),
7 time generated (HH:MM:SS.fff), 10 callsign, 11 altitude ft, 12 ground speed kt,
13 track deg, 14 lat, 15 lon, 16 vertical rate ft/min, 17 squawk, 21 is-on-ground (0/-1).

Transmission types: 1 identification (callsign), 2 surface position, 3 airborne position,
4 airborne velocity, 5 surveillance altitude, 6 surveillance identity (squawk),
7 air-to-air, 8 all-call reply. Position rows come from types 2 and 3 (or any line that has a
position); the others feed one ``PositionAssembler``, which carries callsign, squawk and
velocity forward onto them. ``SEL``, ``ID``, ``AIR``, ``STA`` and ``CLK`` lines are counted and
skipped. The generated date and time are read as UTC.

The text-column helpers at the end are shared with the OpenSky CSV reader.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..ids import mix
from .base import ReadContext, Source, iter_lines, valid_position_mask
from .modes import DecodeParams, PositionAssembler, TimeSteps, messages_table

SBS_FIELDS = 22
OTHER_KINDS = ("SEL", "ID", "AIR", "STA", "CLK")
_TRANSMISSION_TYPES = [str(i) for i in range(1, 9)]

# reason codes, in the order they are checked (a line gets the first that applies)
_REASONS = ("bad_sbs_line", "non_icao_address", "no_date", "bad_number", "bad_position")


def read_sbs(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    assembler = PositionAssembler(ctx)
    steps = TimeSteps(ctx, DecodeParams().step_back_slack_s)
    lineno = 0
    records = 0
    for lines in iter_lines(src, ctx):
        rows: list[list[str]] = []
        raws: list[bytes] = []
        numbers: list[int] = []
        for line in lines:
            lineno += 1
            raw = line.strip()
            if not raw:
                continue
            records += 1
            text = raw.decode("utf-8", "replace")
            fields = text.split(",")
            kind = fields[0].strip()
            if kind != "MSG":
                if kind in OTHER_KINDS:
                    ctx.counters[f"sbs_{kind.lower()}"] += 1
                else:
                    ctx.rejects.add("bad_sbs_line", f"line {lineno}", text)
                continue
            if len(fields) != SBS_FIELDS:
                ctx.rejects.add("bad_sbs_line", f"line {lineno}", text)
                continue
            rows.append(fields)
            raws.append(raw)
            numbers.append(lineno)
        if not rows:
            continue
        msgs = _messages(rows, raws, numbers, ctx)
        if msgs is not None:
            yield from assembler.assemble_runs(msgs, steps)
            assembler.expire(steps.latest)
    if records == 0 and src.stream is None:
        ctx.rejects.add("empty_file", src.uri)


def line_keys(raws: list[bytes]) -> np.ndarray:
    """Stable id of each line: its bytes hashed (blake2b, 64 bits) and mixed.

    The same line read again, from the same file or an overlapping capture, gets the same key.
    """
    h = np.fromiter(
        (int.from_bytes(hashlib.blake2b(r, digest_size=8).digest(), "little") for r in raws),
        dtype=np.uint64,
        count=len(raws),
    )
    return mix(h)


def _messages(
    rows: list[list[str]], raws: list[bytes], numbers: list[int], ctx: ReadContext
) -> pa.Table | None:
    """Parse a chunk of 22-field MSG lines (vectorised); reject bad ones; a messages table."""
    n = len(rows)
    cols = list(zip(*rows, strict=True))

    def col(i: int) -> pa.Array:
        return pc.utf8_trim_whitespace(pa.array(cols[i], pa.string()))

    ttype = col(1)
    type_ok = _np(pc.is_in(ttype, value_set=pa.array(_TRANSMISSION_TYPES)))
    hexid = pc.utf8_lower(col(4))
    hex_ok = _np(pc.match_substring_regex(hexid, r"^[0-9a-f]{6}$"))
    tilde = _np(pc.starts_with(hexid, "~"))
    ts, date_ok = parse_date_time(col(6), col(7))

    num_bad = np.zeros(n, dtype=bool)
    values = {}
    for name, i in (("alt", 11), ("gs", 12), ("track", 13), ("lat", 14), ("lon", 15)):
        values[name], bad = parse_numbers(col(i))
        num_bad |= bad
    values["vrate"], bad = parse_numbers(col(16))
    num_bad |= bad
    num_bad |= np.abs(np.nan_to_num(values["alt"])) >= 2**31
    num_bad |= np.abs(np.nan_to_num(values["vrate"])) >= 2**31
    squawk, bad = parse_squawks(col(17))
    num_bad |= bad
    ground, bad = parse_flags(col(21), true=("-1", "1"), false=("0",))
    num_bad |= bad

    lat, lon = values["lat"], values["lon"]
    no_lat, no_lon = np.isnan(lat), np.isnan(lon)
    has_pos = ~no_lat & ~no_lon
    pos_bad = (no_lat != no_lon) | (has_pos & ~valid_position_mask(lat, lon))

    masks = {
        "bad_sbs_line": ~type_ok | (~hex_ok & ~tilde),
        "non_icao_address": ~hex_ok & tilde,
        "no_date": ~date_ok,
        "bad_number": num_bad,
        "bad_position": pos_bad,
    }
    rejected = np.zeros(n, dtype=bool)
    for reason in _REASONS:
        m = masks[reason] & ~rejected
        for i in np.flatnonzero(m).tolist():
            ctx.rejects.add(reason, f"line {numbers[i]}", ",".join(rows[i]))
        rejected |= m

    keep = ~rejected
    ttype_np = np.array(ttype.to_pylist(), dtype=object)
    positional = np.isin(ttype_np, ["2", "3"])
    no_position = int((keep & positional & no_lat & no_lon).sum())
    if no_position:
        ctx.counters["no_position"] += no_position
    if not keep.any():
        return None
    # a surface position (MSG,2) is on the ground even when the flag field is left empty
    ground = pc.if_else(
        pa.array(positional & (ttype_np == "2")), pc.fill_null(ground, True), ground
    )
    callsign = col(10)
    callsign = pc.if_else(pc.equal(callsign, ""), pa.nulls(n, pa.string()), callsign)
    sel = np.flatnonzero(keep)
    sel_pa = pa.array(sel)
    raws_kept = [raws[i] for i in sel.tolist()]
    return messages_table(
        ts[sel],
        line_keys(raws_kept),
        hexid.take(sel_pa),
        lat=lat[sel],
        lon=lon[sel],
        alt=values["alt"][sel],
        ground=ground.take(sel_pa),
        gs=values["gs"][sel],
        track=values["track"][sel],
        vrate=values["vrate"][sel],
        callsign=callsign.take(sel_pa),
        squawk=squawk.take(sel_pa),
    )


# --- text-column helpers (shared with opensky) ------------------------------------------------

_NUMBER_RE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_DATE_RE = r"^\d{4}[/-]\d{2}[/-]\d{2}$"
_TIME_RE = r"^\d{2}:\d{2}:\d{2}(\.\d+)?$"
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _np(arr: pa.Array | pa.ChunkedArray, null: bool = False) -> np.ndarray:
    """A boolean Arrow array as numpy, nulls as ``null``."""
    return np.asarray(pc.fill_null(arr, null).to_numpy(zero_copy_only=False), dtype=bool)


def _strings(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return pc.utf8_trim_whitespace(arr.cast(pa.string()))


def parse_numbers(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers from a column: float64 values (NaN where null or empty) and a bad-value mask.

    Text is trimmed; empty or null is missing, anything not a plain decimal number is bad.
    Typed numeric columns (Parquet) pass through; a NaN there is missing, an infinity is bad.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    t = arr.type
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t):
        # unsafe: an integer past 2**53 becomes the nearest double (checked for range later)
        # instead of an error for the whole batch
        vals = np.asarray(
            arr.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64
        )
        return vals, np.isinf(vals)
    s = _strings(arr)
    empty = _np(pc.equal(s, ""), null=True)
    ok = _np(pc.match_substring_regex(s, _NUMBER_RE))
    clean = pc.if_else(pa.array(ok), s, pa.nulls(len(s), pa.string()))
    vals = np.asarray(clean.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    return vals, ~empty & ~ok


def parse_flags(
    arr: pa.Array | pa.ChunkedArray,
    true: tuple[str, ...] = ("true", "1"),
    false: tuple[str, ...] = ("false", "0"),
) -> tuple[pa.Array, np.ndarray]:
    """Booleans from a column (text compared lowercased): values with nulls, bad-value mask."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_boolean(t):
        return arr, np.zeros(len(arr), dtype=bool)
    if pa.types.is_integer(t) or pa.types.is_floating(t):
        f = arr.cast(pa.float64(), safe=False)
        return pc.not_equal(f, 0.0), np.zeros(len(arr), dtype=bool)
    s = pc.utf8_lower(_strings(arr))
    is_true = _np(pc.is_in(s, value_set=pa.array(list(true))))
    is_false = _np(pc.is_in(s, value_set=pa.array(list(false))))
    empty = _np(pc.equal(s, ""), null=True)
    vals = pa.array(np.where(is_true | is_false, is_true, None), pa.bool_(), from_pandas=True)
    return vals, ~empty & ~is_true & ~is_false


def parse_squawks(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Mode A codes: up to 4 octal digits, zero-padded to 4; values with nulls, bad mask."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_floating(arr.type):  # a code stored as a float column (NaN for none)
        vals = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)
        whole = np.isfinite(vals) & (vals == np.round(vals)) & (vals >= 0)
        nan = np.isnan(vals)
        ints = pa.array(np.where(whole, vals, 0).astype(np.int64)).cast(pa.string())
        arr = pc.if_else(pa.array(whole), ints, pa.array(np.where(nan, None, "bad"), pa.string()))
    s = _strings(arr)
    empty = _np(pc.equal(s, ""), null=True)
    ok = _np(pc.match_substring_regex(s, r"^[0-7]{1,4}$"))
    vals = pc.if_else(pa.array(ok), pc.utf8_lpad(s, 4, "0"), pa.nulls(len(s), pa.string()))
    return vals, ~empty & ~ok


def parse_date_time(date: pa.Array, time: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``YYYY/MM/DD`` (or ``-``) and ``HH:MM:SS[.fff]`` text, as UTC → epoch seconds, ok mask."""
    d = _strings(date)
    t = _strings(time)
    ok = _np(pc.match_substring_regex(d, _DATE_RE)) & _np(pc.match_substring_regex(t, _TIME_RE))
    okp = pa.array(ok)
    d = pc.if_else(okp, d, "1970/01/01")
    t = pc.if_else(okp, t, "00:00:00")

    def part(s: pa.Array, start: int, stop: int | None, type_: pa.DataType) -> np.ndarray:
        return pc.utf8_slice_codeunits(s, start, stop).cast(type_).to_numpy(zero_copy_only=False)

    y = part(d, 0, 4, pa.int64())
    mo = part(d, 5, 7, pa.int64())
    dd = part(d, 8, 10, pa.int64())
    hh = part(t, 0, 2, pa.int64())
    mi = part(t, 3, 5, pa.int64())
    ss = part(t, 6, None, pa.float64())
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    month_ok = (mo >= 1) & (mo <= 12)
    dim = _DAYS_IN_MONTH[np.where(month_ok, mo, 1)] + (leap & (mo == 2))
    ok &= (y >= 1970) & month_ok & (dd >= 1) & (dd <= dim) & (hh < 24) & (mi < 60) & (ss < 61)
    seconds = _days_from_civil(y, mo, dd) * 86400.0 + hh * 3600.0 + mi * 60.0 + ss
    return np.where(ok, seconds, np.nan), ok


def _days_from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of proleptic Gregorian dates (vectorised)."""
    y = y - (m <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468
