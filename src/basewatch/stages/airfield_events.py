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
from typing import NamedTuple

import numba as nb
import numpy as np
import pyarrow as pa

from .. import ids, schema
from .flights import GROUND_ONLY, INFERRED, OBSERVED, UNKNOWN, WINDOW_EDGE
from .nearby import (
    AirfieldGrid,
    angle_diff,
    bearing_deg,
    candidates,
    cell_of,
    distance_nm,
    nearest_airfield,
)
from .tracks import US, Tracks, icao_hex, ts_array

DETECTOR = "detect_airfield_events/2"

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


class EventParams(NamedTuple):
    """What makes an airfield event; compiled code takes it whole."""

    field_radius_nm: float = (
        5.0  # a ground point this close to an airfield's reference point is at it
    )
    edge_s: float = 300.0  # a flight seen first/last this close to a data-window edge was cut by it
    infer_radius_nm: float = 20.0  # where to look for the airfield of a dark arrival or departure
    infer_far_nm: float = 60.0  # … and, on a normal descent path straight at it, this far
    infer_max_height_ft: float = 4000.0  # above this, a vanishing aircraft is not landing
    infer_min_conf: float = 0.3  # weaker inferences are not reported
    pass_radius_nm: float = 3.0  # a low point this close to an airfield is a pass over it
    pass_ceiling_ft: float = 1000.0  # height above the field that makes a point "low"
    level_band_ft: float = 50.0  # a low pass flies level (within this band: two 25 ft steps) …
    level_min_s: float = 20.0  # … for at least this long (a go-around's dip lasts ~10 s)
    # Movements at places the reference does not list (a ship's deck, a strip, a helipad): a
    # flight that ends at deck height at approach speed, or begins just off the surface climbing
    # at launch speed, with no listed airfield within reach, is inferred with no airfield named.
    unlisted_landing_ft: float = 300.0  # pressure altitude of the last position, at most
    unlisted_landing_kt: float = 140.0  # and ground speed, at most (a carrier trap is ~100 kt)
    unlisted_launch_ft: float = 700.0  # the first position's, for a take-off
    unlisted_launch_kt: float = 200.0  # … and its ground speed, at most
    unlisted_conf: float = 0.5  # the confidence of such an inference
    # A flight seen only on the ground whose runway roll was seen without the air (an airborne
    # position needs two messages, a surface one only one): a landing when first seen at this
    # speed or more and slowing, a take-off when last seen at this speed or more accelerating
    roll_landing_kt: float = 70.0
    roll_takeoff_kt: float = 100.0
    roll_change_kt: float = 15.0  # the speed lost (gained) within 30 s of that row
    roll_conf: float = 0.8
    # an airborne report within this of the first one's altitude, next to the ground, is still
    # on the runway (looked for up to level_run_s from it)
    level_run_ft: float = 100.0
    level_run_s: float = 180.0


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
def _best_inferred(lat, lon, alt, trk, toward, radius_nm, far_nm, max_h, grid):
    """The airfield a low aircraft is most plausibly landing at (toward=True) or leaving.

    Near (within ``radius_nm``, below ``max_h``): scored by height above it, distance, and
    whether the track points at it (arrivals) or away from it (departures), on a glide a
    transport could fly. Far (up to ``far_nm``, as aircraft that go dark before a base do): only
    on a normal descent or climb path (150–600 ft per NM) with the track within 25° of it, at a
    confidence that falls with distance, and only for military bases (bases.toml), where going
    dark is what aircraft do. Within 1.5 NM alignment is how far abeam of the track line the
    reference point lies (a big airport's lies beside its runways, a heliport's anywhere).
    Returns
    (airfield, confidence, distance, height, runner-up airfield, its confidence).
    """
    best = -1
    best_c = 0.0
    best_d = np.inf
    best_h = np.nan
    second = -1
    second_c = 0.0
    if np.isnan(alt):
        return best, best_c, best_d, best_h, second, second_c
    reach = max(radius_nm, far_nm)
    for a in candidates(lat, lon, reach, grid):
        d = distance_nm(lat, lon, grid.lat[a], grid.lon[a])
        h = alt - grid.elev_ft[a]
        if d > reach or h < -500.0:
            continue
        off = -1.0  # unknown
        if not np.isnan(trk):
            brg = bearing_deg(lat, lon, grid.lat[a], grid.lon[a])
            off = angle_diff(trk, brg) if toward else angle_diff(trk, (brg + 180.0) % 360.0)
        grad = max(0.0, h) / max(d, 0.1)
        # an aircraft climbs out faster than it glides in, and turns onto its course
        # soon after take-off: departures are read with more height and a wider angle
        top = max_h if toward else 1.5 * max_h
        if d <= radius_nm and h <= top:
            c_h = (1.0 - max(0.0, h) / top) ** 0.5
            c_d = (1.0 - d / radius_nm) ** 0.5
            if off < 0.0:
                c_a = 0.8
            elif d < 1.5:
                # close in, the angle to a reference point says little (a big airport's lies
                # beside its runways): how far abeam of the track line it lies does, and it
                # must not lie more than a mile behind
                along = d * math.cos(math.radians(off))
                abeam = d * abs(math.sin(math.radians(off)))
                c_a = max(0.0, 1.0 - abeam / (2.5 if toward else 4.0)) if along > -1.0 else 0.0
            elif toward:
                c_a = math.cos(math.radians(off)) if off < 75.0 else 0.0
            else:
                c_a = math.cos(math.radians(off / 2.0)) if off < 100.0 else 0.0
            # a glide steeper than ~10° or far shallower than 1° does not end at this
            # field (an aircraft already down at field level near it is on its line)
            near_field = d < 2.0 or (h < 600.0 and d < 6.0)
            c_g = 1.0 if (near_field or (60.0 <= grad <= 1500.0)) else 0.3
            conf = c_h * c_d * c_a * c_g
        elif grid.is_base[a] and 150.0 <= grad <= 600.0 and 0.0 <= off < 25.0:
            conf = 0.6 * math.exp(-(d - radius_nm) / 40.0) * math.cos(math.radians(off))
        else:
            continue
        if conf > best_c:
            second, second_c = best, best_c
            best, best_c, best_d, best_h = a, conf, d, h
        elif conf > second_c:
            second, second_c = a, conf
    return best, best_c, best_d, best_h, second, second_c


