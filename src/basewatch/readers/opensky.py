"""OpenSky Network state vectors, CSV or Parquet, in either column set:

REST (``/states/all``): icao24, callsign, origin_country, time_position, last_contact,
longitude, latitude, baro_altitude, on_ground, velocity, true_track, vertical_rate, sensors,
geo_altitude, squawk, spi, position_source.

History (Impala ``state_vectors_data4`` and the published daily files): time, icao24, lat,
lon, velocity, heading, vertrate, callsign, onground, alert, spi, squawk, baroaltitude,
geoaltitude, lastposupdate, lastcontact, hour.

The set is told from the header. Altitudes are metres, speeds m/s, vertical rates m/s; they
are converted to feet, knots and ft/min. A row's time is that of its position: time_position
(REST), lastposupdate or else time (history). Rows without a position are counted, not kept.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import logging
import sys
import zlib
from collections.abc import Callable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from .base import (
    BATCH_ROWS,
    CHUNK_BYTES,
    InflateLimit,
    ReadContext,
    Source,
    epoch_to_ts,
    iter_lines,
    positions_table,
    valid_position_mask,
)
from .sbs import parse_flags, parse_numbers, parse_squawks

log = logging.getLogger(__name__)

FT_PER_M = 3.28084
KT_PER_MS = 1.943844
FPM_PER_MS = 196.850394

# our name → column name, per set; a set is recognised when all its required columns are there
COLUMN_SETS: dict[str, dict[str, str]] = {
    "rest": {
        "icao24": "icao24",
        "callsign": "callsign",
        "time": "time_position",
        "lat": "latitude",
        "lon": "longitude",
        "alt": "baro_altitude",
        "alt_geom": "geo_altitude",
        "ground": "on_ground",
        "speed": "velocity",
        "track": "true_track",
        "vrate": "vertical_rate",
        "squawk": "squawk",
    },
    "history": {
        "icao24": "icao24",
        "callsign": "callsign",
        "time": "time",
        "time_pos": "lastposupdate",
        "lat": "lat",
        "lon": "lon",
        "alt": "baroaltitude",
        "alt_geom": "geoaltitude",
        "ground": "onground",
        "speed": "velocity",
        "track": "heading",
        "vrate": "vertrate",
        "squawk": "squawk",
    },
}
REQUIRED = {
    "rest": ("icao24", "time_position", "latitude", "longitude"),
    "history": ("icao24", "lat", "lon"),  # and time or lastposupdate
}


def column_set(names: list[str]) -> str | None:
    """Which column set a header (names lowercased and trimmed) is, or None."""
    have = set(names)
    for kind in ("rest", "history"):
        if all(c in have for c in REQUIRED[kind]):
            if kind == "history" and not ({"time", "lastposupdate"} & have):
                continue
            return kind
    return None


def _norm(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


# --- CSV --------------------------------------------------------------------------------------


def read_opensky_csv(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    fh = src.open()
    raw = fh.fileobj if isinstance(fh, gzip.GzipFile) else fh  # type: ignore[attr-defined]
    try:
        yield from _read_csv(fh, raw, src, ctx)
    finally:
        fh.close()
        if raw is not fh:
            raw.close()


def _read_csv(fh, raw, src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    header_line = 0
    header = b""
    try:
        while not header.strip():
            header = fh.readline()
            header_line += 1
            if not header:
                ctx.rejects.add("empty_file", src.uri)
                return
    except (EOFError, OSError, zlib.error) as exc:
        _cut(ctx, exc, "line 1")
        return
    text = header.decode("utf-8", "replace")
    try:
        names = [_norm(c) for c in next(csv.reader([text]))]
    except (csv.Error, StopIteration):
        names = []
    kind = column_set(names)
    if kind is None:
        ctx.rejects.add("bad_csv_header", f"line {header_line}", text.strip())
        return

    # data-line numbers of rows the CSV parser dropped (ascending) and not yet passed; the
    # parser may run a block ahead of the batches, so a batch's rows are placed between them
    skipped: list[int] = []

    def on_invalid(row) -> str:
        if "\n" in row.text:
            # a stray quote: the parser took the rest of its block for one value. Stop the
            # block parser; the salvage path reads those lines one by one (fuzz case 39106)
            return "error"
        where = f"line {row.number + header_line}" if row.number is not None else "line ?"
        if row.number is not None:
            skipped.append(row.number)
        ctx.rejects.add("bad_csv_line", where, row.text)
        return "skip"

    try:
        with _quiet_row_text():
            reader = pcsv.open_csv(fh, **_csv_options(names, on_invalid))
    except pa.ArrowInvalid as exc:
        if "Empty CSV" in str(exc):
            return  # a header and nothing else
        yield from _salvage_csv(src, ctx, names, kind, header_line, 0, str(exc), set(skipped))
        return
    except (
        EOFError,
        OSError,
        zlib.error,
    ) as exc:  # a cut gzip: the lines before the cut, one by one
        if _over_cap(exc):
            _cut(ctx, exc, f"line {header_line + 1}")
        else:
            yield from _salvage_csv(src, ctx, names, kind, header_line, 0, str(exc))
        return

    done = 0  # rows delivered so far (blank lines included)
    passed = 0  # dropped lines before the next row to come
    last = 0
    while True:
        try:
            with _quiet_row_text():
                batch = reader.read_next_batch()
        except StopIteration:
            break
        except (pa.ArrowInvalid, EOFError, OSError, zlib.error) as exc:
            # a cut gzip, or a line the parser cannot hold: line by line from here
            if _over_cap(exc):
                _cut(ctx, exc, f"after line {done + passed + header_line}")
            else:
                yield from _salvage_csv(
                    src, ctx, names, kind, header_line, done + passed, str(exc), set(skipped)
                )
            break
        n = batch.num_rows
        # the data-line number of each row: its index, shifted past every dropped line
        lines = np.arange(done + 1, done + n + 1, dtype=np.int64) + passed
        for s in skipped:
            lines[lines >= s] += 1
        done += n
        if n:
            behind = [s for s in skipped if s <= lines[-1]]
            passed += len(behind)
            del skipped[: len(behind)]
        pos = raw.tell() if hasattr(raw, "tell") else last
        ctx.progress(pos - last)
        last = pos
        table = _batch_table(batch, lines + header_line, kind, ctx)
        if table is not None and table.num_rows:
            yield table


@contextlib.contextmanager
def _quiet_row_text() -> Iterator[None]:
    """pyarrow turns a bad row into text before it calls the invalid-row handler; a row that
    also holds invalid UTF-8 fails there, Python prints "Exception ignored" with a traceback,
    and the read stops with ArrowInvalid (which the salvage path takes over). That print is
    logged instead."""
    previous = sys.unraisablehook

    def hook(unraisable) -> None:
        if isinstance(unraisable.exc_value, UnicodeDecodeError):
            log.debug("CSV row with invalid UTF-8: %s", unraisable.exc_value)
        else:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _over_cap(exc: BaseException) -> bool:
    return isinstance(exc, InflateLimit) or "inflates to more than" in str(exc)


def _cut(ctx: ReadContext, exc: BaseException, where: str) -> None:
    if _over_cap(exc):
        ctx.truncated("over_inflate_cap", where, str(exc))
    else:
        ctx.truncated("truncated_gzip", where, str(exc))


def _csv_options(names: list[str], on_invalid) -> dict:
    return {
        "read_options": pcsv.ReadOptions(
            column_names=names, use_threads=False, block_size=CHUNK_BYTES
        ),
        "parse_options": pcsv.ParseOptions(
            invalid_row_handler=on_invalid, ignore_empty_lines=False
        ),
        # bytes, not text: one invalid UTF-8 byte would fail the whole block as text;
        # ``_text_columns`` rejects the line it is on instead
        "convert_options": pcsv.ConvertOptions(
            column_types={c: pa.binary() for c in names}, strings_can_be_null=False
        ),
    }


def _batch_table(
    batch: pa.RecordBatch, lines_h: np.ndarray, kind: str, ctx: ReadContext
) -> pa.Table | None:
    """One batch of CSV rows (bytes) and their line numbers → positions; rejects the rest."""
    n = batch.num_rows
    if n == 0:
        return None
    cols, broken = _text_columns(batch)
    for i in np.flatnonzero(broken).tolist():
        ctx.rejects.add(
            "bad_encoding",
            f"line {lines_h[i]}",
            b",".join(c[i].as_py() or b"" for c in batch.columns).decode("utf-8", "replace"),
        )
    blank = np.ones(n, dtype=bool)
    for c in cols.values():
        blank &= np.asarray(pc.equal(c, "").to_numpy(zero_copy_only=False), dtype=bool)
    if blank.all():
        return None

    def excerpt(i: int, cols=cols) -> str:
        return ",".join(str(c[i].as_py()) for c in cols.values())

    return convert(
        {k: cols.get(v) for k, v in COLUMN_SETS[kind].items()},
        n,
        ctx,
        location=lambda i: f"line {lines_h[i]}",
        excerpt=excerpt,
        skip=blank | broken,
    )


MAX_LINE = 64 << 10  # a state vector is about 200 bytes; a longer line is damage


def _salvage_csv(
    src: Source,
    ctx: ReadContext,
    names: list[str],
    kind: str,
    header_line: int,
    skip: int,
    error: str,
    rejected: set[int] = frozenset(),  # type: ignore[assignment]
) -> Iterator[pa.Table]:
    """The salvage path, where the block parser gave up (a line longer than its block, a
    cut gzip, a line it cannot show): the lines after the first ``skip`` data lines, read in
    batches of their own. A line too long to be a record or with a quote left open
    (``bad_csv_line``) or with invalid UTF-8 (``bad_encoding``) is rejected before the parser
    sees it; the data lines in ``rejected`` were rejected already."""
    log.info("%s: CSV read line by line after line %d (%s)", src.uri, header_line + skip, error)
    lineno = 0
    pending: list[tuple[int, bytes]] = []
    for block in iter_lines(src, ctx):
        for line in block:
            lineno += 1
            if lineno <= header_line + skip or lineno - header_line in rejected:
                continue
            # too long to be a record, or a quote left open (it would run on over the lines
            # after it: no value of a state vector holds a newline)
            reason = "bad_csv_line" if len(line) > MAX_LINE or line.count(b'"') % 2 else None
            if reason is None and not _utf8(line):
                reason = "bad_encoding"
            if reason is not None:
                ctx.rejects.add(reason, f"line {lineno}", line[:200].decode("utf-8", "replace"))
                continue
            pending.append((lineno, line))
            if len(pending) >= BATCH_ROWS:
                yield from _parse_lines(pending, names, kind, ctx)
                pending = []
    if pending:
        yield from _parse_lines(pending, names, kind, ctx)


def _parse_lines(
    pending: list[tuple[int, bytes]], names: list[str], kind: str, ctx: ReadContext
) -> Iterator[pa.Table]:
    numbers = np.array([n for n, _ in pending], dtype=np.int64)
    dropped: list[int] = []

    def on_invalid(row) -> str:
        at = numbers[row.number - 1] if row.number is not None else "?"
        if row.number is not None:
            dropped.append(row.number - 1)
        ctx.rejects.add("bad_csv_line", f"line {at}", row.text)
        return "skip"

    data = b"\n".join(line.replace(b"\r", b"") for _, line in pending) + b"\n"
    try:
        with _quiet_row_text():
            table = pcsv.read_csv(io.BytesIO(data), **_csv_options(names, on_invalid))
    except pa.ArrowInvalid as exc:  # not met so far: halves, down to the line at fault
        if len(pending) == 1:
            ctx.rejects.add("bad_csv_line", f"line {numbers[0]}", str(exc))
            return
        half = len(pending) // 2
        yield from _parse_lines(pending[:half], names, kind, ctx)
        yield from _parse_lines(pending[half:], names, kind, ctx)
        return
    keep = np.ones(len(numbers), dtype=bool)
    keep[dropped] = False
    lines_h = numbers[keep]
    for batch in table.to_batches():
        out = _batch_table(batch, lines_h[: batch.num_rows], kind, ctx)
        lines_h = lines_h[batch.num_rows :]
        if out is not None and out.num_rows:
            yield out


def _text_columns(batch: pa.RecordBatch) -> tuple[dict[str, pa.Array], np.ndarray]:
    """The batch's byte columns as text, and the rows holding invalid UTF-8 (emptied)."""
    cols: dict[str, pa.Array] = {}
    broken = np.zeros(batch.num_rows, dtype=bool)
    for name, col in zip(batch.schema.names, batch.columns, strict=True):
        try:
            cols[name] = col.cast(pa.string())
            continue
        except pa.ArrowInvalid:
            pass
        ok = np.array([_utf8(v) for v in col.to_pylist()], dtype=bool)
        broken |= ~ok
        cols[name] = pc.if_else(pa.array(ok), col, pa.scalar(b"", pa.binary())).cast(pa.string())
    return cols, broken


