"""Project-written flight paths for stage tests: waypoints in, sampled positions out.

A path is a list of waypoints ``(t_s, lat, lon, alt_ft | GROUND)``; positions are sampled
between them every ``step_s`` with speed, track and vertical rate derived from the motion.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from basewatch import schema
from basewatch.airfields import load_reference
from basewatch.readers.base import stream_id
from basewatch.readers.pipeline import to_position_rows
from basewatch.store.callsigns import Callsigns

GROUND = None
T0 = datetime(2025, 10, 24, 6, 0, tzinfo=UTC)


def dest(lat: float, lon: float, bearing: float, nm: float) -> tuple[float, float]:
    """The point ``nm`` nautical miles from (lat, lon) on ``bearing`` (spherical earth)."""
    r = nm / 3440.065
    p1, l1, b = map(math.radians, (lat, lon, bearing))
    p2 = math.asin(math.sin(p1) * math.cos(r) + math.cos(p1) * math.sin(r) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(r) * math.cos(p1), math.cos(r) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def field(code: str):
    return load_reference().airfield(code)


def departure(code: str, heading: float, t: float = 0.0, to_alt: float = 12000.0) -> list:
    """Taxi and roll on the runway through the field, climb out straight ahead."""
    af = field(code)
    back = (heading + 180) % 360
    start = dest(af.lat, af.lon, back, 1.0)
    lift = dest(af.lat, af.lon, heading, 0.2)
    out = dest(af.lat, af.lon, heading, 20.0)
    return [
        (t, *start, GROUND),
        (t + 60, *dest(af.lat, af.lon, back, 0.9), GROUND),  # lined up, slow
        (t + 100, *lift, GROUND),  # take-off roll
        (t + 130, *dest(af.lat, af.lon, heading, 1.5), af.elevation_ft + 900),
        (t + 430, *out, to_alt),
    ]


def arrival(
    code: str, heading: float, t_touch: float, from_nm: float = 20.0, from_alt: float = 7000.0
) -> list:
    """Straight-in approach on ``heading``, touchdown at the field, roll out and slow down."""
    af = field(code)
    back = (heading + 180) % 360
    return [
        (t_touch - 420, *dest(af.lat, af.lon, back, from_nm), af.elevation_ft + from_alt),
        (t_touch - 60, *dest(af.lat, af.lon, back, 2.2), af.elevation_ft + 650),
        (t_touch, *dest(af.lat, af.lon, back, 0.3), GROUND),
        (t_touch + 40, *dest(af.lat, af.lon, heading, 0.6), GROUND),
        (t_touch + 160, *dest(af.lat, af.lon, heading, 0.9), GROUND),
    ]


def sample(path: list, step_s: float = 5.0) -> dict:
    """Positions along the path every step_s seconds (and at each waypoint)."""
    ts = []
    for (t0, *_), (t1, *_) in zip(path, path[1:], strict=False):
        ts += list(np.arange(t0, t1, step_s))
    ts.append(path[-1][0])
    wt = np.array([w[0] for w in path], float)
    lat = np.interp(ts, wt, [w[1] for w in path])
    lon = np.interp(ts, wt, [w[2] for w in path])
    ground = np.interp(ts, wt, [1.0 if w[3] is None else 0.0 for w in path]) > 0.5
    field_alt = [w[3] if w[3] is not None else 0.0 for w in path]
    alt = np.interp(ts, wt, field_alt)
    ts = np.array(ts)
    gs = np.zeros(len(ts))
    trk = np.zeros(len(ts))
    vr = np.zeros(len(ts))
    for i in range(1, len(ts)):
        dt = ts[i] - ts[i - 1]
        d = _dist(lat[i - 1], lon[i - 1], lat[i], lon[i])
        gs[i] = d / (dt / 3600)
        trk[i] = _bearing(lat[i - 1], lon[i - 1], lat[i], lon[i]) if d > 1e-6 else trk[i - 1]
        vr[i] = (alt[i] - alt[i - 1]) / dt * 60
    gs[0], trk[0] = gs[min(1, len(ts) - 1)], trk[min(1, len(ts) - 1)]
    return {
        "t": ts,
        "lat": lat,
        "lon": lon,
        "alt": alt,
        "ground": ground,
        "gs": gs,
        "trk": trk,
        "vr": vr,
    }


def _dist(a, b, c, d):
    p1, p2 = math.radians(a), math.radians(c)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(d - b) / 2) ** 2
    )
    return 2 * 3440.065 * math.asin(math.sqrt(min(1.0, h)))


def _bearing(a, b, c, d):
    p1, p2, dl = math.radians(a), math.radians(c), math.radians(d - b)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def positions(
    icao24: str, path: list, step_s: float = 5.0, callsign: str | None = None, legs=()
) -> pa.Table:
    s = sample(path, step_s)
    n = len(s["t"])
    ts = (
        pa.array((T0.timestamp() + s["t"]) * 1e6, pa.float64()).cast(pa.int64()).cast(schema.UTC_US)
    )
    alt = np.round(s["alt"]).astype(np.int32)
    return pa.table(
        {
            "ts": ts,
            "icao24": [icao24] * n,
            "callsign": [callsign] * n,
            "lat_deg": s["lat"],
            "lon_deg": s["lon"],
            "alt_baro_ft": pa.array(alt, mask=s["ground"]),
            "alt_geom_ft": pa.nulls(n, pa.int32()),
            "on_ground": s["ground"],
            "gs_kt": s["gs"].astype(np.float32),
            "track_deg": s["trk"].astype(np.float32),
            "vrate_fpm": np.round(s["vr"]).astype(np.int32),
            "squawk_code": pa.nulls(n, pa.uint16()),
            "new_leg": [i in legs for i in range(n)],
        },
        schema=schema.READER_POSITIONS,
    )


def store_positions(store, table: pa.Table, name: str, fmt: str = "sbs") -> None:
    """Insert positions as one source would (the stage reads nothing else)."""
    source_id = stream_id(f"test:{name}", "")
    rows = to_position_rows([table], [source_id], Callsigns(store.con))
    store.con.register("_t", rows)
    store.con.execute("INSERT INTO position_rows SELECT * FROM _t")
    store.con.unregister("_t")
    store.con.execute(
        "INSERT INTO sources (source_id, uri, format, run_id, complete) VALUES (?, ?, ?, 'test', true)",
        [source_id, f"test:{name}", fmt],
    )