@nb.njit(cache=True)
def _unlisted(alt, gs, max_ft, max_kt):
    return not np.isnan(alt) and not np.isnan(gs) and alt <= max_ft and 30.0 <= gs <= max_kt


@nb.njit(cache=True)
def _level_run(r, stop, landing, t, alt, p):
    """From the airborne row ``r`` next to the ground (the first after it for a take-off, the
    last before it for a landing), walking away from the ground toward ``stop`` for up to
    ``level_run_s``: (the farthest row of the unbroken run within 25 ft, one altitude step, of
    the first altitude there; whether the altitude then left that level by more than
    ``level_run_ft``). The first is the lift-off (touchdown) when a transponder reported
    airborne on the runway; the second says the movement was seen (jitter on the runway stays
    within the wider band)."""
    step = -1 if landing else 1
    ref = np.nan
    far = r
    near = True
    j = r
    while (j >= stop if landing else j <= stop) and abs(t[j] - t[r]) <= p.level_run_s * US:
        if not np.isnan(alt[j]):
            if np.isnan(ref):
                ref = alt[j]
            elif abs(alt[j] - ref) > p.level_run_ft:
                return far, True
            if near and abs(alt[j] - ref) <= 25.0:
                far = j
            else:
                near = False
        j += step
    return far, False


@nb.njit(cache=True)
def _at_edge(r, end, t, ws, we, p):
    """Is row ``r`` within ``edge_s`` of the end (``end``) or start of its data window?"""
    k = _windows_at(t[r], ws, we)
    return k >= 0 and ((we[k] - t[r]) if end else (t[r] - ws[k])) <= p.edge_s * US