def _valid_text(cols: dict[str, pa.Array], n: int) -> tuple[dict[str, pa.Array], np.ndarray]:
    """Parquet text columns checked for UTF-8 (a damaged page can hold bytes that are not):
    the rows with invalid text, emptied, and their mask."""
    broken = np.zeros(n, dtype=bool)
    out = dict(cols)
    for name, col in cols.items():
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        try:
            col.validate(full=True)
            continue
        except pa.ArrowInvalid:
            pass
        raw = col.cast(pa.binary() if pa.types.is_string(col.type) else pa.large_binary())
        ok = np.array([_utf8(v) for v in raw.to_pylist()], dtype=bool)
        broken |= ~ok
        out[name] = pc.if_else(pa.array(ok), raw, pa.scalar(b"", raw.type)).cast(col.type)
    return out, broken


def _utf8(value: bytes | None) -> bool:
    try:
        if value is not None:
            value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- Parquet ----------------------------------------------------------------------------------


def read_opensky_parquet(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    if not src.head(4):
        ctx.rejects.add("empty_file", src.uri)
        return
    fh = src.open()
    try:
        yield from _read_parquet(fh, src, ctx)
    finally:
        fh.close()


# what damaged Parquet gives: pyarrow's own errors, and errors of the Python decoding its
# metadata (a column name that is not UTF-8 raises UnicodeDecodeError, a ValueError)
_PARQUET_ERRORS = (pa.ArrowException, OSError, EOFError, zlib.error, ValueError)


def _read_parquet(fh, src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    try:
        pf = pq.ParquetFile(fh)
        names = pf.schema_arrow.names
    except _PARQUET_ERRORS as exc:
        ctx.rejects.add("bad_parquet", src.uri, str(exc))
        return
    original = {_norm(name): name for name in names}
    kind = column_set(list(original))
    if kind is None:
        ctx.rejects.add("bad_parquet_columns", src.uri, ",".join(names))
        return
    mapping = {k: original[v] for k, v in COLUMN_SETS[kind].items() if v in original}
    wanted = sorted(set(mapping.values()))
    done = 0
    last = 0
    batches = pf.iter_batches(batch_size=BATCH_ROWS, columns=wanted)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except _PARQUET_ERRORS as exc:
            ctx.truncated("bad_parquet", f"after row {done}", str(exc))
            break
        n = batch.num_rows
        start = done
        done += n
        if hasattr(fh, "tell"):
            pos = fh.tell()
            ctx.progress(max(pos - last, 0))
            last = pos
        if n == 0:
            continue

        def excerpt(i: int, batch=batch) -> str:
            return str(batch.slice(i, 1).to_pylist()[0])

        cols, broken = _valid_text({k: batch.column(v) for k, v in mapping.items()}, n)
        for i in np.flatnonzero(broken).tolist():
            ctx.rejects.add("bad_encoding", f"row {start + i}", "text that is not UTF-8")
        table = convert(
            cols,
            n,
            ctx,
            location=lambda i, start=start: f"row {start + i}",
            excerpt=excerpt,
            skip=broken,
        )
        if table is not None and table.num_rows:
            yield table


# --- the shared conversion --------------------------------------------------------------------


def _epoch_seconds(arr: pa.Array | pa.ChunkedArray | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Epoch seconds from a text, numeric or timestamp column; NaN where missing; bad mask."""
    if arr is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_timestamp(arr.type):
        us = arr.cast(pa.timestamp("us", tz=arr.type.tz), safe=False).cast(pa.int64(), safe=False)
        vals = np.asarray(us.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)) / 1e6
        return vals, np.zeros(n, dtype=bool)
    return parse_numbers(arr)


def convert(
    cols: dict[str, pa.Array | pa.ChunkedArray | None],
    n: int,
    ctx: ReadContext,
    location: Callable[[int], str],
    excerpt: Callable[[int], str],
    skip: np.ndarray | None = None,
) -> pa.Table | None:
    """State-vector columns (our names; text or typed) → a positions table; rejects bad rows."""

    def num(name: str) -> tuple[np.ndarray, np.ndarray]:
        arr = cols.get(name)
        if arr is None:
            return np.full(n, np.nan), np.zeros(n, dtype=bool)
        return parse_numbers(arr)

    icao_raw = cols["icao24"]
    icao = pc.utf8_lower(
        pc.utf8_trim_whitespace(
            (icao_raw.combine_chunks() if isinstance(icao_raw, pa.ChunkedArray) else icao_raw).cast(
                pa.string()
            )
        )
    )
    icao_ok = np.asarray(
        pc.fill_null(pc.match_substring_regex(icao, r"^[0-9a-f]{6}$"), False).to_numpy(
            zero_copy_only=False
        ),
        dtype=bool,
    )
    bad = np.zeros(n, dtype=bool)
    t, b = _epoch_seconds(cols.get("time"), n)
    bad |= b
    if "time_pos" in cols:
        tp, b = _epoch_seconds(cols.get("time_pos"), n)
        bad |= b
        t = np.where(np.isnan(tp), t, tp)
    values = {}
    for name in ("lat", "lon", "alt", "alt_geom", "speed", "track", "vrate"):
        values[name], b = num(name)
        bad |= b
    alt_ft = values["alt"] * FT_PER_M
    alt_geom_ft = values["alt_geom"] * FT_PER_M
    vrate_fpm = values["vrate"] * FPM_PER_MS
    for v in (alt_ft, alt_geom_ft, vrate_fpm):
        bad |= np.abs(np.nan_to_num(v)) >= 2**31
    if cols.get("ground") is not None:
        ground, b = parse_flags(cols["ground"])
        bad |= b
    else:
        ground = pa.nulls(n, pa.bool_())
    if cols.get("squawk") is not None:
        squawk, b = parse_squawks(cols["squawk"])
        bad |= b
    else:
        squawk = pa.nulls(n, pa.string())

    lat, lon = values["lat"], values["lon"]
    no_pos = np.isnan(lat) & np.isnan(lon)
    skip = np.zeros(n, dtype=bool) if skip is None else skip
    masks = {
        "bad_icao24": ~icao_ok,
        "bad_number": bad,
        "no_position": no_pos,
        "no_time": ~np.isfinite(t),
        "bad_position": ~valid_position_mask(lat, lon),
    }
    rejected = skip.copy()
    for reason in ("bad_icao24", "bad_number", "no_position", "no_time", "bad_position"):
        m = masks[reason] & ~rejected
        if reason == "no_position":
            if m.any():
                ctx.counters["no_position"] += int(m.sum())
        else:
            for i in np.flatnonzero(m).tolist():
                ctx.rejects.add(reason, location(i), excerpt(i))
        rejected |= m
    keep = ~rejected
    if not keep.any():
        return None

    callsign = cols.get("callsign")
    if callsign is not None:
        cs = callsign.combine_chunks() if isinstance(callsign, pa.ChunkedArray) else callsign
        cs = pc.utf8_trim_whitespace(cs.cast(pa.string()))
        cs = pc.if_else(pc.equal(cs, ""), pa.nulls(n, pa.string()), cs)
    else:
        cs = pa.nulls(n, pa.string())

    sel = np.flatnonzero(keep)
    sel_pa = pa.array(sel)

    def f64(v: np.ndarray) -> pa.Array:
        return pa.array(v[sel], pa.float64(), from_pandas=True)

    return positions_table(
        {
            "ts": epoch_to_ts(t[sel]),
            "icao24": icao.take(sel_pa),
            "callsign": cs.take(sel_pa),
            "lat_deg": lat[sel],
            "lon_deg": lon[sel],
            "alt_baro_ft": f64(alt_ft),
            "alt_geom_ft": f64(alt_geom_ft),
            "on_ground": ground.take(sel_pa),
            "gs_kt": f64(values["speed"] * KT_PER_MS),
            "track_deg": f64(values["track"]),
            "vrate_fpm": f64(vrate_fpm),
            "squawk": squawk.take(sel_pa),
        },
        len(sel),
    )
