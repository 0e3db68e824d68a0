"""Flight profiles: where an aircraft is, how fast and how high, at any time of its flight.

A flight is a path (great-circle segments between waypoints: stand, runway threshold, runway
end, climb-out, … approach fix, threshold, runway exit, stand) and a list of knots along it.
Between two knots the speed changes linearly in time and the altitude linearly in distance;
a knot can also hold the aircraft still (at the stand, before the runway). Evaluating the
profile at any array of times is then closed-form and vectorised: no time-stepping loop.

Visits make the phases: a departure (taxi, take-off roll, lift-off), en-route legs (climb,
cruise, descent, fitted to the leg's length), manoeuvres at an airfield (low pass, go-around,
touch-and-go, each followed by a circuit when the next visit is the same airfield) and an
arrival (approach, touchdown, landing roll, taxi). Movements (take-off, landing, low pass,
go-around, touch-and-go) are recorded at their knot, so the truth is exact.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

from ..airfields import Airfield, Reference
from ..geo import EARTH_RADIUS_NM, haversine_nm
from .scenario import Aircraft, Flight, Runway
from .types import PERFORMANCE, Performance

M_PER_NM = 1852.0
FIX_NM = 8.0  # final approach fix, on the extended centre line
FIX_AGL_FT = 2500.0  # about a 3° glide from the fix
CIRCUIT_AGL_FT = 1500.0
CIRCUIT_OFFSET_NM = 2.5
TOUCHDOWN_NM = 0.16  # ~300 m past the threshold
TURN_KT_PER_NM_RADIUS = 120.0  # a rate-one turn at ~25° bank: radius ≈ speed / 120 (NM, kt)


# --- geodesy ---------------------------------------------------------------------------------


def _vec(lat, lon) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _latlon(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    return np.degrees(np.arctan2(z, np.hypot(x, y))), np.degrees(np.arctan2(y, x))


def bearing(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Initial great-circle bearing, degrees 0..360."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.degrees(np.arctan2(y, x)) % 360.0


def destination(lat: float, lon: float, brg: float, dist_nm: float) -> tuple[float, float]:
    d = dist_nm / EARTH_RADIUS_NM
    p1, l1, b = np.radians(lat), np.radians(lon), np.radians(brg)
    p2 = np.arcsin(np.sin(p1) * np.cos(d) + np.cos(p1) * np.sin(d) * np.cos(b))
    l2 = l1 + np.arctan2(np.sin(b) * np.sin(d) * np.cos(p1), np.cos(d) - np.sin(p1) * np.sin(p2))
    return float(np.degrees(p2)), float((np.degrees(l2) + 540.0) % 360.0 - 180.0)


@dataclass(slots=True)
class Path:
    """Waypoints joined by great circles; positions by along-path distance (NM)."""

    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)
    radius: list[float] = field(default_factory=list)
    _v: np.ndarray | None = None
    _cum: np.ndarray | None = None
    _pole: np.ndarray | None = None

    def add(self, point: tuple[float, float], turn_kt: float = 0.0) -> float:
        """Append a waypoint; returns its along-path distance. With ``turn_kt`` the path turns
        at this waypoint on an arc flown at that speed (once the next waypoint is known)."""
        if len(self.lat) >= 2 and self.radius[-1] > 0:
            self._fillet(point)
        if self.lat:
            d = float(haversine_nm(self.lat[-1], self.lon[-1], point[0], point[1]))
            self.cum.append(self.cum[-1] + d)
        else:
            self.cum.append(0.0)
        self.lat.append(point[0])
        self.lon.append(point[1])
        self.radius.append(turn_kt / TURN_KT_PER_NM_RADIUS)
        return self.cum[-1]

    def _fillet(self, nxt: tuple[float, float]) -> None:
        """Replace the last waypoint (a corner) by an arc tangent to both legs."""
        clat, clon = self.lat[-1], self.lon[-1]
        k = np.cos(np.radians(clat))

        def local(lat: float, lon: float) -> np.ndarray:  # NM east, north of the corner
            return np.array([(lon - clon) * 60.0 * k, (lat - clat) * 60.0])

        a, b = local(self.lat[-2], self.lon[-2]), local(*nxt)
        la, lb = np.linalg.norm(a), np.linalg.norm(b)
        if la < 1e-6 or lb < 1e-6:
            return
        u_in, u_out = -a / la, b / lb
        turn = float(np.arccos(np.clip(np.dot(u_in, u_out), -1.0, 1.0)))
        if turn < np.radians(3.0):
            return
        r = self.radius[-1]
        t = r * np.tan(turn / 2.0)
        limit = 0.45 * min(la, lb)
        if t > limit:
            t, r = limit, limit / np.tan(turn / 2.0)
        side = np.sign(u_in[0] * u_out[1] - u_in[1] * u_out[0])  # +1 left turn, -1 right
        normal = np.array([-u_in[1], u_in[0]]) * side
        t1 = -u_in * t
        centre = t1 + normal * r
        start = np.arctan2(t1[1] - centre[1], t1[0] - centre[0])
        steps = max(int(np.degrees(turn) // 10.0), 1)
        ang = start + side * np.linspace(0.0, turn, steps + 1)
        pts = centre[None, :] + r * np.stack([np.cos(ang), np.sin(ang)], axis=1)
        lats = clat + pts[:, 1] / 60.0
        lons = clon + pts[:, 0] / (60.0 * k)
        # drop the corner, add the arc
        self.lat.pop(), self.lon.pop(), self.cum.pop(), self.radius.pop()
        for la_, lo_ in zip(lats.tolist(), lons.tolist(), strict=True):
            d = float(haversine_nm(self.lat[-1], self.lon[-1], la_, lo_))
            self.cum.append(self.cum[-1] + d)
            self.lat.append(la_)
            self.lon.append(lo_)
            self.radius.append(0.0)

    @property
    def end(self) -> tuple[float, float]:
        return self.lat[-1], self.lon[-1]

    def freeze(self) -> None:
        self._v = _vec(np.array(self.lat), np.array(self.lon))
        self._cum = np.array(self.cum)
        # each segment's great-circle pole: the direction of travel at p is pole × p
        if len(self.lat) > 1:
            n = np.cross(self._v[:-1], self._v[1:])
            norm = np.linalg.norm(n, axis=1)
            ok = norm > 1e-12
            if not ok.any():
                n[:] = (0.0, 0.0, 1.0)  # a path that goes nowhere: say north
            else:
                idx = np.where(ok, np.arange(len(n)), -1)
                np.maximum.accumulate(idx, out=idx)
                first = int(np.argmax(ok))
                idx[idx < 0] = first
                n = n[idx] / norm[idx][:, None]
            self._pole = n

    def position(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Latitude, longitude and track (degrees) at each along-path distance."""
        cum = self._cum
        if len(cum) == 1:
            n = len(s)
            return np.full(n, self.lat[0]), np.full(n, self.lon[0]), np.zeros(n)
        s = np.clip(s, 0.0, cum[-1])
        seg = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(cum) - 2)
        length = cum[seg + 1] - cum[seg]
        f = np.where(length > 0, (s - cum[seg]) / np.where(length > 0, length, 1.0), 0.0)
        a, b = self._v[seg], self._v[seg + 1]
        omega = length / EARTH_RADIUS_NM
        so = np.sin(omega)
        small = so < 1e-12
        wa = np.where(small, 1.0 - f, np.sin((1.0 - f) * omega) / np.where(small, 1.0, so))
        wb = np.where(small, f, np.sin(f * omega) / np.where(small, 1.0, so))
        v = a * wa[:, None] + b * wb[:, None]
        lat, lon = _latlon(v)
        d = np.cross(self._pole[seg], v)
        la, lo = np.radians(lat), np.radians(lon)
        east = -np.sin(lo) * d[:, 0] + np.cos(lo) * d[:, 1]
        north = (
            -np.sin(la) * np.cos(lo) * d[:, 0]
            - np.sin(la) * np.sin(lo) * d[:, 1]
            + np.cos(la) * d[:, 2]
        )
        return lat, lon, np.degrees(np.arctan2(east, north)) % 360.0