@nb.njit(cache=True)
def _roll(s, last, landing, t, gs, ws, we, p):
    """The row of a runway roll at the start (``landing``: first row at ``roll_landing_kt`` or
    more, slowing by ``roll_change_kt`` within 30 s) or end (last row at ``roll_takeoff_kt``
    or more, having gained ``roll_change_kt`` in the 30 s before) of a flight seen only on the
    ground, else -1. Not at the edge of a data window (the roll may have been cut there)."""
    r = s if landing else last
    if np.isnan(gs[r]) or gs[r] < (p.roll_landing_kt if landing else p.roll_takeoff_kt):
        return -1
    k = _windows_at(t[r], ws, we)
    if k < 0 or (t[r] - ws[k] if landing else we[k] - t[r]) <= p.edge_s * US:
        return -1
    j = r + 1 if landing else r - 1
    while s <= j <= last and abs(t[j] - t[r]) <= 30 * US:
        if not np.isnan(gs[j]):
            if landing and gs[j] > gs[r] + 5.0:
                return -1  # faster again: not slowing after a touchdown
            if gs[r] - gs[j] >= p.roll_change_kt:
                return r
        j += 1 if landing else -1
    return -1


@nb.njit(cache=True)
def _speed_near(s, stop, step, t, gs):
    """Ground speed at row ``s``, else at the nearest row toward ``stop`` within 15 s."""
    j = s
    while (j >= stop if step < 0 else j <= stop) and abs(t[j] - t[s]) <= 15 * US:
        if not np.isnan(gs[j]):
            return gs[j]
        j += step
    return np.nan


@nb.njit(cache=True)
def _no_field_near(lat, lon, radius_nm, grid):
    a, _ = nearest_airfield(lat, lon, radius_nm, grid)
    return a < 0


@nb.njit(cache=True)
def _push(ev_i, ev_f, n, flight, kind, row, ts, af, conf, dist, h, trk, second=-1, margin=np.nan):
    """Append one event to the growing buffers (ints: flight, type, row, ts, airfield,
    runner-up airfield; floats: confidence, distance, height, track, margin over the
    runner-up)."""
    if n == ev_i.shape[0]:
        bigger_i = np.empty((2 * n + 16, 6), np.int64)
        bigger_f = np.empty((2 * n + 16, 5), np.float64)
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
    ev_i[n, 5] = second
    ev_f[n, 4] = margin
    return ev_i, ev_f, n + 1


@nb.njit(cache=True)
def _moving(s, stop, step, t, alt, vr):
    """Whether the aircraft is descending at its last row ``s`` (``step`` -1, looking back to
    ``stop``) or climbing at its first (``step`` 1, looking ahead)."""
    span = (180 if step < 0 else 120) * US
    j = s + step
    history = False
    change = 0.0  # altitude lost (looking back) or gained (ahead) over the span
    recent = 0.0  # the opposite change within 30 s of the end
    while (j >= stop if step < 0 else j <= stop) and abs(t[s] - t[j]) <= span:
        if not np.isnan(alt[j]) and not np.isnan(alt[s]):
            diff = alt[j] - alt[s]  # lost since j (looking back), gained by j (ahead)
            if abs(t[s] - t[j]) >= 20 * US:
                history = True
            change = max(change, diff)
            if abs(t[s] - t[j]) <= 30 * US:
                recent = max(recent, -diff)
        j += step
    if history:
        return change > 150.0 and recent <= 50.0
    if np.isnan(vr[s]):
        return False
    return vr[s] < -200.0 if step < 0 else vr[s] > 300.0


