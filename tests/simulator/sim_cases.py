"""Shared by the simulator tests: short-span scenarios and the true state behind a position."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from functools import cache

import numpy as np

from basewatch.airfields import load_reference
from basewatch.simulator.scenario import load_scenario
from basewatch.simulator.traffic import plan_traffic

SCENARIOS = ("khmeimim-2025", "trap-low-pass", "trap-midair", "trap-patchy", "trap-missing-day")
FORMATS = ("trace_full", "beast", "avr", "sbs", "opensky-csv")

# short windows that keep each scenario's point (the tests write every format of each)
SHORT = {
    "khmeimim-2025": ("2025-10-26T04:30:00Z", "2025-10-26T10:00:00Z"),
    "trap-patchy": ("2025-10-24T02:00:00Z", "2025-10-24T05:30:00Z"),
    "trap-missing-day": ("2025-03-01T00:00:00Z", "2025-03-03T00:00:00Z"),
}


@cache
def short_scenario(name: str):
    sc = load_scenario(name)
    if name in SHORT:
        a, b = (datetime.fromisoformat(x.replace("Z", "+00:00")) for x in SHORT[name])
        sc = dataclasses.replace(sc, start=a, end=b)
        if name == "khmeimim-2025":  # fewer background flights: only OSLK's
            sc = dataclasses.replace(
                sc, background=tuple(b for b in sc.background if b.airfield == "OSLK")
            )
    return sc


@cache
def planned(name: str, seed: int | None = None):
    sc = short_scenario(name)
    return plan_traffic(sc, load_reference(), sc.seed if seed is None else seed)


def true_states(name: str, icao24: np.ndarray, ts: np.ndarray) -> dict[str, np.ndarray]:
    """The simulated aircraft's true state at each (icao24, epoch seconds); NaN if none flew."""
    traffic = planned(name)
    n = len(ts)
    out = {k: np.full(n, np.nan) for k in ("lat", "lon", "alt_ft", "gs_kt")}
    by_icao: dict[str, list] = {}
    for p in traffic.profiles:
        by_icao.setdefault(p.flight.icao24, []).append(p)
    for icao, profiles in by_icao.items():
        sel = icao24 == icao
        for p in profiles:
            m = sel & (ts >= p.start - 1.0) & (ts <= p.end + 1.0)
            if m.any():
                st = p.at(ts[m])
                for k in out:
                    out[k][m] = st[k]
    return out


def epoch(dt: datetime) -> float:
    return dt.astimezone(UTC).timestamp()
