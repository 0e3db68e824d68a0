"""Decoded trajectories as the ``traffic`` library writes them: JSON (an array of records or
one record per line, plain or gzip), with its column names and units (feet, knots, ft/min):

    timestamp, icao24, callsign, latitude, longitude, altitude, geoaltitude, groundspeed,
    track, vertical_rate, onground, squawk

``timestamp`` is epoch milliseconds (pandas' JSON default), epoch seconds or an ISO 8601 time.
The file is read by DuckDB's JSON reader in batches, so memory stays bounded. Rows without a
position are counted (``no_position``), not kept; rows without a time or an address are
rejected.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from . import salvage
from .base import (
    BATCH_ROWS,
    ReadContext,
    Source,
    iter_bytes,
    positions_table,
    valid_position_mask,
)

# our column → traffic's column (those after the first six are optional)
COLUMNS = {
    "ts": "timestamp",
    "icao24": "icao24",
    "lat_deg": "latitude",
    "lon_deg": "longitude",
    "alt_baro_ft": "altitude",
    "callsign": "callsign",
    "alt_geom_ft": "geoaltitude",
    "gs_kt": "groundspeed",
    "track_deg": "track",
    "vrate_fpm": "vertical_rate",
    "on_ground": "onground",
    "squawk": "squawk",
}
REQUIRED = ("timestamp", "icao24", "latitude", "longitude")


# columns read as numbers, booleans or text whatever JSON gave: a bad value becomes null (and
# the row is rejected or the field left empty), never an error for the whole file
_TYPED = {
    "lat_deg": "DOUBLE",
    "lon_deg": "DOUBLE",
    "alt_baro_ft": "INTEGER",
    "alt_geom_ft": "INTEGER",
    "gs_kt": "DOUBLE",
    "track_deg": "DOUBLE",
    "vrate_fpm": "INTEGER",
    "on_ground": "BOOLEAN",
    "icao24": "VARCHAR",
    "callsign": "VARCHAR",
    "squawk": "VARCHAR",
}


def _time_sql() -> str:
    """Epoch milliseconds, epoch seconds (numbers or numeric text) or ISO 8601 text; times
    outside 1990–2100 are no time at all."""
    num = "try_cast(timestamp AS DOUBLE)"
    t = (
        f"CASE WHEN {num} IS NOT NULL AND abs({num}) < 1e14 THEN "
        f"  CASE WHEN abs({num}) > 1e11 THEN make_timestamptz(({num} * 1000)::BIGINT)"
        f"  ELSE make_timestamptz(({num} * 1000000)::BIGINT) END "
        "ELSE try_cast(CAST(timestamp AS VARCHAR) AS TIMESTAMPTZ) END"
    )
    return (
        f"CASE WHEN {t} BETWEEN TIMESTAMPTZ '1990-01-01 00:00:00+00' "
        f"AND TIMESTAMPTZ '2100-01-01 00:00:00+00' THEN {t} END"
    )


class _Failed(Exception):
    """DuckDB's reader gave up on the file (damaged JSON): the salvage path takes over."""