@nb.njit(cache=True)
def _dark_end(f, s, fa, la, toward, t, lat, lon, alt, gs, trk, vr, ws, we, p, grid, buf):
    """How flight ``f`` begins (``toward`` False: its first row ``s``) or ends (True: its last
    row ``s``) when the ground was not seen there: low and climbing away from a field (or
    descending toward one) is inferred, else it was cut by the data's edge or coverage (nothing
    invented). ``fa``/``la`` are its first and last airborne rows. Returns (how, buffers)."""
    ev_i, ev_f, m = buf
    k = _windows_at(t[s], ws, we)
    how = UNKNOWN
    if k >= 0 and ((we[k] - t[s]) if toward else (t[s] - ws[k])) <= p.edge_s * US:
        how = WINDOW_EDGE
    if how == WINDOW_EDGE:
        return how, (ev_i, ev_f, m)  # the data ended (or began) here: nothing seen to vanish
    # the motion at that end. Where the track has history (points from 20 s to 3 min before
    # the end, 2 min after the start), its altitudes decide: 150 ft lost (gained) over it and
    # not climbing back (descending) in the last (first) 30 s; a vertical rate alone is
    # noisy. With no history, the rate: below -200 ft/min is descending, above 300 climbing.
    # A landing is inferred only for an aircraft descending, a take-off only for one climbing.
    moving = _moving(s, fa if toward else la, -1 if toward else 1, t, alt, vr)
    a, conf, d, h, a2, conf2 = _best_inferred(
        lat[s], lon[s], alt[s], trk[s], toward, p.infer_radius_nm, p.infer_far_nm,
        p.infer_max_height_ft, grid,
    )  # fmt: skip
    if not moving:
        a = -1
    kind = LANDING_INF if toward else TAKEOFF_INF
    speed = gs[s] if (not np.isnan(gs[s]) and gs[s] > 60.0) else 140.0  # kt, to the field
    to_field_us = int(d / speed * 3600.0 * US) if (toward and a >= 0) else 0
    rate = vr[s] if (not np.isnan(vr[s]) and vr[s] > 300.0) else 1500.0  # ft/min, off it
    if a >= 0 and conf >= p.infer_min_conf:
        ts = t[s] + to_field_us if toward else t[s] - int(max(0.0, h) / rate * 60.0 * US)
        return INFERRED, _push(
            ev_i, ev_f, m, f, kind, s, ts, a, conf, d, h, trk[s], a2, conf - conf2
        )
    # a deck landing: seen descending at deck height and approach speed; a launch: climbing.
    # The speed is the end row's or, when that row has none (a position decoded before the
    # velocity message, a feed's row without one), the nearest within 15 s inside the flight
    deck = moving
    v = _speed_near(s, fa if toward else la, -1 if toward else 1, t, gs)
    if toward:
        unlisted = deck and _unlisted(alt[s], v, p.unlisted_landing_ft, p.unlisted_landing_kt)
    else:
        unlisted = deck and _unlisted(alt[s], v, p.unlisted_launch_ft, p.unlisted_launch_kt)
    if a < 0 and unlisted and _no_field_near(lat[s], lon[s], p.infer_radius_nm, grid):
        ts = t[s] if toward else t[s] - int(max(0.0, alt[s]) / rate * 60.0 * US)
        return INFERRED, _push(
            ev_i, ev_f, m, f, kind, s, ts, -1, p.unlisted_conf, np.inf, alt[s], trk[s]
        )
    return how, (ev_i, ev_f, m)


