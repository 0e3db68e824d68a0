"""Compiled helpers shared by the stages: great-circle distance and a grid of airfields.

The grid is a compressed index over quarter-degree cells (``cell_ptr`` / ``cell_items``), so that a
kernel can ask "which airfield is nearest to this point, within R NM" without leaving
compiled code. Only points that could be near the ground are ever looked up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numba as nb
import numpy as np

from ..airfields import Reference
from ..geo import EARTH_RADIUS_NM

CELL_DEG = 0.25  # 15 NM north-south: one ring of neighbours covers a few NM of search
NI = int(180 / CELL_DEG)
NJ = int(360 / CELL_DEG)
N_CELLS = NI * NJ


@nb.njit(cache=True, inline="always")
def distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_NM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


@nb.njit(cache=True, inline="always")
def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360.0) % 360.0


@nb.njit(cache=True, inline="always")
def angle_diff(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return 360.0 - d if d > 180.0 else d


@nb.njit(cache=True, inline="always")
def cell_of(lat: float, lon: float) -> int:
    i = min(NI - 1, max(0, int(math.floor((lat + 90.0) / CELL_DEG))))
    j = int(math.floor((lon + 180.0) / CELL_DEG)) % NJ
    return i * NJ + j


@nb.njit(cache=True)
def cells_within(lat, lon, radius_nm):
    """(first row, last row, first col, column count) of the cells a circle can touch."""
    reach_i = int(radius_nm / (60.0 * CELL_DEG)) + 1
    coslat = max(0.02, math.cos(math.radians(lat)))
    reach_j = min(NJ // 2, int(radius_nm / (60.0 * CELL_DEG * coslat)) + 1)
    ci = min(NI - 1, max(0, int(math.floor((lat + 90.0) / CELL_DEG))))
    cj = int(math.floor((lon + 180.0) / CELL_DEG))
    return max(0, ci - reach_i), min(NI - 1, ci + reach_i), cj - reach_j, 2 * reach_j + 1


class GridArrays(NamedTuple):
    """The grid as compiled code takes it: one argument instead of seven."""

    cell_ptr: np.ndarray
    cell_items: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    elev_ft: np.ndarray
    is_base: np.ndarray
    max_elev_near: np.ndarray  # per cell: highest airfield in it or a neighbour, -inf if none


@nb.njit(cache=True)
def candidates(lat, lon, radius_nm, grid):
    """Indices of the airfields in the cells a circle of ``radius_nm`` can touch (a superset
    of those within it): the one walk over the grid that every airfield search uses."""
    i0, i1, j0, nj = cells_within(lat, lon, radius_nm)
    count = 0
    for i in range(i0, i1 + 1):
        for dj in range(nj):
            c = i * NJ + (j0 + dj) % NJ
            count += grid.cell_ptr[c + 1] - grid.cell_ptr[c]
    out = np.empty(count, np.int64)
    m = 0
    for i in range(i0, i1 + 1):
        for dj in range(nj):
            c = i * NJ + (j0 + dj) % NJ
            for k in range(grid.cell_ptr[c], grid.cell_ptr[c + 1]):
                out[m] = grid.cell_items[k]
                m += 1
    return out


@nb.njit(cache=True)
def nearest_airfield(lat, lon, radius_nm, grid):
    """(index, distance) of the nearest airfield within ``radius_nm``, else (-1, inf)."""
    best = -1
    best_d = np.inf
    for a in candidates(lat, lon, radius_nm, grid):
        d = distance_nm(lat, lon, grid.lat[a], grid.lon[a])
        if d < best_d:
            best_d = d
            best = a
    if best_d > radius_nm:
        return -1, np.inf
    return best, best_d


@dataclass(frozen=True, slots=True)
class AirfieldGrid:
    """Airfields as arrays for compiled code; ``codes[i]`` names airfield ``i``."""

    codes: np.ndarray  # object array of ICAO codes
    lat: np.ndarray
    lon: np.ndarray
    elev_ft: np.ndarray
    is_base: np.ndarray
    cell_ptr: np.ndarray
    cell_items: np.ndarray
    max_elev_near: np.ndarray  # per cell: highest airfield in it or a neighbour, -inf if none

    @property
    def arrays(self) -> GridArrays:
        return GridArrays(
            self.cell_ptr,
            self.cell_items,
            self.lat,
            self.lon,
            self.elev_ft,
            self.is_base,
            self.max_elev_near,
        )

    @classmethod
    def build(cls, ref: Reference) -> AirfieldGrid:
        afs = list(ref.airfields.values())
        lat = np.array([a.lat for a in afs], np.float64)
        lon = np.array([a.lon for a in afs], np.float64)
        rows = np.clip(np.floor((lat + 90) / CELL_DEG).astype(np.int64), 0, NI - 1)
        cols = np.floor((lon + 180) / CELL_DEG).astype(np.int64) % NJ
        cells = rows * NJ + cols
        elev = np.array([a.elevation_ft for a in afs], np.float64)
        # highest field in each cell and its neighbours: a point higher than that plus a
        # ceiling above it cannot be low over any field, without looking further
        top = np.full((NI, NJ), -np.inf)
        np.maximum.at(top, (rows, cols), elev)
        near = top.copy()
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                shifted = np.roll(np.roll(top, di, axis=0), dj, axis=1)
                if di == 1:
                    shifted[0, :] = -np.inf
                elif di == -1:
                    shifted[-1, :] = -np.inf
                np.maximum(near, shifted, out=near)
        order = np.argsort(cells, kind="stable")
        ptr = np.zeros(N_CELLS + 1, np.int64)
        np.add.at(ptr, cells + 1, 1)
        return cls(
            codes=np.array([a.icao for a in afs], dtype=object),
            lat=lat,
            lon=lon,
            elev_ft=elev,
            is_base=np.array([a.is_base for a in afs], np.bool_),
            cell_ptr=np.cumsum(ptr),
            cell_items=order.astype(np.int64),
            max_elev_near=near.ravel(),
        )
