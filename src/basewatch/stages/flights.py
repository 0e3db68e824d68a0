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

from dataclasses import dataclass

import numba as nb
import numpy as np

from .nearby import AirfieldGrid, distance_nm, nearest_airfield
from .tracks import US, Tracks

DETECTOR = "split_flights/1"


@dataclass(frozen=True, slots=True)
class SplitParams:
    max_gap_s: float = 600.0  # below this, consecutive points always belong to one flight
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
def _clean_altitude(
    icao,
    t,
    lat,
    lon,
    alt,
    gnd,
    max_rate_fps,
    slack_ft,
    cell_ptr,
    cell_items,
    af_lat,
    af_lon,
    af_elev,
):
    """Altitudes no aircraft could have flown become NaN (a copy; positions stay as stored).

    Real feeds carry single spikes (38,000 ft between two 900 ft reports) and runs of garbage
    (a constant 4,625 ft on the apron). A value is kept when it is within ``max_rate_fps`` ×
    elapsed time (+ slack) of the last kept value, or of the ground when the aircraft was last
    on it; a lone value between two agreeing neighbours is checked against them first.
    """
    n = len(alt)
    out = alt.copy()
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
                a, _ = nearest_airfield(lat[i], lon[i], 5.0, cell_ptr, cell_items, af_lat, af_lon)
                ground_elev = af_elev[a] if a >= 0 else np.nan
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
def _ground_state(
    icao, t, lat, lon, gnd, alt, gs, n, cell_ptr, cell_items, af_lat, af_lon, af_elev
):
    """1 on the ground, 0 airborne.

    A report with neither a ground flag nor an altitude says nothing and takes the state before
    it (OpenSky sends such rows on the apron). An 'airborne' report that is slow (or has no
    speed) at the level of the field it is on is on the ground: parked aircraft flagged
    airborne make no flights.
    """
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
            a, _ = nearest_airfield(lat[i], lon[i], 3.0, cell_ptr, cell_items, af_lat, af_lon)
            if a >= 0 and (alt[i] <= af_elev[a] + 150.0 or still):
                g[i] = 1
    return g


@nb.njit(cache=True)
def _smooth_blips(
    g, icao, t, lat, lon, alt, gs, max_points, max_s, cell_ptr, cell_items, af_lat, af_lon, af_elev
):
    """Flip short runs that contradict both neighbours: a slow 'airborne' blip on the ground,
    a fast 'ground' blip in the air (touch-and-goes are longer or slower than a blip)."""
    n = len(g)
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
                        a, _ = nearest_airfield(
                            lat[k], lon[k], 3.0, cell_ptr, cell_items, af_lat, af_lon
                        )
                        if a < 0 or alt[k] > af_elev[a] + 300.0:
                            low = False
            if (g[i] == 0 and (fast < 80.0 or low)) or (g[i] == 1 and fast >= 150.0):
                for k in range(i, j + 1):
                    g[k] = 1 - g[k]
        i = j + 1
    return g


@nb.njit(cache=True)
def _low_near_field(
    i, lat, lon, alt, radius_nm, ceiling_ft, cell_ptr, cell_items, af_lat, af_lon, af_elev
):
    if np.isnan(alt[i]):
        return False
    a, _ = nearest_airfield(lat[i], lon[i], radius_nm, cell_ptr, cell_items, af_lat, af_lon)
    return a >= 0 and alt[i] - af_elev[a] < ceiling_ft


@nb.njit(cache=True)
def _split(
    icao, t, lat, lon, alt, gs, leg, g,
    max_gap_s, max_cruise_gap_s, transition_gap_s, near_field_nm, near_ground_ft,
    speed_slack, speed_slack_kt, min_speed_ratio, tg_max_s, tg_min_gs_kt,
    cell_ptr, cell_items, af_lat, af_lon, af_elev,
):  # fmt: skip
    n = len(t)
    brk = np.zeros(n, np.bool_)
    if n == 0:
        return brk
    brk[0] = True
    # what "low by an airfield" needs, for either side of a gap
    near = (
        lat,
        lon,
        alt,
        near_field_nm,
        near_ground_ft,
        cell_ptr,
        cell_items,
        af_lat,
        af_lon,
        af_elev,
    )
    for i in range(1, n):
        if icao[i] != icao[i - 1]:
            brk[i] = True
            continue
        if leg[i]:
            brk[i] = True
            continue
        dt = (t[i] - t[i - 1]) / US
        if dt <= max_gap_s:
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
        d = distance_nm(lat[i - 1], lon[i - 1], lat[i], lon[i])
        v = d / (dt / 3600.0)
        ref = 0.0
        m = 0
        for k in (i - 1, i):
            if not np.isnan(gs[k]):
                ref += gs[k]
                m += 1
        ref = ref / m if m else 250.0
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
    n = len(tr)
    field = (grid.cell_ptr, grid.cell_items, grid.lat, grid.lon, grid.elev_ft)
    tr.alt = _clean_altitude(
        tr.icao,
        tr.t,
        tr.lat,
        tr.lon,
        tr.alt,
        tr.gnd,
        params.max_climb_fps,
        params.alt_slack_ft,
        *field,
    )
    g = _ground_state(tr.icao, tr.t, tr.lat, tr.lon, tr.gnd, tr.alt, tr.gs, n, *field)
    g = _smooth_blips(
        g,
        tr.icao,
        tr.t,
        tr.lat,
        tr.lon,
        tr.alt,
        tr.gs,
        params.blip_max_points,
        params.blip_max_s,
        *field,
    )
    brk = _split(
        tr.icao, tr.t, tr.lat, tr.lon, tr.alt, tr.gs, tr.leg, g,
        params.max_gap_s, params.max_cruise_gap_s, params.transition_gap_s,
        params.near_field_nm, params.near_ground_ft, params.speed_slack, params.speed_slack_kt,
        params.min_speed_ratio, params.tg_max_s, params.tg_min_gs_kt,
        grid.cell_ptr, grid.cell_items, grid.lat, grid.lon, grid.elev_ft,
    )  # fmt: skip
    return g, np.flatnonzero(brk)