@nb.njit(cache=True)
def _events(starts, t, lat, lon, alt, gs, trk, vr, g, ws, we, p, grid):
    nf = len(starts)
    n = len(t)
    f_begin = np.full(nf, UNKNOWN, np.int8)
    f_end = np.full(nf, UNKNOWN, np.int8)
    f_max_alt = np.full(nf, np.nan)
    f_dist = np.zeros(nf)
    f_air = np.zeros(nf, np.int64)
    ev_i = np.empty((2 * nf + 16, 6), np.int64)
    ev_f = np.empty((2 * nf + 16, 5), np.float64)
    m = 0

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
            # the runway roll seen but not the air (no airborne position heard): first seen
            # rolling out fast and slowing, or last seen accelerating past take-off speed
            for toward in (True, False):
                r = _roll(s, e - 1, toward, t, gs, ws, we, p)
                if r >= 0:
                    a, d = nearest_airfield(lat[r], lon[r], p.field_radius_nm, grid)
                    if a >= 0:
                        kind = LANDING if toward else TAKEOFF
                        ev_i, ev_f, m = _push(
                            ev_i, ev_f, m, f, kind, r, t[r], a, p.roll_conf, d, 0.0, trk[r]
                        )
            continue

        # --- how the flight begins and ends: the ground seen at that end (observed), else
        # inferred or cut (_dark_end)
        last = e - 1
        for toward in (False, True):
            gnd_row = (fa - 1) if not toward else (la + 1)
            air_row = fa if not toward else la
            if (fa > s) if not toward else (la < last):
                a, d = nearest_airfield(lat[gnd_row], lon[gnd_row], p.field_radius_nm, grid)
                hdg = trk[air_row] if not np.isnan(trk[air_row]) else trk[gnd_row]
                conf = 1.0 if abs(t[air_row] - t[gnd_row]) <= 120 * US else 0.9
                row = air_row if not toward else gnd_row
                kind = LANDING if toward else TAKEOFF
                # transponders often report airborne while still rolling: a movement cut by the
                # data's edge before the altitude left (reached) the runway's level was not seen
                _, left = _level_run(air_row, la if not toward else fa, toward, t, alt, p)
                how = OBSERVED
                if not left and _at_edge(la if not toward else fa, not toward, t, ws, we, p):
                    how = WINDOW_EDGE
                else:
                    ev_i, ev_f, m = _push(
                        ev_i, ev_f, m, f, kind, row, t[row], a, conf, d, np.nan, hdg
                    )
            elif toward and fa == la and f_begin[f] == INFERRED:
                how = UNKNOWN  # one observation is not read both ways
            else:
                how, (ev_i, ev_f, m) = _dark_end(
                    f, last if toward else s, fa, la, toward,
                    t, lat, lon, alt, gs, trk, vr, ws, we, p, grid, (ev_i, ev_f, m),
                )  # fmt: skip
            if toward:
                f_end[f] = how
            else:
                f_begin[f] = how

        # --- in between: touch-and-goes (ground runs left inside the flight)
        i = fa
        while i <= la:
            if g[i] == 1:
                r = i
                while r + 1 <= la and g[r + 1] == 1:
                    r += 1
                a, d = nearest_airfield(lat[i], lon[i], p.field_radius_nm, grid)
                ev_i, ev_f, m = _push(
                    ev_i, ev_f, m, f, TOUCH_AND_GO, i, t[i], a, 1.0, d, 0.0, trk[i]
                )
                i = r + 1
            else:
                i += 1

        # low episodes: consecutive airborne points below the ceiling over airfields, entered
        # from above and left upward (so not the take-off, the landing or a touch-and-go)
        ceiling = p.pass_ceiling_ft
        i = fa
        while i <= la:
            if (
                g[i] != 0
                or np.isnan(alt[i])
                or alt[i] - grid.max_elev_near[cell_of(lat[i], lon[i])] >= ceiling
            ):
                i += 1
                continue
            a, d = nearest_airfield(lat[i], lon[i], p.pass_radius_nm, grid)
            if a < 0 or alt[i] - grid.elev_ft[a] >= ceiling:
                i += 1
                continue
            r = i
            lo = i
            am = a
            while r + 1 <= la and g[r + 1] == 0 and not np.isnan(alt[r + 1]):
                a2, _ = nearest_airfield(lat[r + 1], lon[r + 1], p.pass_radius_nm, grid)
                if a2 < 0 or alt[r + 1] - grid.elev_ft[a2] >= ceiling:
                    break
                r += 1
                if alt[r] < alt[lo]:
                    lo = r
                    am = a2
            top = grid.elev_ft[am] + ceiling
            entered = _above_before(i - 1, fa, -1, g, alt, t, top)
            left = _above_before(r + 1, la, 1, g, alt, t, top)
            if entered and left:
                q = lo
                while q > i and abs(alt[q - 1] - alt[lo]) <= p.level_band_ft:
                    q -= 1
                pp = lo
                while pp < r and abs(alt[pp + 1] - alt[lo]) <= p.level_band_ft:
                    pp += 1
                kind = LOW_PASS if (t[pp] - t[q]) / US >= p.level_min_s else GO_AROUND
                dm = distance_nm(lat[lo], lon[lo], grid.lat[am], grid.lon[am])
                h = alt[lo] - grid.elev_ft[am]
                ev_i, ev_f, m = _push(ev_i, ev_f, m, f, kind, lo, t[lo], am, 0.9, dm, h, trk[lo])
            i = r + 1

    return f_begin, f_end, f_max_alt, f_dist, f_air, ev_i[:m].copy(), ev_f[:m].copy()