# --- runways ---------------------------------------------------------------------------------


def runway_heading(af: Airfield, runways: dict[str, Runway], want_deg: float) -> float:
    """The runway direction in use: the end facing closest to ``want_deg`` (as wind would)."""
    rw = runways.get(af.icao)
    base = rw.heading_deg if rw else (zlib.crc32(af.icao.encode()) % 18) * 10.0
    alt = (base + 180.0) % 360.0
    diff = lambda h: abs((h - want_deg + 180.0) % 360.0 - 180.0)  # noqa: E731
    return base if diff(base) <= diff(alt) else alt


def runway_length_nm(af: Airfield, runways: dict[str, Runway]) -> float:
    rw = runways.get(af.icao)
    return (rw.length_m if rw else 2800.0) / M_PER_NM


# --- the profile -----------------------------------------------------------------------------


@dataclass(slots=True)
class Profile:
    """Knots along a path; evaluate with ``at(epoch_seconds)``."""

    flight: Flight
    aircraft: Aircraft
    t0: float  # epoch seconds of the first knot
    t: np.ndarray  # knot times, seconds from t0
    s: np.ndarray  # along-path distance, NM
    v: np.ndarray  # ground speed, kt
    h: np.ndarray  # altitude, ft (field elevation on the ground)
    ground: np.ndarray  # per interval (len n-1): on the ground
    step: np.ndarray  # per interval: readsb-like sampling step, seconds
    path: Path
    movements: list[tuple[float, str, str]]  # (epoch s, airfield, kind)
    elev_at: list[tuple[float, float]]  # (epoch s, elevation ft) of the visit airfields

    @property
    def start(self) -> float:
        return self.t0

    @property
    def end(self) -> float:
        return self.t0 + float(self.t[-1])

    @property
    def takeoff_ts(self) -> float:
        return next(t for t, _, k in self.movements if k == "takeoff")

    @property
    def landing_ts(self) -> float:
        return next(t for t, _, k in reversed(self.movements) if k == "landing")

    def at(self, ts: np.ndarray) -> dict[str, np.ndarray]:
        """State at each time (epoch seconds, clipped to the flight)."""
        T, S, V, H = self.t, self.s, self.v, self.h
        tr = np.clip(np.asarray(ts, dtype=np.float64) - self.t0, 0.0, T[-1])
        k = np.clip(np.searchsorted(T, tr, side="right") - 1, 0, len(T) - 2)
        tau = tr - T[k]
        dt = T[k + 1] - T[k]
        a = np.where(dt > 0, (V[k + 1] - V[k]) / np.where(dt > 0, dt, 1.0), 0.0)
        v = V[k] + a * tau
        s = S[k] + (V[k] * tau + 0.5 * a * tau * tau) / 3600.0
        ds = S[k + 1] - S[k]
        slope = np.where(ds > 0, (H[k + 1] - H[k]) / np.where(ds > 0, ds, 1.0), 0.0)  # ft/NM
        h = H[k] + slope * (s - S[k])
        vrate = slope * v / 60.0
        lat, lon, track = self.path.position(s)
        return {
            "ts": tr + self.t0,
            "lat": lat,
            "lon": lon,
            "alt_ft": h,
            "gs_kt": v,
            "track_deg": track,
            "vrate_fpm": vrate,
            "ground": self.ground[k],
            "phase_step": self.step[k],
        }

    def sample_times(self, rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
        """readsb-like sample times: dense on the runway, in climbs and turns, sparse in cruise."""
        T = self.t
        dt = np.diff(T)
        step = self.step * scale
        n = np.maximum(np.ceil(dt / step).astype(np.int64), 1)
        n[dt <= 0] = 0
        idx = np.repeat(np.arange(len(dt)), n)
        first = np.repeat(np.cumsum(n) - n, n)
        j = np.arange(int(n.sum())) - first
        width = dt[idx] / n[idx]
        u = rng.uniform(0.0, 0.6, size=len(idx))
        out = T[idx] + (j + u) * width
        return np.concatenate([out, T[[0, -1]]]) + self.t0


class _Knots:
    def __init__(self, elev: float) -> None:
        self.s, self.v, self.h = [0.0], [0.0], [elev]
        self.ground: list[bool] = []
        self.step: list[float] = []
        self.dwell: list[float] = []

    @property
    def last(self) -> tuple[float, float, float]:
        return self.s[-1], self.v[-1], self.h[-1]

    def to(self, s: float, v: float, h: float, ground: bool = False, step: float = 4.0) -> int:
        if s > self.s[-1] and v + self.v[-1] <= 0:
            v = 1.0
        self.s.append(max(s, self.s[-1]))
        self.v.append(v)
        self.h.append(h)
        self.ground.append(ground)
        self.step.append(step)
        self.dwell.append(0.0)
        return len(self.s) - 1

    def toward(
        self, s: float, v: float, h_want: float, up_fpm: float, down_fpm: float, step: float = 4.0
    ) -> int:
        """Fly to ``s`` aiming for ``h_want``, no faster in altitude than the class can climb
        or descend over the time the segment takes."""
        s0, v0, h0 = self.last
        minutes = 2.0 * max(s - s0, 0.0) / max(v + v0, 1.0) * 60.0
        h = (
            min(h_want, h0 + up_fpm * minutes)
            if h_want >= h0
            else max(h_want, h0 - down_fpm * minutes)
        )
        return self.to(s, v, h, False, step)

    def hold(self, seconds: float, ground: bool = True, step: float = 20.0) -> int:
        self.to(self.s[-1], 0.0, self.h[-1], ground, step)
        self.dwell[-1] = 0.0
        i = self.to(self.s[-1], 0.0, self.h[-1], ground, step)
        self.dwell[-1] = seconds
        return i

    def times(self) -> np.ndarray:
        s, v = np.array(self.s), np.array(self.v)
        ds = np.diff(s)
        vs = v[:-1] + v[1:]
        dt = np.where(
            np.array(self.dwell) > 0,
            np.array(self.dwell),
            np.where(vs > 0, 2.0 * ds / np.where(vs > 0, vs, 1.0) * 3600.0, 0.0),
        )
        return np.concatenate([[0.0], np.cumsum(dt)])


def _ramp_nm(h0: float, h1: float, v0: float, v1: float, fpm: float) -> float:
    minutes = abs(h1 - h0) / fpm
    return minutes * (v0 + v1) / 2.0 / 60.0


def _airborne_step(h0: float, h1: float) -> float:
    if h0 == h1:
        return 8.0 if h0 < 10000 else 40.0
    return 4.0 if min(h0, h1) < 10000 else 10.0


class _Builder:
    def __init__(self, flight: Flight, ac: Aircraft, ref: Reference, runways: dict, rng) -> None:
        self.f, self.ac, self.ref, self.runways, self.rng = flight, ac, ref, runways, rng
        self.p: Performance = PERFORMANCE[ac.aircraft_class]
        self.path = Path()
        origin = ref.airfield(flight.origin)
        self.k = _Knots(origin.elevation_ft)
        self.moves: list[tuple[int, str, str]] = []
        self.visit_elev: list[tuple[int, float]] = [(0, origin.elevation_ft)]

    # geometry of one airfield visit
    def _runway(self, af: Airfield, want: float) -> dict[str, tuple[float, float] | float]:
        hdg = runway_heading(af, self.runways, want)
        half = runway_length_nm(af, self.runways) / 2.0
        thr = destination(af.lat, af.lon, hdg + 180.0, half)
        end = destination(af.lat, af.lon, hdg, half)
        return {"hdg": hdg, "thr": thr, "end": end, "len": 2.0 * half}

    def depart(self, af: Airfield, toward: tuple[float, float]) -> None:
        p, k = self.p, self.k
        rw = self._runway(af, float(bearing(af.lat, af.lon, *toward)))
        stand = destination(af.lat, af.lon, rw["hdg"] + 90.0, 0.35)
        self.path.add(stand)
        k.hold(float(self.rng.uniform(120, 420)), step=30.0)
        s_thr = self.path.add(rw["thr"], turn_kt=p.taxi_kt)
        k.to(s_thr, p.taxi_kt, af.elevation_ft, True, 10.0)
        k.to(s_thr, 0.0, af.elevation_ft, True, 10.0)
        k.hold(float(self.rng.uniform(30, 180)), step=15.0)
        lift = k.to(s_thr + p.takeoff_roll_m / M_PER_NM, p.rotate_kt, af.elevation_ft, True, 2.0)
        self.moves.append((lift, af.icao, "takeoff"))
        self.path.add(rw["end"])
        self.path.add(destination(*rw["end"], rw["hdg"], 4.0), turn_kt=p.climb_kt)

    def approach_point(self, af: Airfield, circuit: bool) -> tuple[dict, tuple[float, float]]:
        want = float(bearing(*self.path.end, af.lat, af.lon))
        rw = self._runway(af, want)
        fix = destination(*rw["thr"], rw["hdg"] + 180.0, 4.0 if circuit else FIX_NM)
        return rw, fix

    def leg(self, af: Airfield) -> dict:
        """Climb, cruise and descend from where we are to the next airfield's approach fix."""
        p, k = self.p, self.k
        rw, fix = self.approach_point(af, circuit=False)
        s_fix = self.path.add(fix, turn_kt=min(200.0, p.approach_kt + 50.0))
        s0, v0, h0 = k.last
        fix_h = af.elevation_ft + FIX_AGL_FT
        v_fix = min(200.0, p.approach_kt + 50.0)
        cruise_kt = self.f.cruise_kt
        low_kt = min(p.climb_kt, cruise_kt)
        avail = s_fix - s0

        def plan(H: float) -> tuple[list, list]:
            climb, descent = [], []
            h, v = h0, v0
            for target, vt, fpm in (
                (min(10000.0, H), low_kt, p.climb_fpm),
                (H, cruise_kt, p.climb_high_fpm),
            ):
                if target > h:
                    climb.append((_ramp_nm(h, target, v, vt, fpm), vt, target))
                    h, v = target, vt
            h, v = H, cruise_kt
            for target, vt in ((max(10000.0, fix_h), low_kt), (fix_h, v_fix)):
                if target < h:
                    descent.append((_ramp_nm(h, target, v, vt, p.descent_fpm), vt, target))
                    h, v = target, vt
            return climb, descent

        H = self.f.cruise_ft
        floor = max(h0, fix_h) + 500.0
        climb, descent = plan(H)
        while sum(c[0] for c in climb + descent) > avail and floor < H:
            H = max(H - 1000.0, floor)
            climb, descent = plan(H)
        if sum(c[0] for c in climb + descent) > avail:
            k.to(s_fix, v_fix, fix_h, False, 4.0)
            return rw
        s = s0
        h = h0
        for dist, vt, target in climb:
            s += dist
            k.to(s, vt, target, False, _airborne_step(h, target))
            h = target
        top = s
        s_desc = s_fix - sum(d[0] for d in descent)
        if s_desc > top:
            k.to(s_desc, k.v[-1] if climb else cruise_kt, h, False, 40.0)
        s = s_desc
        for dist, vt, target in descent:
            s += dist
            k.to(s, vt, target, False, _airborne_step(h, target))
            h = target
        return rw

    def circuit(self, af: Airfield, rw: dict) -> dict:
        """After a manoeuvre: a right-hand circuit back to a 4 NM final."""
        p, k = self.p, self.k
        e = af.elevation_ft
        hdg = rw["hdg"]
        v = min(p.approach_kt + 40.0, p.climb_kt)
        pts = [
            destination(*self.path.end, hdg + 90.0, CIRCUIT_OFFSET_NM),
            destination(*destination(*rw["thr"], hdg + 90.0, CIRCUIT_OFFSET_NM), hdg + 180.0, 1.0),
            destination(*destination(*rw["thr"], hdg + 180.0, 4.0), hdg + 90.0, CIRCUIT_OFFSET_NM),
            destination(*rw["thr"], hdg + 180.0, 4.0),
        ]
        for i, pt in enumerate(pts):
            s = self.path.add(pt)
            k.to(
                s,
                v if i < 3 else p.approach_kt + 20.0,
                e + (CIRCUIT_AGL_FT if i < 2 else 1200.0),
                False,
                6.0,
            )
        return rw

    def maneuver(self, af: Airfield, rw: dict, kind: str) -> None:
        p, k = self.p, self.k
        e = af.elevation_ft
        s_thr = self.path.add(rw["thr"])
        if kind == "low_pass":
            k.to(s_thr, p.approach_kt + 20.0, e + 100.0, False, 3.0)
            s_mid = s_thr + rw["len"] / 2.0
            i = k.to(s_mid, p.approach_kt + 20.0, e + 100.0, False, 2.0)
        elif kind == "go_around":
            i = k.to(s_thr, p.approach_kt, e + 150.0, False, 3.0)
        else:  # touch_and_go
            k.to(s_thr, p.approach_kt, e + 50.0, False, 3.0)
            i = k.to(s_thr + TOUCHDOWN_NM, p.approach_kt - 5.0, e, False, 2.0)
            k.to(s_thr + TOUCHDOWN_NM + 0.3, p.approach_kt - 25.0, e, True, 2.0)
            k.to(
                s_thr + min(rw["len"] * 0.85, TOUCHDOWN_NM + 0.3 + p.takeoff_roll_m / M_PER_NM),
                p.rotate_kt,
                e,
                True,
                2.0,
            )
        self.moves.append((i, af.icao, kind))
        s_end = self.path.add(rw["end"])
        if kind == "low_pass":
            k.to(s_end, p.approach_kt + 20.0, e + 100.0, False, 2.0)
        else:
            k.toward(s_end, p.approach_kt + 20.0, e + 600.0, p.climb_fpm, p.descent_fpm, 3.0)
        s_up = self.path.add(
            destination(*rw["end"], rw["hdg"], 2.0), turn_kt=min(p.approach_kt + 40.0, p.climb_kt)
        )
        v_up = min(p.approach_kt + 40.0, p.climb_kt)
        k.toward(s_up, v_up, e + CIRCUIT_AGL_FT, p.climb_fpm, p.descent_fpm, 4.0)
        self.visit_elev.append((i, e))

    def land(self, af: Airfield, rw: dict) -> None:
        p, k = self.p, self.k
        e = af.elevation_ft
        s_thr = self.path.add(rw["thr"])
        k.to(s_thr, p.approach_kt, e + 50.0, False, 3.0)
        td = k.to(s_thr + TOUCHDOWN_NM, p.approach_kt - 5.0, e, False, 2.0)
        self.moves.append((td, af.icao, "landing"))
        self.visit_elev.append((td, e))
        roll = TOUCHDOWN_NM + p.landing_roll_m / M_PER_NM
        exit_pt = destination(*rw["thr"], rw["hdg"], roll)
        s_exit = self.path.add(exit_pt, turn_kt=p.taxi_kt)
        k.to(s_exit, p.taxi_kt, e, True, 3.0)
        stand = destination(af.lat, af.lon, rw["hdg"] + 90.0, 0.35)
        s_stand = self.path.add(stand)
        k.to(s_stand, p.taxi_kt, e, True, 10.0)
        k.to(s_stand, 0.0, e, True, 10.0)
        k.hold(float(self.rng.uniform(60, 300)), step=30.0)


def build_profile(
    flight: Flight,
    aircraft: Aircraft,
    ref: Reference,
    runways: dict[str, Runway],
    rng: np.random.Generator,
) -> Profile:
    b = _Builder(flight, aircraft, ref, runways, rng)
    origin = ref.airfield(flight.origin)
    visits = [(m.airfield, m.kind) for m in flight.maneuvers] + [(flight.destination, "landing")]
    first = ref.airfield(visits[0][0])
    b.depart(origin, (first.lat, first.lon) if first.icao != origin.icao else _away(origin))
    here = origin.icao
    rw = None
    for code, kind in visits:
        af = ref.airfield(code)
        if code == here and rw is not None:
            rw = b.circuit(af, rw)
        elif code == here:
            # a manoeuvre back at the origin: go out and come round
            rw, fix = b.approach_point(af, circuit=True)
            b.circuit(af, rw)
        else:
            rw = b.leg(af)
        if kind == "landing":
            b.land(af, rw)
        else:
            b.maneuver(af, rw, kind)
        here = code
    b.path.freeze()
    k = b.k
    T = k.times()
    lift = next(i for i, _, kind in b.moves if kind == "takeoff")
    t0 = flight.departure.timestamp() - float(T[lift])
    return Profile(
        flight=flight,
        aircraft=aircraft,
        t0=t0,
        t=T,
        s=np.array(k.s),
        v=np.array(k.v),
        h=np.array(k.h),
        ground=np.array(k.ground, dtype=bool),
        step=np.array(k.step),
        path=b.path,
        movements=[(t0 + float(T[i]), code, kind) for i, code, kind in b.moves],
        elev_at=[(t0 + float(T[i]), e) for i, e in b.visit_elev],
    )


def _away(af: Airfield) -> tuple[float, float]:
    return destination(af.lat, af.lon, 0.0, 20.0)


def elevation_series(profile: Profile, ts: np.ndarray) -> np.ndarray:
    """Field elevation to measure height above ground against: the nearer visit in time."""
    times = np.array([t for t, _ in profile.elev_at])
    elev = np.array([e for _, e in profile.elev_at])
    if len(times) == 1:
        return np.full(len(ts), elev[0])
    mid = (times[:-1] + times[1:]) / 2.0
    return elev[np.searchsorted(mid, ts)]
