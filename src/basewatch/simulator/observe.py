"""What the receivers got from each flight on one day: states at emission times, with coverage,
transponder-off zones and faults applied. Writers turn these into file formats.

Two kinds of emission: readsb-like trace points (what an aggregator keeps: dense in climbs and
turns, sparse in cruise) and raw Mode S messages at transponder-like rates (positions,
velocities, identification, altitude and identity replies), per receiver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..airfields import Reference
from .coverage import Coverage, dark_mask
from .faults import add_noise
from .profiles import Profile, elevation_series
from .scenario import Faults
from .traffic import rng_for

# raw message kinds and their rates (per second, scaled by the scenario's raw_rate)
POS, VEL, IDENT, ALT_REPLY, ID_REPLY = 0, 1, 2, 3, 4
RATES = {POS: 0.5, VEL: 0.2, IDENT: 0.05, ALT_REPLY: 0.1, ID_REPLY: 0.1}


@dataclass(slots=True)
class Observed:
    """Arrays of one aircraft's emissions, time-ordered."""

    ts: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    alt_ft: np.ndarray
    gs_kt: np.ndarray
    track_deg: np.ndarray
    vrate_fpm: np.ndarray
    ground: np.ndarray
    kind: np.ndarray  # raw message kind (POS for trace points)
    seen: np.ndarray  # (receivers, n) visibility; for trace points (1, n): the network
    new_leg: np.ndarray  # first emission of the flight

    def take(self, idx: np.ndarray) -> Observed:
        return Observed(
            *(getattr(self, f)[idx] for f in ("ts", "lat", "lon", "alt_ft", "gs_kt", "track_deg")),
            self.vrate_fpm[idx],
            self.ground[idx],
            self.kind[idx],
            self.seen[:, idx],
            self.new_leg[idx],
        )

    def __len__(self) -> int:
        return len(self.ts)


def _observe(
    p: Profile,
    ts: np.ndarray,
    kind: np.ndarray,
    cov: Coverage,
    ref: Reference,
    faults: Faults,
    seed: int,
    day0: float,
    per_receiver: bool,
) -> Observed | None:
    keep = (ts >= day0) & (ts < day0 + 86400.0) & (ts >= p.start) & (ts <= p.end)
    ts, kind = ts[keep], kind[keep]
    if len(ts) == 0:
        return None
    st = p.at(ts)
    agl = st["alt_ft"] - elevation_series(p, ts)
    dark = dark_mask(p.flight, ref, st["lat"], st["lon"])
    if per_receiver:
        loss = rng_for(seed, p.flight.flight_ref, "loss", str(int(day0)))
        seen = cov.per_receiver(ts, st["lat"], st["lon"], agl, loss) & ~dark
    else:
        seen = (cov.any(ts, st["lat"], st["lon"], agl) & ~dark)[None, :]
    any_seen = seen.any(axis=0)
    if not any_seen.any():
        return None
    idx = np.flatnonzero(any_seen)
    rng = rng_for(seed, p.flight.flight_ref, "noise", str(int(day0)))
    lat, lon = add_noise(st["lat"][idx], st["lon"][idx], faults, rng)
    first = np.zeros(len(idx), dtype=bool)
    first[0] = p.start >= day0  # the flight began this day: readsb starts a new leg
    return Observed(
        ts=ts[idx],
        lat=lat,
        lon=lon,
        alt_ft=st["alt_ft"][idx],
        gs_kt=st["gs_kt"][idx],
        track_deg=st["track_deg"][idx],
        vrate_fpm=st["vrate_fpm"][idx],
        ground=st["ground"][idx],
        kind=kind[idx],
        seen=seen[:, idx],
        new_leg=first,
    )


def trace_points(
    p: Profile, cov: Coverage, ref: Reference, faults: Faults, seed: int, day0: float
) -> Observed | None:
    ts = np.unique(p.sample_times(rng_for(seed, p.flight.flight_ref, "trace")))
    return _observe(p, ts, np.zeros(len(ts), np.int8), cov, ref, faults, seed, day0, False)


def state_vectors(
    p: Profile, cov: Coverage, ref: Reference, faults: Faults, seed: int, day0: float
) -> Observed | None:
    """OpenSky-like: one state every 10 s on the whole second."""
    lo = max(p.start, day0)
    hi = min(p.end, day0 + 86400.0)
    if hi <= lo:
        return None
    ts = np.arange(np.ceil(lo / 10.0) * 10.0, hi, 10.0)
    return _observe(p, ts, np.zeros(len(ts), np.int8), cov, ref, faults, seed, day0, False)


def raw_messages(
    p: Profile, cov: Coverage, ref: Reference, faults: Faults, seed: int, day0: float, scale: float
) -> Observed | None:
    lo = max(p.start, day0)
    hi = min(p.end, day0 + 86400.0)
    if hi <= lo:
        return None
    rng = rng_for(seed, p.flight.flight_ref, "raw", str(int(day0)))
    times, kinds = [], []
    for kind, rate in RATES.items():
        if kind == IDENT and not p.flight.callsign:
            continue  # no flight identification set: nothing to send
        if kind == ID_REPLY and not p.flight.squawk:
            continue
        period = 1.0 / (rate * scale)
        start = lo + float(rng.uniform(0.0, period))
        t = np.arange(start, hi, period)
        t = t + rng.uniform(-0.1, 0.1, len(t)) * period
        times.append(t)
        kinds.append(np.full(len(t), kind, np.int8))
    ts = np.concatenate(times)
    kind = np.concatenate(kinds)
    order = np.argsort(ts, kind="stable")
    obs = _observe(p, ts[order], kind[order], cov, ref, faults, seed, day0, True)
    if obs is None:
        return None
    # no airborne velocity messages on the ground (the surface position carries speed and track)
    keep = ~((obs.kind == VEL) & obs.ground)
    return obs.take(np.flatnonzero(keep))
