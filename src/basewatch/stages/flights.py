"""Split each aircraft's positions into flights.

reads:   positions (as sorted Tracks)
writes:  flights (flight_points is a view: a flight is one contiguous time span of one aircraft)

A flight runs from the ground (or the first sight of the aircraft) to the ground (or the last).
Splits happen at readsb's new-leg flags, at a stay on the ground between two airborne runs (a
touch-and-go is not a stay), and at a time gap that the aircraft could not have flown across
at cruise. A gap at cruise whose two sides agree (the distance fits the speed, neither side near
the ground by an airfield) is the same flight: patchy coverage does not cut flights.
Aircraft without a callsign are kept like any other.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np
import pyarrow as pa

from .. import ids, schema
from .nearby import AirfieldGrid, distance_nm, nearest_airfield
from .tracks import US, Tracks, icao_hex, ts_array

DETECTOR = "split_flights/1"

# how a flight begins or ends
ENDS = ("observed", "inferred", "window_edge", "unknown", "ground_only")
OBSERVED, INFERRED, WINDOW_EDGE, UNKNOWN, GROUND_ONLY = range(5)


class SplitParams(NamedTuple):
    """How positions are cut into flights; compiled code takes it whole."""

    max_gap_s: float = 600.0  # below this, consecutive points belong to one flight, except …
    # … a stop out of sight: last seen descending within ``stop_low_ft`` of the surface, seen
    # again at least this much later climbing away within ``stop_climb_ft`` of it, having
    # covered less ground than a flight would (a trap and a catapult launch out of coverage)
    stop_min_gap_s: float = 300.0
    stop_low_ft: float = 500.0
    stop_climb_ft: float = 1000.0
    max_cruise_gap_s: float = 4 * 3600.0  # a gap at cruise longer than this always splits
    transition_gap_s: float = 1800.0  # a ground↔air change across a gap up to this stays one flight
    near_field_nm: float = 10.0  # "by an airfield", for the gap rules
    near_ground_ft: float = 2000.0  # height above that airfield below which a gap side is low
    speed_slack: float = 1.3  # implied speed across a gap may exceed the reported one by 30% …
    speed_slack_kt: float = 60.0  # … plus this
    min_speed_ratio: float = 0.35  # an implied speed this far below the reported one = a stop
    tg_max_s: float = 90.0  # a ground run this short …
    tg_min_gs_kt: float = 40.0  # … at no less than this speed is a touch-and-go, not a stop
    blip_max_points: int = 2  # a run of at most this many points that contradicts its
    blip_max_s: float = 30.0  # neighbours within this time is noise in the ground flag
    max_climb_fps: float = 100.0  # 6,000 ft/min: faster altitude changes are bad reports
    alt_slack_ft: float = 400.0  # allowed on top, for quantisation and baro/GNSS mixing


@nb.njit(cache=True)
def _clean_altitude(icao, t, lat, lon, alt, gnd, p, grid):
    """Altitudes no aircraft could have flown become NaN (a copy; positions stay as stored).

    Real feeds carry single spikes (38,000 ft between two 900 ft reports) and runs of garbage
    (a constant 4,625 ft on the apron). A value is kept when it is within ``max_climb_fps`` ×
    elapsed time (+ ``alt_slack_ft``) of the last kept value, or of the ground when the aircraft was last
    on it; a lone value between two agreeing neighbours is checked against them first.
    """
    n = len(alt)
    out = alt.copy()
    max_rate_fps = p.max_climb_fps
    slack_ft = p.alt_slack_ft
    # lone spikes: far from both neighbours that agree with each other
    for i in range(1, n - 1):
        if icao[i - 1] != icao[i] or icao[i + 1] != icao[i]:
            continue
        a, b, c = alt[i - 1], alt[i], alt[i + 1]
        if np.isnan(a) or np.isnan(b) or np.isnan(c):
            continue
        lim = slack_ft + max_rate_fps * (t[i + 1] - t[i - 1]) / US
        if abs(b - a) > lim and abs(b - c) > lim and abs(a - c) <= lim:
            out[i] = np.nan
    # runs: rate-limited from the last kept value, or from the field the aircraft was last on
    last_alt = np.nan
    last_t = 0
    ground_elev = np.nan  # elevation of the field under the last ground report (NaN: none near)
    on_ground = False
    for i in range(n):
        if i == 0 or icao[i] != icao[i - 1]:
            last_alt = np.nan
            last_t = t[i]
            on_ground = False
        if gnd[i] == 1:
            if not on_ground or t[i] - last_t > 60 * US:
                a, _ = nearest_airfield(lat[i], lon[i], 5.0, grid)
                ground_elev = grid.elev_ft[a] if a >= 0 else np.nan
            on_ground = True
            last_t = t[i]
            continue
        if np.isnan(out[i]):
            continue
        climb = max_rate_fps * (t[i] - last_t) / US
        if on_ground:
            # the first altitudes after the ground must be reachable from the field
            ceiling = (ground_elev if not np.isnan(ground_elev) else 14500.0) + slack_ft + climb
            ok = out[i] <= ceiling or (t[i] - last_t) > 600 * US
        elif np.isnan(last_alt):
            ok = True
        else:
            ok = abs(out[i] - last_alt) <= slack_ft + climb
        if ok:
            last_alt = out[i]
            last_t = t[i]
            on_ground = False
        else:
            out[i] = np.nan
    return out


@nb.njit(cache=True)
def _ground_state(icao, t, lat, lon, gnd, alt, gs, grid):
    """1 on the ground, 0 airborne.

    A report with neither a ground flag nor an altitude says nothing and takes the state before
    it (OpenSky sends such rows on the apron). An 'airborne' report that is slow (or has no
    speed) at the level of the field it is on is on the ground: parked aircraft flagged
    airborne make no flights.
    """
    n = len(t)
    g = np.zeros(n, np.int8)
    for i in range(n):
        if gnd[i] == 1:
            g[i] = 0 if gs[i] > 250.0 else 1
        elif np.isnan(alt[i]):
            if i > 0 and icao[i - 1] == icao[i]:
                g[i] = g[i - 1]
            else:
                g[i] = 1 if (np.isnan(gs[i]) or gs[i] < 60.0) else 0
        elif np.isnan(gs[i]) or gs[i] < 40.0:
            # not moving over the ground, by its own positions (an aircraft in flight moves)
            still = False
            k = i - 1
            while k > 0 and k > i - 30 and icao[k] == icao[i] and t[i] - t[k] < 10 * US:
                k -= 1
            if k >= 0 and icao[k] == icao[i] and 10 * US <= t[i] - t[k] <= 300 * US:
                d = distance_nm(lat[k], lon[k], lat[i], lon[i])
                still = d / ((t[i] - t[k]) / US / 3600.0) < 30.0
            a, _ = nearest_airfield(lat[i], lon[i], 3.0, grid)
            if a >= 0 and (alt[i] <= grid.elev_ft[a] + 150.0 or still):
                g[i] = 1
    return g


@nb.njit(cache=True)
def _smooth_blips(g, icao, t, lat, lon, alt, gs, p, grid):
    """Flip short runs that contradict both neighbours: a slow 'airborne' blip on the ground,
    a fast 'ground' blip in the air (touch-and-goes are longer or slower than a blip)."""
    n = len(g)
    max_points = p.blip_max_points
    max_s = p.blip_max_s
    i = 0
    while i < n:
        j = i
        while j + 1 < n and g[j + 1] == g[i] and icao[j + 1] == icao[i]:
            j += 1
        # run [i, j]
        if (
            i > 0
            and j + 1 < n
            and icao[i - 1] == icao[i]
            and icao[j + 1] == icao[i]
            and g[i - 1] != g[i]
            and g[j + 1] != g[i]
            and j - i + 1 <= max_points
            and (t[j + 1] - t[i - 1]) <= max_s * US
        ):
            fast = 0.0
            for k in range(i, j + 1):
                if not np.isnan(gs[k]):
                    fast = max(fast, gs[k])
            low = True  # an airborne blip with every altitude at the level of a field
            if g[i] == 0:
                for k in range(i, j + 1):
                    if not np.isnan(alt[k]):
                        a, _ = nearest_airfield(lat[k], lon[k], 3.0, grid)
                        if a < 0 or alt[k] > grid.elev_ft[a] + 300.0:
                            low = False
            if (g[i] == 0 and (fast < 80.0 or low)) or (g[i] == 1 and fast >= 150.0):
                for k in range(i, j + 1):
                    g[k] = 1 - g[k]
        i = j + 1
    return g


@nb.njit(cache=True)
def _low_near_field(i, lat, lon, alt, p, grid):
    """Is row i low (below ``near_ground_ft`` above it) by an airfield (``near_field_nm``)?"""
    if np.isnan(alt[i]):
        return False
    a, _ = nearest_airfield(lat[i], lon[i], p.near_field_nm, grid)
    return a >= 0 and alt[i] - grid.elev_ft[a] < p.near_ground_ft


@nb.njit(cache=True)
def _height(i, lat, lon, alt, p, grid):
    """Height of row i above the nearest airfield within ``near_field_nm``, else above the sea."""
    a, _ = nearest_airfield(lat[i], lon[i], p.near_field_nm, grid)
    return alt[i] - grid.elev_ft[a] if a >= 0 else alt[i]


@nb.njit(cache=True)
def _trend(i, step, t, alt, icao):
    """Altitude change from row i to the rows up to 2 min away (``step`` -1: lost since them,
    the largest; 1: gained by them, the largest), NaN when none has an altitude."""
    best = np.nan
    j = i + step
    while 0 <= j < len(t) and icao[j] == icao[i] and abs(t[j] - t[i]) <= 120 * US:
        if not np.isnan(alt[j]):
            d = alt[j] - alt[i]
            best = d if np.isnan(best) else max(best, d)
        j += step
    return best


@nb.njit(cache=True)
def _stop_in_gap(i, dt, t, lat, lon, alt, gs, icao, p, grid):
    """Did the aircraft stop on the surface in the gap before row i (both sides airborne)?

    Last seen low and descending, next seen low and climbing away, and the ground covered
    across the gap is less than ``min_speed_ratio`` of its speed would have flown: a landing
    and a take-off out of sight. A touch-and-go or a go-around comes back into view sooner
    than ``stop_min_gap_s``; a circuit flown out of sight comes back descending."""
    if np.isnan(alt[i - 1]) or np.isnan(alt[i]):
        return False
    if _height(i - 1, lat, lon, alt, p, grid) > p.stop_low_ft:
        return False
    if _height(i, lat, lon, alt, p, grid) > p.stop_climb_ft:
        return False
    lost = _trend(i - 1, -1, t, alt, icao)
    gained = _trend(i, 1, t, alt, icao)
    if np.isnan(lost) or np.isnan(gained) or lost < 100.0 or gained < 100.0:
        return False
    v, ref = _gap_speeds(i, dt, lat, lon, gs)
    return not np.isnan(ref) and v < p.min_speed_ratio * ref


@nb.njit(cache=True)
def _gap_speeds(i, dt, lat, lon, gs):
    """(speed implied across the gap before row i, mean reported speed on its two sides or NaN
    when neither side has one), knots."""
    ref = 0.0
    m = 0
    for k in (i - 1, i):
        if not np.isnan(gs[k]):
            ref += gs[k]
            m += 1
    v = distance_nm(lat[i - 1], lon[i - 1], lat[i], lon[i]) / (dt / 3600.0)
    return v, (ref / m if m else np.nan)


@nb.njit(cache=True)
def _split(icao, t, lat, lon, alt, gs, leg, g, p, grid):
    n = len(t)
    brk = np.zeros(n, np.bool_)
    if n == 0:
        return brk
    brk[0] = True
    max_gap_s, max_cruise_gap_s, transition_gap_s = (
        p.max_gap_s,
        p.max_cruise_gap_s,
        p.transition_gap_s,
    )
    near_field_nm = p.near_field_nm
    speed_slack, speed_slack_kt, min_speed_ratio = (
        p.speed_slack,
        p.speed_slack_kt,
        p.min_speed_ratio,
    )
    tg_max_s, tg_min_gs_kt = p.tg_max_s, p.tg_min_gs_kt
    # what "low by an airfield" needs, for either side of a gap
    near = (lat, lon, alt, p, grid)
    for i in range(1, n):
        if icao[i] != icao[i - 1]:
            brk[i] = True
            continue
        if leg[i]:
            brk[i] = True
            continue
        dt = (t[i] - t[i - 1]) / US
        if dt <= max_gap_s:
            if dt >= p.stop_min_gap_s and g[i - 1] == 0 and g[i] == 0:
                brk[i] = _stop_in_gap(i, dt, t, lat, lon, alt, gs, icao, p, grid)
            continue
        if g[i - 1] != g[i]:
            # ground → air (or air → ground) across a gap: the same movement if the airborne
            # side is low by the field where the ground side is
            if (
                dt <= transition_gap_s
                and distance_nm(lat[i - 1], lon[i - 1], lat[i], lon[i]) <= near_field_nm
            ):
                j = i if g[i] == 0 else i - 1
                if _low_near_field(j, *near):
                    continue
            brk[i] = True
            continue
        if g[i] == 1 or dt > max_cruise_gap_s:
            brk[i] = True
            continue
        # airborne on both sides: the same flight if it could have flown across at its speed
        v, ref = _gap_speeds(i, dt, lat, lon, gs)
        ref = 250.0 if np.isnan(ref) else ref
        if v > speed_slack * ref + speed_slack_kt or v < min_speed_ratio * ref:
            brk[i] = True
            continue
        if _low_near_field(i - 1, *near) or _low_near_field(i, *near):
            brk[i] = True
    # a stay on the ground between two airborne runs of one flight ends the first flight
    i = 0
    while i < n:
        e = i + 1
        while e < n and not brk[e]:
            e += 1
        # flight [i, e): walk its ground runs
        k = i
        seen_air = False
        while k < e:
            if g[k] == 0:
                seen_air = True
                k += 1
                continue
            r = k
            while r + 1 < e and g[r + 1] == 1:
                r += 1
            if seen_air and r + 1 < e:  # airborne before and after
                slow = False
                for q in range(k, r + 1):
                    if not np.isnan(gs[q]) and gs[q] < tg_min_gs_kt:
                        slow = True
                if slow or (t[r] - t[k]) > tg_max_s * US:
                    # split at the largest time gap inside the run (parked, out of sight)
                    best = r + 1 if k == r else k + 1
                    big = -1
                    for q in range(k + 1, r + 1):
                        if t[q] - t[q - 1] > big:
                            big = t[q] - t[q - 1]
                            best = q
                    brk[best] = True
            k = r + 1
        i = e
    return brk


def split(
    tr: Tracks, grid: AirfieldGrid, params: SplitParams = SplitParams()
) -> tuple[np.ndarray, np.ndarray]:
    """Ground state per row (after smoothing) and the row index where each flight starts."""
    ga = grid.arrays
    tr.alt = _clean_altitude(tr.icao, tr.t, tr.lat, tr.lon, tr.alt, tr.gnd, params, ga)
    g = _ground_state(tr.icao, tr.t, tr.lat, tr.lon, tr.gnd, tr.alt, tr.gs, ga)
    g = _smooth_blips(g, tr.icao, tr.t, tr.lat, tr.lon, tr.alt, tr.gs, params, ga)
    brk = _split(tr.icao, tr.t, tr.lat, tr.lon, tr.alt, tr.gs, tr.leg, g, params, ga)
    return g, np.flatnonzero(brk)


FLIGHT_SALT = 0x5851F42D4C957F2D  # keeps flight ids apart from position ids of the same numbers


def flight_ids(tr: Tracks, starts: np.ndarray) -> np.ndarray:
    """Each flight's id: its aircraft and first time, mixed (uint64; shown by ``ids.hex16``)."""
    icao = tr.icao[starts].astype(np.uint64)
    with np.errstate(over="ignore"):
        return ids.chain(icao + np.uint64(FLIGHT_SALT), tr.t[starts])


