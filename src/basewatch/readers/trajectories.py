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
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .base import BATCH_ROWS, ReadContext, Source, positions_table, valid_position_mask

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


def read_traffic_json(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    if not src.head(4):
        ctx.rejects.add("empty_file", src.uri)
        return
    with tempfile.TemporaryDirectory(prefix="basewatch-") as tmp:
        path = _plain_file(src, Path(tmp))
        con = duckdb.connect(config={"threads": 1})
        try:
            rel = con.sql(
                f"SELECT * FROM read_json('{path}', format='auto', maximum_object_size=104857600)"
            )
            types = dict(zip(rel.columns, map(str, rel.types), strict=True))
        except duckdb.Error as exc:
            ctx.rejects.add("bad_json", src.uri, str(exc)[:200])
            return
        missing = [c for c in REQUIRED if c not in types]
        if missing:
            ctx.rejects.add("bad_columns", src.uri, "missing " + ", ".join(missing))
            return
        exprs = [f"{_time_sql()} AS ts"] + [
            f'try_cast("{theirs}" AS {_TYPED[ours]}) AS {ours}'
            for ours, theirs in COLUMNS.items()
            if ours != "ts" and theirs in types
        ]
        try:
            reader = con.sql(f"SELECT {', '.join(exprs)} FROM rel").to_arrow_reader(BATCH_ROWS)
            for batch in reader:
                table = _positions(pa.Table.from_batches([batch]), src, ctx)
                if table.num_rows:
                    yield table
        except duckdb.Error as exc:
            ctx.truncated("bad_json", "during the read", str(exc)[:200])
        finally:
            con.close()


def _plain_file(src: Source, tmp: Path) -> Path:
    """A path DuckDB can read: the file itself, or its content unpacked beside us."""
    if src.path is not None and src.head(2) and src.path.open("rb").read(2) != b"\x1f\x8b":
        return src.path
    out = tmp / "content.json"
    with src.open() as fh, out.open("wb") as dst:
        while chunk := fh.read(1 << 20):
            dst.write(chunk)
    return out


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
