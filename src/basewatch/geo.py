"""Small vectorised geodesy used across stages."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_NM = 3440.065


def haversine_nm(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in nautical miles (arrays or scalars, degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_NM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def ffill_index(valid: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """For each row, the index of the latest valid row at or before it in its group, else -1."""
    n = len(valid)
    ar = np.arange(n)
    idx = np.where(valid, ar, -1)
    np.maximum.accumulate(idx, out=idx)
    first = np.maximum.accumulate(np.where(group_start, ar, 0))
    idx[idx < first] = -1
    return idx
