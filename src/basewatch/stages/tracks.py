"""Positions as sorted column arrays for the compiled stage kernels.

Reading goes through one unsorted scan (DuckDB sorts far slower than numpy here), then a
single argsort on (aircraft, time). Null numbers become NaN, the ground flag becomes
-1 (unknown) / 0 (airborne) / 1 (on the ground).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from .. import schema

US = 1_000_000

_NAN = "'NaN'::DOUBLE"
_COLUMNS = f"""
    p.icao, epoch_us(p.ts) AS t, p.lat_deg, p.lon_deg,
    coalesce(p.alt_baro_ft, p.alt_geom_ft, {_NAN}) AS alt_ft, coalesce(p.gs_kt, {_NAN}) AS gs,
    coalesce(p.track_deg, {_NAN}) AS trk, coalesce(p.vrate_fpm, {_NAN}) AS vr,
    (CASE WHEN p.on_ground IS NULL THEN -1 WHEN p.on_ground THEN 1 ELSE 0 END)::TINYINT AS gnd,
    coalesce(p.new_leg, false) AS new_leg,
    coalesce(p.callsign_key, 0::UBIGINT) AS cs_hash
"""


@dataclass(slots=True)
class Tracks:
    """Every column sorted by (icao24, t); ``icao`` is the 24-bit address as an integer."""

    icao: np.ndarray
    t: np.ndarray  # µs since the epoch, UTC
    lat: np.ndarray
    lon: np.ndarray
    alt: np.ndarray  # feet, barometric else geometric, NaN unknown
    gs: np.ndarray
    trk: np.ndarray
    vr: np.ndarray
    gnd: np.ndarray  # int8: 1 ground, 0 airborne, -1 unknown
    leg: np.ndarray
    cs: np.ndarray  # uint64 hash of the callsign; 0 when none
    callsigns: dict[int, str]
    stale: int = 0  # rows dropped as stale repeats

    def __len__(self) -> int:
        return len(self.t)

    @classmethod
    def empty(cls) -> Tracks:
        f = np.zeros(0, np.float64)
        return cls(
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            f,
            f,
            f,
            f,
            f,
            f,
            np.zeros(0, np.int8),
            np.zeros(0, np.bool_),
            np.zeros(0, np.uint64),
            {},
        )


def tracks_sql(source: str = "position_rows p") -> str:
    """The SELECT of the columns ``tracks_from_arrow`` takes, over rows of ``position_rows``
    (aliased ``p``) or any relation of its columns."""
    return f"SELECT {_COLUMNS} FROM {source}"


def load_tracks(con: duckdb.DuckDBPyConnection, where: str = "", params=None) -> Tracks:
    """Positions (optionally filtered by a SQL ``where`` over ``position_rows p``, the stored
    form: the address is the integer ``p.icao``) as Tracks."""
    sql = f"{tracks_sql()} {where}"
    tb = con.execute(sql, params or {}).to_arrow_table()
    if tb.num_rows == 0:
        return Tracks.empty()
    names = con.execute(
        "SELECT callsign_key, callsign FROM callsigns WHERE callsign_key IN "
        f"(SELECT p.callsign_key FROM position_rows p {where})",
        params or {},
    ).fetchall()
    return tracks_from_arrow(tb, {int(h): name for h, name in names})


def tracks_from_arrow(tb: pa.Table, callsigns: dict[int, str]) -> Tracks:
    """Tracks from unsorted rows in the columns of ``tracks_sql`` (any order, any number of
    aircraft): the one sort and stale-repeat filter, wherever the rows come from."""
    if tb.num_rows == 0:
        return Tracks.empty()
    icao = tb["icao"].to_numpy().astype(np.int64)
    t = tb["t"].to_numpy()
    t0 = int(t.min())
    if int(t.max()) - t0 < (1 << 39):  # one exact int64 key: one argsort instead of two
        order = np.argsort((icao << 39) | (t - t0))
    else:
        order = np.lexsort((t, icao))
    icao = icao[order]
    lat = tb["lat_deg"].to_numpy()[order]
    lon = tb["lon_deg"].to_numpy()[order]
    gs = tb["gs"].to_numpy()[order]
    # a moving aircraft reported at exactly its previous position is a stale repeat (OpenSky
    # state vectors carry the last known position forward): not a new sighting
    keep = np.ones(len(order), np.bool_)
    keep[1:] = ~(
        (icao[1:] == icao[:-1]) & (lat[1:] == lat[:-1]) & (lon[1:] == lon[:-1]) & (gs[1:] > 30.0)
    )
    order = order[keep]
    return Tracks(
        icao=icao[keep],
        t=t[order],
        lat=lat[keep],
        lon=lon[keep],
        alt=tb["alt_ft"].to_numpy()[order],
        gs=gs[keep],
        trk=tb["trk"].to_numpy()[order],
        vr=tb["vr"].to_numpy()[order],
        gnd=tb["gnd"].to_numpy()[order],
        leg=tb["new_leg"].to_numpy()[order],
        cs=tb["cs_hash"].to_numpy()[order],
        callsigns=callsigns,
        stale=int((~keep).sum()),
    )


def icao_hex(icao: np.ndarray) -> pa.Array:
    """Integer addresses → their 6 hex digits, as the tables show them."""
    return pa.array([f"{x:06x}" for x in icao.tolist()], pa.string())


def ts_array(us: np.ndarray, missing: int | None = None) -> pa.Array:
    """µs since the epoch → UTC timestamps; ``missing`` marks nulls."""
    mask = None if missing is None else (us == missing)
    return pa.array(us, pa.int64(), mask=mask).cast(schema.UTC_US)
