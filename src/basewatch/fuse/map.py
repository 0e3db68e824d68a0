"""A map of flights around a base as inline SVG: tracks, the base and the airfields they link.

Works offline: no tiles or scripts. There is no coastline (the package ships no base map); the
airfields named on the tracks give the reader their bearings, and each track carries a hover
title with the aircraft and the times.
"""

from __future__ import annotations

import html
import math

from ..airfields import load_reference
from ..store import Store

PALETTE = ("#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#4d4d4d")


def svg_map(
    store: Store, flight_ids: list[int], base: str, width: int = 720, height: int = 480
) -> str:
    ref = load_reference()
    tracks = []
    for fid in dict.fromkeys(flight_ids):
        row = store.con.execute(
            """
            SELECT f.icao24, a.registration, f.origin, f.destination, f.first_seen, f.last_seen
            FROM flights f LEFT JOIN aircraft a USING (icao24) WHERE f.flight_id = ?
            """,
            [fid],
        ).fetchone()
        if row is None:
            continue
        pts = store.con.execute(
            "SELECT lat_deg, lon_deg FROM positions WHERE icao24 = ? AND ts BETWEEN ? AND ? ORDER BY ts",
            [row[0], row[4], row[5]],
        ).fetchall()
        step = max(1, len(pts) // 400)
        tracks.append((fid, row, pts[::step] + pts[-1:]))
    codes = {base} | {c for _, r, _ in tracks for c in (r[2], r[3]) if c}
    fields = [ref.airfield(c) for c in sorted(codes)]
    lats = [p[0] for *_, pts in tracks for p in pts] + [f.lat for f in fields]
    lons = [p[1] for *_, pts in tracks for p in pts] + [f.lon for f in fields]
    if not lats:
        return ""
    lat0, lat1, lon0, lon1 = min(lats), max(lats), min(lons), max(lons)
    k = math.cos(math.radians((lat0 + lat1) / 2))
    span_x = max(0.5, (lon1 - lon0) * k)
    span_y = max(0.5, lat1 - lat0)
    pad = 30
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return pad + (lon - lon0) * k * scale, height - pad - (lat - lat0) * scale

    e = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="flights around {e(base)}">',
        f'<rect width="{width}" height="{height}" fill="#f7f7f2"/>',
    ]
    for i, (fid, row, pts) in enumerate(tracks):
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(a, b) for a, b in pts))
        who = row[1] or row[0]
        tip = f"{who}: {row[2] or '?'} → {row[3] or '?'}, {row[4]:%d %b %H:%M}Z–{row[5]:%H:%M}Z (flight {fid:016x})"
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{PALETTE[i % len(PALETTE)]}" '
            f'stroke-width="1.6" opacity="0.85"><title>{e(tip)}</title></polyline>'
        )
    for f in fields:
        x, y = xy(f.lat, f.lon)
        r = 6 if f.icao == base else 4
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{"#000" if f.icao == base else "#fff"}" '
            f'stroke="#000"><title>{e(f.name)} ({e(f.icao)})</title></circle>'
            f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="12" font-family="sans-serif">{e(f.icao)} {e(f.name)}</text>'
        )
    parts.append(
        f'<text x="{pad}" y="{height - 8}" font-size="10" font-family="sans-serif" fill="#555">'
        "flight tracks as received (gaps where coverage was lost); no base map</text></svg>"
    )
    return "".join(parts)
