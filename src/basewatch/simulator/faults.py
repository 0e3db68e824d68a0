"""Data faults: position noise, duplicated records, clock jitter, corrupted records.

Each takes the scenario's rates and a seeded generator; writers apply them in their own terms
(a corrupted Beast frame has a flipped bit, a corrupted SBS line a garbled field).
"""

from __future__ import annotations

import numpy as np

from .scenario import Faults

M_PER_DEG = 111_320.0


def add_noise(
    lat: np.ndarray, lon: np.ndarray, faults: Faults, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    if faults.position_noise_m <= 0 or len(lat) == 0:
        return lat, lon
    sigma = faults.position_noise_m / M_PER_DEG
    dlat = rng.normal(0.0, sigma, len(lat))
    dlon = rng.normal(0.0, sigma, len(lat)) / np.maximum(np.cos(np.radians(lat)), 0.05)
    return lat + dlat, lon + dlon


def jitter(ts: np.ndarray, faults: Faults, rng: np.random.Generator) -> np.ndarray:
    if faults.clock_jitter_s <= 0 or len(ts) == 0:
        return ts
    return ts + rng.normal(0.0, faults.clock_jitter_s, len(ts))


def duplicate_index(n: int, faults: Faults, rng: np.random.Generator) -> np.ndarray:
    """Row order with some rows sent twice (right after themselves)."""
    idx = np.arange(n)
    if faults.duplicate_rate <= 0 or n == 0:
        return idx
    twice = rng.random(n) < faults.duplicate_rate
    return np.sort(np.concatenate([idx, idx[twice]]), kind="stable")


def corrupt_mask(n: int, faults: Faults, rng: np.random.Generator) -> np.ndarray:
    if faults.corrupt_rate <= 0 or n == 0:
        return np.zeros(n, dtype=bool)
    return rng.random(n) < faults.corrupt_rate


def flip_bit(frames: list[str], mask: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Flip one random bit in each masked hex frame (its CRC no longer checks)."""
    out = list(frames)
    for i in np.flatnonzero(mask).tolist():
        f = out[i]
        bits = len(f) * 4
        b = int(rng.integers(8, bits))  # keep the downlink format: a receiver would too
        v = int(f, 16) ^ (1 << (bits - 1 - b))
        out[i] = f"{v:0{len(f)}x}"
    return out