class Found(NamedTuple):
    """What the kernel found: per flight how it begins and ends, its highest altitude,
    distance flown and airborne rows; per event its integers (flight, type, row, time µs,
    airfield) and floats (confidence, distance, height, track)."""

    begin: np.ndarray
    end: np.ndarray
    max_alt_ft: np.ndarray
    distance_nm: np.ndarray
    n_airborne: np.ndarray
    ev_i: np.ndarray
    ev_f: np.ndarray


def detect_airfield_events(
    tr: Tracks,
    g: np.ndarray,
    starts: np.ndarray,
    windows: np.ndarray,
    grid: AirfieldGrid,
    params: EventParams = EventParams(),
) -> Found:
    """Run the kernel over sorted tracks cut into flights at ``starts`` (``g``: ground state
    per row; ``windows``: the data windows as µs pairs)."""
    ws = windows[:, 0].copy() if len(windows) else np.zeros(0, np.int64)
    we = windows[:, 1].copy() if len(windows) else np.zeros(0, np.int64)
    return Found(
        *_events(
            starts,
            tr.t,
            tr.lat,
            tr.lon,
            tr.alt,
            tr.gs,
            tr.trk,
            tr.vr,
            g,
            ws,
            we,
            params,
            grid.arrays,
        )  # fmt: skip
    )


def event_rows(
    tr: Tracks, grid: AirfieldGrid, flight_ids: np.ndarray, starts: np.ndarray, found: Found
) -> pa.Table:
    """The ``airfield_events`` rows of what the kernel found, with their reasons, dark visits
    paired (an inferred landing and the same aircraft leaving that field)."""
    icao_f = tr.icao[starts]
    ev_f = found.ev_f.copy()
    paired = _pair_dark_visits(found.ev_i, ev_f, icao_f)
    return _event_rows(tr, grid, flight_ids, icao_f, found.ev_i, ev_f, paired)


def store_events(con, rows: pa.Table) -> None:
    """Append rows to ``airfield_events`` (the one place that writes it)."""
    from ..store import append

    append(con, "airfield_events", rows)


def drop_events(con, flights_view: str) -> None:
    """Delete the events of the flights listed in ``flights_view`` (a table with flight_id)."""
    con.execute(
        f"DELETE FROM airfield_events WHERE flight_id IN (SELECT flight_id FROM {flights_view})"
    )


_ROLL = {
    "landing": "first seen rolling out on the ground fast and slowing, no airborne position "
    "heard{at}",
    "takeoff": "last seen accelerating on the ground past take-off speed, no airborne position "
    "heard{at}",
}
_REASONS = {
    "takeoff": "on the ground then airborne{at}",
    "landing": "airborne then on the ground{at}",
    "touch_and_go": "on the runway briefly at speed, then airborne again{at}",
    "takeoff_inferred": "first seen {h:,.0f} ft above the field and climbing, {d:.1f} NM out",
    "landing_inferred": "last seen {h:,.0f} ft above the field, {d:.1f} NM out, descending toward it",
    "low_pass": "down to {h:,.0f} ft above the field, flying level along it, then climbing away",
    "go_around": "descended to {h:,.0f} ft above the field, then climbed away without landing",
}


_UNLISTED = {
    "takeoff_inferred": "first seen {h:,.0f} ft up, climbing at launch speed, no listed airfield "
    "within reach: a take-off from a place the reference does not list (a ship, a strip)",
    "landing_inferred": "last seen {h:,.0f} ft up at approach speed, no listed airfield within "
    "reach: a landing at a place the reference does not list (a ship, a strip)",
}


