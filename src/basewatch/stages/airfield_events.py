"""Take-offs, landings and the passes in between, at named airfields.

reads:   flights (row spans over sorted Tracks), the airfield grid, the data windows
writes:  airfield_events

Observed events need the ground state to change: on the ground → airborne is a take-off,
airborne → on the ground a landing, a short fast stay on the ground between two airborne runs a
touch-and-go. A flight that begins or ends at the edge of the data window gets no event there:
the window cut it, nothing was seen. A flight that ends airborne, low and descending toward an
airfield (transponder off, coverage lost) gives ``landing_inferred`` with a confidence; one that
begins low and climbing by an airfield gives ``takeoff_inferred``. A descent to below 1,000 ft
over an airfield and a climb away without touching the ground is a low pass when the aircraft
flew level along the field, else a go-around: never a landing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba as nb
import numpy as np

from .nearby import (
    NJ,
    angle_diff,
    bearing_deg,
    cell_of,
    cells_within,
    distance_nm,
    nearest_airfield,
)
from .tracks import US

DETECTOR = "detect_airfield_events/1"

EVENT_TYPES = (
    "takeoff",
    "landing",
    "takeoff_inferred",
    "landing_inferred",
    "low_pass",
    "go_around",
    "touch_and_go",
)
TAKEOFF, LANDING, TAKEOFF_INF, LANDING_INF, LOW_PASS, GO_AROUND, TOUCH_AND_GO = range(7)

# how a flight begins or ends
ENDS = ("observed", "inferred", "window_edge", "unknown", "ground_only")
OBSERVED, INFERRED, WINDOW_EDGE, UNKNOWN, GROUND_ONLY = range(5)


@dataclass(frozen=True, slots=True)
class EventParams:
    field_radius_nm: float = (
        5.0  # a ground point this close to an airfield's reference point is at it
    )
    edge_s: float = 300.0  # a flight seen first/last this close to a data-window edge was cut by it
    infer_radius_nm: float = 20.0  # where to look for the airfield of a dark arrival or departure
    infer_far_nm: float = 60.0  # … and, on a normal descent path straight at it, this far
    infer_max_height_ft: float = 4000.0  # above this, a vanishing aircraft is not landing
    edge_max_height_ft: float = 1000.0  # … and at a data-window edge, above this
    infer_min_conf: float = 0.3  # weaker inferences are not reported
    pass_radius_nm: float = 3.0  # a low point this close to an airfield is a pass over it
    pass_ceiling_ft: float = 1000.0  # height above the field that makes a point "low"
    level_band_ft: float = 100.0  # a low pass flies level (within this band) …
    level_min_s: float = 20.0  # … for at least this long (a go-around's dip lasts ~10 s)


@nb.njit(cache=True)
def _windows_at(t, ws, we):
    """Index of the data window holding time t (windows sorted, disjoint)."""
    k = np.searchsorted(ws, t, side="right") - 1
    return k


@nb.njit(cache=True)
def _above_before(j, stop, step, g, alt, t, level):
    """From row j toward row ``stop``, is the aircraft seen at or above ``level`` (ft) before
    it touches the ground, within 20 minutes?"""
    if (step < 0 and j < stop) or (step > 0 and j > stop):
        return False
    t_ref = t[j]
    while (j >= stop) if step < 0 else (j <= stop):
        if g[j] != 0 or abs(t[j] - t_ref) > 1200 * US:
            return False
        if not np.isnan(alt[j]) and alt[j] >= level:
            return True
        j += step
    return False


@nb.njit(cache=True)
def _best_inferred(
    lat, lon, alt, trk, toward, radius_nm, far_nm, max_h,
    cell_ptr, cell_items, af_lat, af_lon, af_elev, af_base,
):  # fmt: skip
    """The airfield a low aircraft is most plausibly landing at (toward=True) or leaving.

    Near (within ``radius_nm``, below ``max_h``): scored by height above it, distance, and
    whether the track points at it (arrivals) or away from it (departures), on a glide a
    transport could fly. Far (up to ``far_nm``, as aircraft that go dark before a base do): only
    on a normal descent or climb path (150–600 ft per NM) with the track within 25° of it, at a
    confidence that falls with distance, and only for military bases (bases.toml), where going
    dark is what aircraft do. Returns (airfield, confidence, distance, height).
    """
    best = -1
    best_c = 0.0
    best_d = np.inf
    best_h = np.nan
    if np.isnan(alt):
        return best, best_c, best_d, best_h
    i0, i1, j0, nj = cells_within(lat, lon, max(radius_nm, far_nm))
    for ii in range(i0, i1 + 1):
        for dj in range(nj):
            c = ii * NJ + (j0 + dj) % NJ
            for k in range(cell_ptr[c], cell_ptr[c + 1]):
                a = cell_items[k]
                d = distance_nm(lat, lon, af_lat[a], af_lon[a])
                h = alt - af_elev[a]
                if d > max(radius_nm, far_nm) or h < -500.0:
                    continue
                off = 0.0
                if d >= 1.5 and not np.isnan(trk):
                    brg = bearing_deg(lat, lon, af_lat[a], af_lon[a])
                    off = angle_diff(trk, brg) if toward else angle_diff(trk, (brg + 180.0) % 360.0)
                grad = max(0.0, h) / max(d, 0.1)
                # an aircraft climbs out faster than it glides in, and turns onto its course
                # soon after take-off: departures are read with more height and a wider angle
                top = max_h if toward else 1.5 * max_h
                if d <= radius_nm and h <= top:
                    c_h = 1.0 - max(0.0, h) / top
                    c_d = 1.0 - d / radius_nm
                    if np.isnan(trk):
                        c_a = 0.8
                    elif toward:
                        c_a = math.cos(math.radians(off)) if off < 75.0 else 0.0
                    else:
                        c_a = math.cos(math.radians(off / 2.0)) if off < 100.0 else 0.0
                    # a glide steeper than ~10° or far shallower than 1° does not end at this
                    # field (an aircraft already down at field level near it is on its line)
                    near_field = d < 2.0 or (h < 600.0 and d < 6.0)
                    c_g = 1.0 if (near_field or (60.0 <= grad <= 1500.0)) else 0.3
                    conf = c_h**0.5 * c_d**0.5 * c_a * c_g
                elif af_base[a] and 150.0 <= grad <= 600.0 and off < 25.0 and not np.isnan(trk):
                    conf = 0.6 * math.exp(-(d - radius_nm) / 40.0) * math.cos(math.radians(off))
                else:
                    continue
                if conf > best_c:
                    best, best_c, best_d, best_h = a, conf, d, h
    return best, best_c, best_d, best_h


# Movements at places the reference does not list (a ship's deck, a strip, a helipad): a flight
# that ends at deck height at approach speed, or begins just off the surface climbing at launch
# speed, with no listed airfield within reach, is inferred with no airfield named.
UNLISTED_LANDING_FT = 300.0  # pressure altitude of the last position, at most
UNLISTED_LANDING_KT = 140.0  # and ground speed, at most (a carrier trap is ~100 kt)
UNLISTED_LAUNCH_FT = 700.0  # the first position's, for a take-off
UNLISTED_LAUNCH_KT = 200.0
UNLISTED_CONF = 0.5


@nb.njit(cache=True)
def _unlisted(alt, gs, max_ft, max_kt):
    return not np.isnan(alt) and not np.isnan(gs) and alt <= max_ft and 30.0 <= gs <= max_kt


@nb.njit(cache=True)
def _no_field_near(lat, lon, radius_nm, cell_ptr, cell_items, af_lat, af_lon):
    a, _ = nearest_airfield(lat, lon, radius_nm, cell_ptr, cell_items, af_lat, af_lon)
    return a < 0


@nb.njit(cache=True)
def _push(ev_i, ev_f, n, flight, kind, row, ts, af, conf, dist, h, trk):
    """Append one event to the growing buffers (ints: flight, type, row, ts, airfield;
    floats: confidence, distance, height, track)."""
    if n == ev_i.shape[0]:
        bigger_i = np.empty((2 * n + 16, 5), np.int64)
        bigger_f = np.empty((2 * n + 16, 4), np.float64)
        bigger_i[:n] = ev_i[:n]
        bigger_f[:n] = ev_f[:n]
        ev_i, ev_f = bigger_i, bigger_f
    ev_i[n, 0] = flight
    ev_i[n, 1] = kind
    ev_i[n, 2] = row
    ev_i[n, 3] = ts
    ev_i[n, 4] = af
    ev_f[n, 0] = conf
    ev_f[n, 1] = dist
    ev_f[n, 2] = h
    ev_f[n, 3] = trk
    return ev_i, ev_f, n + 1


@nb.njit(cache=True)
def _events(
    starts, t, lat, lon, alt, gs, trk, vr, g, ws, we,
    field_radius_nm, edge_s, infer_radius_nm, far_nm, infer_max_h, edge_max_h, infer_min_conf,
    pass_radius_nm, pass_ceiling_ft, level_band_ft, level_min_s,
    cell_ptr, cell_items, af_lat, af_lon, af_elev, af_base, max_elev_near,
):  # fmt: skip
    nf = len(starts)
    n = len(t)
    f_begin = np.full(nf, UNKNOWN, np.int8)
    f_end = np.full(nf, UNKNOWN, np.int8)
    f_max_alt = np.full(nf, np.nan)
    f_dist = np.zeros(nf)
    f_air = np.zeros(nf, np.int64)
    ev_i = np.empty((2 * nf + 16, 5), np.int64)
    ev_f = np.empty((2 * nf + 16, 4), np.float64)
    m = 0
    grid = (cell_ptr, cell_items, af_lat, af_lon)

    for f in range(nf):
        s = starts[f]
        e = starts[f + 1] if f + 1 < nf else n
        fa = -1
        la = -1
        for i in range(s, e):
            if g[i] == 0:
                if fa < 0:
                    fa = i
                la = i
                f_air[f] += 1
                if not np.isnan(alt[i]) and (np.isnan(f_max_alt[f]) or alt[i] > f_max_alt[f]):
                    f_max_alt[f] = alt[i]
            if i > s:
                f_dist[f] += distance_nm(lat[i - 1], lon[i - 1], lat[i], lon[i])
        if fa < 0:
            f_begin[f] = GROUND_ONLY
            f_end[f] = GROUND_ONLY
            continue

        # --- how the flight begins: on the ground (observed), low and climbing by a field
        # (inferred), else at the data's edge or entering coverage (nothing invented)
        if fa > s:
            a, d = nearest_airfield(lat[fa - 1], lon[fa - 1], field_radius_nm, *grid)
            hdg = trk[fa] if not np.isnan(trk[fa]) else trk[fa - 1]
            conf = 1.0 if (t[fa] - t[fa - 1]) <= 120 * US else 0.9
            ev_i, ev_f, m = _push(ev_i, ev_f, m, f, TAKEOFF, fa, t[fa], a, conf, d, np.nan, hdg)
            f_begin[f] = OBSERVED
        else:
            k = _windows_at(t[s], ws, we)
            f_begin[f] = WINDOW_EDGE if (k >= 0 and t[s] - ws[k] <= edge_s * US) else UNKNOWN
            climbing = not np.isnan(vr[s]) and vr[s] > 300.0
            j = s + 1
            while j <= la and t[j] - t[s] <= 120 * US:
                if not np.isnan(alt[j]) and not np.isnan(alt[s]) and alt[j] - alt[s] > 150.0:
                    climbing = True
                j += 1
            if climbing:
                # at the edge of the data, only an aircraft still by the runway is inferred
                reach_h = infer_max_h if f_begin[f] == UNKNOWN else edge_max_h
                a, conf, d, h = _best_inferred(
                    lat[s],
                    lon[s],
                    alt[s],
                    trk[s],
                    False,
                    infer_radius_nm,
                    far_nm if f_begin[f] == UNKNOWN else 0.0,
                    reach_h,
                    *grid,
                    af_elev,
                    af_base,
                )
                rate = vr[s] if (not np.isnan(vr[s]) and vr[s] > 300.0) else 1500.0  # ft/min
                if a >= 0 and conf >= infer_min_conf:
                    ts = t[s] - int(max(0.0, h) / rate * 60.0 * US)
                    ev_i, ev_f, m = _push(
                        ev_i, ev_f, m, f, TAKEOFF_INF, s, ts, a, conf, d, h, trk[s]
                    )
                    f_begin[f] = INFERRED
                elif (
                    a < 0
                    and f_begin[f] == UNKNOWN
                    and _unlisted(alt[s], gs[s], UNLISTED_LAUNCH_FT, UNLISTED_LAUNCH_KT)
                    and _no_field_near(lat[s], lon[s], infer_radius_nm, *grid)
                ):
                    ts = t[s] - int(max(0.0, alt[s]) / rate * 60.0 * US)
                    ev_i, ev_f, m = _push(
                        ev_i, ev_f, m, f, TAKEOFF_INF, s, ts, -1, UNLISTED_CONF, np.inf,
                        alt[s], trk[s],
                    )  # fmt: skip
                    f_begin[f] = INFERRED

        # --- how it ends, the same way round
        last = e - 1
        if la < last:
            a, d = nearest_airfield(lat[la + 1], lon[la + 1], field_radius_nm, *grid)
            hdg = trk[la] if not np.isnan(trk[la]) else trk[la + 1]
            conf = 1.0 if (t[la + 1] - t[la]) <= 120 * US else 0.9
            ev_i, ev_f, m = _push(
                ev_i, ev_f, m, f, LANDING, la + 1, t[la + 1], a, conf, d, np.nan, hdg
            )
            f_end[f] = OBSERVED
        else:
            k = _windows_at(t[last], ws, we)
            f_end[f] = WINDOW_EDGE if (k >= 0 and we[k] - t[last] <= edge_s * US) else UNKNOWN
            descending = not np.isnan(vr[last]) and vr[last] < -200.0
            j = last - 1
            while j >= fa and t[last] - t[j] <= 180 * US:
                if not np.isnan(alt[j]) and not np.isnan(alt[last]) and alt[j] - alt[last] > 150.0:
                    descending = True
                j -= 1
            reach_h = infer_max_h if f_end[f] == UNKNOWN else edge_max_h
            a, conf, d, h = _best_inferred(
                lat[last],
                lon[last],
                alt[last],
                trk[last],
                True,
                infer_radius_nm,
                far_nm if f_end[f] == UNKNOWN else 0.0,
                reach_h,
                *grid,
                af_elev,
                af_base,
            )
            if not descending:
                conf *= 0.5 if (not np.isnan(h) and h < 1000.0) else 0.0
            if a >= 0 and conf >= infer_min_conf:
                speed = gs[last] if (not np.isnan(gs[last]) and gs[last] > 60.0) else 140.0
                ts = t[last] + int(d / speed * 3600.0 * US)
                ev_i, ev_f, m = _push(
                    ev_i, ev_f, m, f, LANDING_INF, last, ts, a, conf, d, h, trk[last]
                )
                f_end[f] = INFERRED
            elif (
                a < 0
                and f_end[f] == UNKNOWN
                and (descending or (not np.isnan(vr[last]) and vr[last] <= 200.0))
                and _unlisted(alt[last], gs[last], UNLISTED_LANDING_FT, UNLISTED_LANDING_KT)
                and _no_field_near(lat[last], lon[last], infer_radius_nm, *grid)
            ):
                ev_i, ev_f, m = _push(
                    ev_i, ev_f, m, f, LANDING_INF, last, t[last], -1, UNLISTED_CONF, np.inf,
                    alt[last], trk[last],
                )  # fmt: skip
                f_end[f] = INFERRED

        # --- in between: touch-and-goes (ground runs left inside the flight)
        i = fa
        while i <= la:
            if g[i] == 1:
                r = i
                while r + 1 <= la and g[r + 1] == 1:
                    r += 1
                a, d = nearest_airfield(lat[i], lon[i], field_radius_nm, *grid)
                ev_i, ev_f, m = _push(
                    ev_i, ev_f, m, f, TOUCH_AND_GO, i, t[i], a, 1.0, d, 0.0, trk[i]
                )
                i = r + 1
            else:
                i += 1

        # low episodes: consecutive airborne points below the ceiling over airfields, entered
        # from above and left upward (so not the take-off, the landing or a touch-and-go)
        i = fa
        while i <= la:
            if (
                g[i] != 0
                or np.isnan(alt[i])
                or alt[i] - max_elev_near[cell_of(lat[i], lon[i])] >= pass_ceiling_ft
            ):
                i += 1
                continue
            a, d = nearest_airfield(lat[i], lon[i], pass_radius_nm, *grid)
            if a < 0 or alt[i] - af_elev[a] >= pass_ceiling_ft:
                i += 1
                continue
            r = i
            lo = i
            am = a
            while r + 1 <= la and g[r + 1] == 0 and not np.isnan(alt[r + 1]):
                a2, _ = nearest_airfield(lat[r + 1], lon[r + 1], pass_radius_nm, *grid)
                if a2 < 0 or alt[r + 1] - af_elev[a2] >= pass_ceiling_ft:
                    break
                r += 1
                if alt[r] < alt[lo]:
                    lo = r
                    am = a2
            entered = _above_before(i - 1, fa, -1, g, alt, t, af_elev[am] + pass_ceiling_ft)
            left = _above_before(r + 1, la, 1, g, alt, t, af_elev[am] + pass_ceiling_ft)
            if entered and left:
                q = lo
                while q > i and abs(alt[q - 1] - alt[lo]) <= level_band_ft:
                    q -= 1
                p = lo
                while p < r and abs(alt[p + 1] - alt[lo]) <= level_band_ft:
                    p += 1
                kind = LOW_PASS if (t[p] - t[q]) / US >= level_min_s else GO_AROUND
                dm = distance_nm(lat[lo], lon[lo], af_lat[am], af_lon[am])
                h = alt[lo] - af_elev[am]
                ev_i, ev_f, m = _push(ev_i, ev_f, m, f, kind, lo, t[lo], am, 0.9, dm, h, trk[lo])
            i = r + 1

    return f_begin, f_end, f_max_alt, f_dist, f_air, ev_i[:m].copy(), ev_f[:m].copy()