def read_traffic_json(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    """DuckDB's JSON reader over the whole file (the fast path) when the file is no deeper
    than ``salvage.MAX_DEPTH``; otherwise, or when that reader gives up, record by record."""
    if not src.head(4):
        ctx.rejects.add("empty_file", src.uri)
        return
    with tempfile.TemporaryDirectory(prefix="basewatch-") as tmp:
        plain = _plain_file(src, Path(tmp), ctx)
        if plain is None:
            return
        path, depth = plain
        done = 0
        if depth <= salvage.MAX_DEPTH:
            try:
                for table, n in _query(path, "auto", src, ctx):
                    done += n
                    if table.num_rows:
                        yield table
                return
            except _Failed as exc:
                error = str(exc)
        else:
            error = f"nested {depth} deep"
        yield from _salvaged(path, Path(tmp), error, done, src, ctx)


_DB: duckdb.DuckDBPyConnection | None = None
_DB_LOCK = threading.Lock()


def _connection() -> duckdb.DuckDBPyConnection:
    """A connection of one in-memory DuckDB kept for the process (it holds no tables): a
    new database per file cost 28-58 ms, as much as reading a 3,000-row file; a cursor of
    the kept one costs under 1 ms."""
    global _DB
    with _DB_LOCK:
        if _DB is None:
            _DB = duckdb.connect(config={"threads": 1})
        return _DB.cursor()


def _query(path: Path, fmt: str, src: Source, ctx: ReadContext) -> Iterator[tuple[pa.Table, int]]:
    """(positions, records read) per batch; ``_Failed`` when DuckDB cannot read the file."""
    con = _connection()
    try:
        try:
            rel = con.sql(
                f"SELECT * FROM read_json('{path}', format='{fmt}', maximum_object_size=104857600)"
            )
            types = dict(zip(rel.columns, map(str, rel.types), strict=True))
        except duckdb.Error as exc:
            raise _Failed(str(exc)[:200]) from exc
        missing = [c for c in REQUIRED if c not in types]
        if missing:
            ctx.rejects.add("bad_columns", src.uri, "missing " + ", ".join(missing))
            return
        # values of several JSON types in one column make DuckDB type it JSON, where a
        # string keeps its quotes: such columns are read as the text of each value
        mixed = [c for c in COLUMNS.values() if types.get(c) == "JSON"]
        if mixed:
            plain = ", ".join(f'json_extract_string("{c}", \'$\') AS "{c}"' for c in mixed)
            rel = con.sql(f"SELECT * REPLACE ({plain}) FROM rel")
        exprs = [f"{_time_sql()} AS ts"] + [
            f'try_cast("{theirs}" AS {_TYPED[ours]}) AS {ours}'
            for ours, theirs in COLUMNS.items()
            if ours != "ts" and theirs in types
        ]
        try:
            reader = con.sql(f"SELECT {', '.join(exprs)} FROM rel").to_arrow_reader(BATCH_ROWS)
            for batch in reader:
                yield _positions(pa.Table.from_batches([batch]), src, ctx), batch.num_rows
        except duckdb.Error as exc:
            raise _Failed(str(exc)[:200]) from exc
    finally:
        con.close()


def _salvaged(
    path: Path, tmp: Path, error: str, skip: int, src: Source, ctx: ReadContext
) -> Iterator[pa.Table]:
    """Every record that parses on its own (the others rejected with their byte offset),
    read again through DuckDB as JSON lines; the first ``skip`` were already read."""
    data = path.read_bytes()
    body = data.lstrip()
    if body[:1] == b"[":
        got = salvage.split_array(data, len(data) - len(body) + 1, dict, ctx, src.uri)
        records = got.elements
        if got.end is None:
            ctx.truncated("truncated_json", src.uri, f"{error}; kept {len(records)} records")
    else:
        records = [r for _, r in salvage.lines(data, ctx, src.uri)]
    del data, body
    records = records[skip:]
    if not records:
        return
    out = tmp / "salvaged.jsonl"
    with out.open("wb") as fh:
        for r in records:
            fh.write(orjson.dumps(r) + b"\n")
    del records
    try:
        for table, _ in _query(out, "newline_delimited", src, ctx):
            if table.num_rows:
                yield table
    except _Failed as exc:  # not met: every line is an object orjson wrote
        ctx.truncated("bad_json", "salvaged records", str(exc))


def _plain_file(src: Source, tmp: Path, ctx: ReadContext) -> tuple[Path, int] | None:
    """A path DuckDB can read (the file itself, or its content unpacked beside us) and the
    content's deepest nesting; None when the content inflates past the cap."""
    if src.data is not None and src.data[:2] != b"\x1f\x8b" and src.path is not None:
        return src.path, salvage.max_depth((src.data,))
    if src.path is not None and src.data is None:
        with src.path.open("rb") as fh:
            if fh.read(2) != b"\x1f\x8b":
                fh.seek(0)
                return src.path, salvage.max_depth(iter(lambda: fh.read(1 << 20), b""))
    out = tmp / "content.json"
    state = salvage.DepthScan()
    with out.open("wb") as dst:
        for chunk in iter_bytes(src, ctx):
            if chunk:
                state.feed(chunk)
                dst.write(chunk)
    if ctx.rejects.counts["over_inflate_cap"] and not ctx.complete:
        return None
    return out, state.deepest


def _positions(tb: pa.Table, src: Source, ctx: ReadContext) -> pa.Table:
    lat = tb["lat_deg"].cast(pa.float64()).fill_null(np.nan).to_numpy()
    lon = tb["lon_deg"].cast(pa.float64()).fill_null(np.nan).to_numpy()
    icao = pc.utf8_lower(pc.utf8_trim_whitespace(tb["icao24"].cast(pa.string())))
    good_icao = pc.fill_null(pc.match_substring_regex(icao, r"^[0-9a-f]{6}$"), False).to_numpy(
        zero_copy_only=False
    )
    has_time = tb["ts"].is_valid().to_numpy(zero_copy_only=False)
    has_pos = valid_position_mask(lat, lon)
    for reason, bad in (("bad_icao24", ~good_icao), ("no_time", good_icao & ~has_time)):
        if bad.any():
            ctx.rejects.add(
                reason,
                src.uri,
                str(tb.filter(pa.array(bad)).slice(0, 1).to_pylist()[0])[:200],
                n=int(bad.sum()),
            )
    ok = good_icao & has_time
    ctx.counters["no_position"] += int((ok & ~has_pos).sum())
    keep = pa.array(ok & has_pos)
    tb = tb.filter(keep)
    cols = {name: tb[name].combine_chunks() for name in tb.column_names}
    cols["icao24"] = (
        icao.filter(keep).combine_chunks()
        if isinstance(icao, pa.ChunkedArray)
        else icao.filter(keep)
    )
    if "callsign" in cols:
        cs = pc.utf8_trim_whitespace(cols["callsign"].cast(pa.string()))
        cols["callsign"] = pc.if_else(pc.equal(cs, ""), pa.scalar(None, pa.string()), cs)
    if "squawk" in cols:
        cols["squawk"] = cols["squawk"].cast(pa.string())
    if "on_ground" in cols:
        cols["on_ground"] = cols["on_ground"].cast(pa.bool_())
    return positions_table(cols, tb.num_rows)
