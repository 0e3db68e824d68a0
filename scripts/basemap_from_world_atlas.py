"""Build the brief map's base layers from the npm package world-atlas (Natural Earth in TopoJSON).

    npm pack world-atlas@2.0.2
    python scripts/basemap_from_world_atlas.py world-atlas-2.0.2.tgz

writes src/basewatch/data/basemap-50m.json and basemap-110m.json: land polygons (the coastline,
as rings) and land borders between countries (as lines), simplified and put on a coarse integer
grid, each ring or line stored as its first point and then the steps between points. The map
(`basewatch.fuse.map`) reads them; nothing is fetched at run time.

The TopoJSON is decoded here by our own code: each arc is a list of quantised points, the first
absolute and the rest as steps; a polygon ring is a list of arc indices, where ~i means arc i
walked backwards, and consecutive arcs share their joining point. A border is an arc that two
different countries use; an arc used by one country only is coastline and is already in `land`.
"""

from __future__ import annotations

import argparse
import json
import math
import tarfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "basewatch" / "data"

# resolution -> (grid step in degrees, simplification tolerance in degrees, smallest ring kept
# in square degrees). 50 m is for maps of a few hundred km: a 0.01° grid is about 1 km, under a
# pixel on such a map; 110 m is for maps of a few thousand km.
LEVELS = {"50m": (0.01, 0.006, 0.0004), "110m": (0.02, 0.02, 0.002)}


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat points of every arc (quantised, delta-encoded in the file)."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((tx + x * sx, ty + y * sy))
        arcs.append(pts)
    return arcs


def walk(arcs: list[list[tuple[float, float]]], refs: list[int]) -> list[tuple[float, float]]:
    """The points of a ring or line made of arcs (negative index = reversed arc)."""
    out: list[tuple[float, float]] = []
    for i in refs:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        out.extend(pts if not out else pts[1:])
    return out


def polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def simplify(pts: list[tuple[float, float]], tol: float) -> list[tuple[float, float]]:
    """Douglas–Peucker with longitude scaled by cos(latitude), iterative."""
    if len(pts) < 3:
        return pts
    k = math.cos(math.radians(sum(p[1] for p in pts) / len(pts)))
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        ax, bx = ax * k, bx * k
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        worst, at = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i][0] * k, pts[i][1]
            if norm == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if d > worst:
                worst, at = d, i
        if worst > tol:
            keep[at] = True
            stack.append((a, at))
            stack.append((at, b))
    return [p for p, kept in zip(pts, keep, strict=True) if kept]


def area(pts: list[tuple[int, int]]) -> float:
    return abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True))
        / 2
    )


def encode(pts: list[tuple[float, float]], grid: float) -> list[int]:
    """Snap to the grid, drop repeated points, store the first point and then the steps."""
    q: list[tuple[int, int]] = []
    for lon, lat in pts:
        p = (round(lon / grid), round(lat / grid))
        if not q or p != q[-1]:
            q.append(p)
    flat = [q[0][0], q[0][1]]
    for (x0, y0), (x1, y1) in zip(q, q[1:], strict=False):
        flat += [x1 - x0, y1 - y0]
    return flat


def level(topo: dict, grid: float, tol: float, min_area: float) -> dict:
    arcs = decode_arcs(topo)
    land = []
    for geom in topo["objects"]["land"]["geometries"]:
        for poly in polygons(geom):
            for ring in poly:
                pts = simplify(walk(arcs, ring), tol)
                if len(pts) < 4:
                    continue
                q = [(round(x / grid), round(y / grid)) for x, y in pts]
                if area(q) * grid * grid < min_area:
                    continue
                land.append(encode(pts, grid))
    users: dict[int, set[int]] = {}
    for n, geom in enumerate(topo["objects"]["countries"]["geometries"]):
        for poly in polygons(geom):
            for ring in poly:
                for i in ring:
                    users.setdefault(i if i >= 0 else ~i, set()).add(n)
    borders = []
    for i in sorted(users):
        if len(users[i]) >= 2:
            pts = simplify(arcs[i], tol)
            line = encode(pts, grid)
            if len(line) >= 4:
                borders.append(line)
    return {
        "about": "land and country borders from Natural Earth (public domain), "
        "via world-atlas 2.0.2; simplified for basewatch's brief maps",
        "grid_deg": grid,
        "encoding": "each ring or line: x0, y0, then dx, dy steps; lon = x * grid_deg, "
        "lat = y * grid_deg",
        "land": land,
        "borders": borders,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tarball", type=Path, help="world-atlas-2.0.2.tgz from `npm pack`")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    with tarfile.open(args.tarball) as tar:
        for name, (grid, tol, min_area) in LEVELS.items():
            member = tar.extractfile(f"package/countries-{name}.json")
            if member is None:
                raise SystemExit(f"countries-{name}.json is not in {args.tarball}")
            data = level(json.load(member), grid, tol, min_area)
            path = args.out / f"basemap-{name}.json"
            path.write_text(json.dumps(data, separators=(",", ":")) + "\n")
            points = sum(len(r) // 2 for r in data["land"] + data["borders"])
            print(
                f"{path.name}: {len(data['land'])} land rings, {len(data['borders'])} border "
                f"lines, {points:,} points, {path.stat().st_size / 1024:.0f} KiB"
            )


if __name__ == "__main__":
    main()