def flight_rows(
    tr: Tracks, starts: np.ndarray, fid: np.ndarray, found, events: pa.Table
) -> pa.Table:
    """The ``flights`` rows: the span of each flight, how each end is known (``found``, from
    the airfield-event kernel) and where (its take-off and landing ``events``)."""
    n = len(tr)
    nf = len(starts)
    ends = np.append(starts[1:], n)
    et = events["event_type"].to_numpy(zero_copy_only=False)
    ef = found.ev_i[:, 0]
    origin = np.full(nf, None, object)
    dest = np.full(nf, None, object)
    never = np.iinfo(np.int64).min
    t_off = np.full(nf, never, np.int64)
    t_on = np.full(nf, never, np.int64)
    codes = events["airfield"].to_numpy(zero_copy_only=False)
    ets = events["ts"].cast(pa.int64()).to_numpy()
    for kinds, target, times in (
        (("takeoff", "takeoff_inferred"), origin, t_off),
        (("landing", "landing_inferred"), dest, t_on),
    ):
        sel = np.isin(et, kinds)
        target[ef[sel]] = codes[sel]
        times[ef[sel]] = ets[sel]
    cs_rows = np.flatnonzero(tr.cs != 0)
    pos = np.searchsorted(cs_rows, starts)
    has = pos < len(cs_rows)
    has[has] = cs_rows[pos[has]] < ends[has]
    callsign = np.full(nf, None, object)
    callsign[has] = [tr.callsigns.get(int(h)) for h in tr.cs[cs_rows[pos[has]]]]
    names = np.array(ENDS, object)
    max_alt = np.where(np.isnan(found.max_alt_ft), np.nan, np.round(found.max_alt_ft))
    flights = pa.table(
        {
            "flight_id": ids.hex16(fid),
            "icao24": icao_hex(tr.icao[starts]),
            "callsign": pa.array(callsign, pa.string()),
            "first_seen": ts_array(tr.t[starts]),
            "last_seen": ts_array(tr.t[ends - 1]),
            "n_points": pa.array(ends - starts, pa.int64()),
            "n_airborne": pa.array(found.n_airborne, pa.int64()),
            "origin": pa.array(origin, pa.string()),
            "origin_how": pa.array(names[found.begin], pa.string()),
            "destination": pa.array(dest, pa.string()),
            "destination_how": pa.array(names[found.end], pa.string()),
            "takeoff_ts": ts_array(t_off, missing=never),
            "landing_ts": ts_array(t_on, missing=never),
            "max_alt_ft": pa.array(max_alt, pa.float64(), from_pandas=True).cast(pa.int32()),
            "distance_nm": pa.array(found.distance_nm, pa.float64()),
            "detector": pa.array([DETECTOR] * nf, pa.string()),
        }
    )
    return flights.cast(schema.FLIGHTS)


def store_flights(con, rows: pa.Table) -> None:
    """Append rows to ``flights`` (the one place that writes it)."""
    from ..store import append

    append(con, "flights", rows)


def drop_flights(con, flights_view: str) -> None:
    """Delete the flights listed in ``flights_view`` (a table with flight_id)."""
    con.execute(f"DELETE FROM flights WHERE flight_id IN (SELECT flight_id FROM {flights_view})")
