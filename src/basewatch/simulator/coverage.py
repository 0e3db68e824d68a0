"""What the receivers could see: range and radio horizon, or a polygon; outages; missing days;
transponders switched off near chosen airfields."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from ..airfields import Reference
from ..geo import haversine_nm
from .scenario import Flight, Receiver, Scenario


def radio_horizon_nm(agl_ft: np.ndarray, antenna_ft: float) -> np.ndarray:
    """Line of sight between an aircraft and an antenna (standard refraction)."""
    return 1.23 * (np.sqrt(np.maximum(agl_ft, 0.0)) + np.sqrt(antenna_ft))


def in_polygon(
    lat: np.ndarray, lon: np.ndarray, poly: tuple[tuple[float, float], ...]
) -> np.ndarray:
    """Even-odd rule, vectorised over points (a polygon in lat/lon degrees)."""
    inside = np.zeros(len(lat), dtype=bool)
    n = len(poly)
    for i in range(n):
        y1, x1 = poly[i]
        y2, x2 = poly[(i + 1) % n]
        crosses = (y1 > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (lon < x_at)
    return inside


MESSAGE_LOSS_AT_EDGE = 0.6  # share of single messages lost at the limit of range, per receiver


class Coverage:
    """Visibility of positions to each receiver, with outages and missing archive days."""

    def __init__(self, scenario: Scenario) -> None:
        self.receivers: tuple[Receiver, ...] = scenario.receivers
        self.start = scenario.start.timestamp()
        self.end = scenario.end.timestamp()
        self.missing = np.array(
            sorted(
                datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp()
                for d in scenario.missing_days
            )
        )
        self.outages: dict[str, list[tuple[float, float]]] = {r.name: [] for r in self.receivers}
        for o in scenario.outages:
            for r in self.receivers:
                if not o.receiver or o.receiver == r.name:
                    self.outages[r.name].append((o.start.timestamp(), o.end.timestamp()))

    def archived(self, ts: np.ndarray) -> np.ndarray:
        """In the data window and not on a missing day."""
        ok = (ts >= self.start) & (ts < self.end)
        if len(self.missing):
            day = np.floor(ts / 86400.0) * 86400.0
            ok &= ~np.isin(day, self.missing)
        return ok

    def seen_by(self, r: Receiver, ts, lat, lon, agl_ft, rng=None) -> np.ndarray:
        """In range and line of sight (or inside the polygon), and the receiver up.

        With ``rng``, single messages are also lost now and then, more often towards the edge
        of range (a raw receiver decodes nearly everything close by and a fraction far out).
        """
        if r.polygon:
            seen = in_polygon(lat, lon, r.polygon)
            frac = np.zeros(len(lat))
        else:
            d = haversine_nm(r.lat, r.lon, lat, lon)
            limit = np.minimum(r.range_nm, radio_horizon_nm(agl_ft, r.antenna_ft))
            seen = d <= limit
            frac = d / np.maximum(limit, 1e-9)
        for a, b in self.outages[r.name]:
            seen &= ~((ts >= a) & (ts < b))
        if rng is not None:
            seen &= rng.random(len(seen)) >= MESSAGE_LOSS_AT_EDGE * frac**3
        return seen

    def per_receiver(self, ts, lat, lon, agl_ft, rng=None) -> np.ndarray:
        """(receivers, n) visibility, window and missing days applied."""
        arch = self.archived(ts)
        return np.stack([self.seen_by(r, ts, lat, lon, agl_ft, rng) & arch for r in self.receivers])

    def any(self, ts, lat, lon, agl_ft) -> np.ndarray:
        return self.per_receiver(ts, lat, lon, agl_ft).any(axis=0)


def dark_mask(flight: Flight, ref: Reference, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where the aircraft has its transponder off (near one of its ``dark_near`` fields)."""
    dark = np.zeros(len(lat), dtype=bool)
    for code in flight.dark_near:
        af = ref.airfield(code)
        dark |= haversine_nm(af.lat, af.lon, lat, lon) <= flight.dark_radius_nm
    return dark