def _pair_dark_visits(
    ev_i: np.ndarray,
    ev_f: np.ndarray,
    icao_f: np.ndarray,
    min_s: float = 600,
    max_s: float = 7 * 86400,
) -> np.ndarray:
    """An inferred landing at a field and the same aircraft's next flight leaving that field
    (inferred or observed) confirm each other: both confidences become 1 - (1-c1)(1-c2),
    at most 0.95. Returns, per event, the seconds to (or from) its partner, NaN if none."""
    partner = np.full(len(ev_i), np.nan)
    flight, kind, _, ts, af = (ev_i[:, k] for k in range(5))
    first_of = {}
    for k in np.flatnonzero(np.isin(kind, (TAKEOFF, TAKEOFF_INF))):
        first_of[int(flight[k])] = k
    for k in np.flatnonzero(kind == LANDING_INF):
        f = int(flight[k])
        j = first_of.get(f + 1)
        if j is None or icao_f[f + 1] != icao_f[f] or af[j] != af[k] or af[k] < 0:
            continue
        dt = (ts[j] - ts[k]) / 1e6
        if not (min_s <= dt <= max_s):
            continue
        both = 1.0 - (1.0 - ev_f[k, 0]) * (1.0 - ev_f[j, 0])
        for q in (k, j):
            if kind[q] in (LANDING_INF, TAKEOFF_INF):
                ev_f[q, 0] = min(0.95, max(ev_f[q, 0], both))
            partner[q] = dt
    return partner


def _event_rows(tr, grid, fid, icao_f, ev_i, ev_f, paired) -> pa.Table:
    m = len(ev_i)
    flight, e_type, row, ts, af = (ev_i[:, k] for k in range(5))
    e_conf, dist, height, e_trk, margin = (ev_f[:, k] for k in range(5))
    second = ev_i[:, 5]
    kind = np.array(EVENT_TYPES, object)[e_type]
    code = np.where(af >= 0, grid.codes[np.maximum(af, 0)] if m else af, None)
    runner_up = np.where(second >= 0, grid.codes[np.maximum(second, 0)] if m else second, None)
    reasons = []
    for k, d, h, c, p, r2, mg in zip(
        kind.tolist(),
        dist.tolist(),
        height.tolist(),
        code.tolist(),
        paired.tolist(),
        runner_up.tolist(),
        margin.tolist(),
        strict=True,
    ):
        at = (
            f", {d:.1f} NM from {c}'s reference point"
            if c is not None
            else ", no airfield within reach"
        )
        if c is None and k in _UNLISTED:
            text = _UNLISTED[k].format(h=h if h == h else 0.0)
        elif k in _ROLL and h == 0.0:  # a roll seen without the air: the kernel's height 0
            text = _ROLL[k].format(at=at)
        else:
            text = _REASONS[k].format(at=at, d=d, h=h if h == h else 0.0)
        if p == p and k == "landing_inferred":
            text += f"; seen leaving it {p / 3600:.1f} h later"
        elif p == p and k == "takeoff_inferred":
            text += f"; last seen arriving there {p / 3600:.1f} h before"
        if c is not None and k in ("landing_inferred", "takeoff_inferred"):
            text += f"; next best {r2}, {mg:.2f} behind" if r2 is not None else "; no other field"
        reasons.append(text)
    eid = ids.chain(fid[flight] ^ e_type.astype(np.uint64), ts)
    table = pa.table(
        {
            "event_id": ids.hex16(eid),
            "flight_id": ids.hex16(fid[flight]),
            "icao24": icao_hex(icao_f[flight]),
            "event_type": pa.array(kind, pa.string()),
            "airfield": pa.array(code, pa.string()),
            "ts": ts_array(ts),
            "lat_deg": pa.array(tr.lat[row]),
            "lon_deg": pa.array(tr.lon[row]),
            "track_deg": pa.array(e_trk, from_pandas=True),
            "height_ft": pa.array(height, from_pandas=True),
            "distance_nm": pa.array(np.where(np.isinf(dist), np.nan, dist), from_pandas=True),
            "confidence": pa.array(e_conf),
            "reason": pa.array(reasons, pa.string()),
            "detector": pa.array([DETECTOR] * m, pa.string()),
            "runner_up": pa.array(runner_up, pa.string()),
            "margin": pa.array(margin, from_pandas=True),
        }
    )
    return table.cast(schema.AIRFIELD_EVENTS)
