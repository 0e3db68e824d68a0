"""A map of flights around a base as inline SVG, on a base map that ships with the package.

reads:   flights, positions, aircraft

Pure SVG: no scripts, no tiles, nothing fetched. Layers, bottom up: sea, land (Natural Earth,
public domain; `data/basemap-50m.json` for maps up to about 1,300 km wide, `basemap-110m.json`
beyond), country borders, the tracks, the airfields with their labels, a scale bar in nautical
miles, a north arrow and the caption. Each track is drawn solid where positions were received;
where the flight's take-off or landing was inferred, the stretch between the airfield and the
first or last received position is dashed. The projection is equirectangular around the map's
middle latitude, true enough for the few hundred to few thousand km a brief covers.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..airfields import load_reference
from ..schema import stored_sql
from ..store import Store

PALETTE = ("#b2182b", "#2166ac", "#1b7837", "#762a83", "#e08214", "#4d4d4d")
ATTRIBUTION = "Land and borders: Natural Earth (public domain)"
SEA, LAND, COAST, BORDER = "#dde8ee", "#f4f1e8", "#9fb0ba", "#b9aa9a"
FINE_MAX_DEG = 12.0  # widest map (degrees of longitude at its latitude) drawn with 50 m data
MAX_POINTS = 400  # positions kept per track: more adds bytes, not detail, at this size


@dataclass(frozen=True, slots=True)
class Shapes:
    """One resolution of the base map: rings and lines in degrees, each with its box."""

    land: tuple[tuple[tuple[float, float], ...], ...]
    land_box: tuple[tuple[float, float, float, float], ...]  # lon0, lat0, lon1, lat1
    borders: tuple[tuple[tuple[float, float], ...], ...]
    borders_box: tuple[tuple[float, float, float, float], ...]


def _decode(flat: list[int], grid: float) -> tuple[tuple[float, float], ...]:
    x, y, out = 0, 0, []
    for i in range(0, len(flat) - 1, 2):
        x += flat[i]
        y += flat[i + 1]
        out.append((x * grid, y * grid))
    return tuple(out)


def _box(pts) -> tuple[float, float, float, float]:
    lons = [p[0] for p in pts]
    lats = [p[1] for p in pts]
    return min(lons), min(lats), max(lons), max(lats)


@lru_cache(maxsize=2)
def basemap(resolution: str = "50m") -> Shapes:
    """The shipped land and borders at 50m or 110m (decoded once per process)."""
    text = (resources.files("basewatch") / "data" / f"basemap-{resolution}.json").read_text()
    data = json.loads(text)
    grid = data["grid_deg"]
    land = tuple(_decode(r, grid) for r in data["land"])
    borders = tuple(_decode(r, grid) for r in data["borders"])
    return Shapes(land, tuple(map(_box, land)), borders, tuple(map(_box, borders)))


def _clip_ring(pts: list[tuple[float, float]], x0, y0, x1, y1) -> list[tuple[float, float]]:
    """Sutherland–Hodgman: the part of a closed ring inside the rectangle (a ring that
    surrounds the rectangle becomes the rectangle; holes are clipped the same way)."""
    edges = (
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    )  # fmt: skip
    for inside, cut in edges:
        if not pts:
            break
        out = []
        prev = pts[-1]
        for cur in pts:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
        pts = out
    return pts


def _clip_line(pts, x0, y0, x1, y1) -> list[list[tuple[float, float]]]:
    """Liang–Barsky on each segment: the runs of a polyline inside the rectangle."""
    runs: list[list[tuple[float, float]]] = []
    run: list[tuple[float, float]] = []
    for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
        dx, dy = bx - ax, by - ay
        t0, t1 = 0.0, 1.0
        for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
            if p == 0:
                if q < 0:
                    t0, t1 = 1.0, 0.0
                    break
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
        if t0 > t1:
            if len(run) > 1:
                runs.append(run)
            run = []
            continue
        a = (ax + t0 * dx, ay + t0 * dy)
        b = (ax + t1 * dx, ay + t1 * dy)
        if not run or t0 > 0:
            if len(run) > 1:
                runs.append(run)
            run = [a]
        run.append(b)
        if t1 < 1:
            runs.append(run)
            run = []
    if len(run) > 1:
        runs.append(run)
    return runs


def _coords(pts) -> str:
    return " ".join(f"{x:.1f} {y:.1f}" for x, y in pts)


def _nice_nm(target: float) -> float:
    """The largest of 1, 2, 5 × 10^n nautical miles not above target."""
    mag = 10 ** math.floor(math.log10(max(target, 1e-9)))
    return max(m * mag for m in (1, 2, 5) if m * mag <= target)


def _place_label(x, y, text, width, height, taken) -> tuple[float, float, str]:
    """Beside its dot, on the first side (right, left, above, below) where the label stays in
    the frame and clear of labels and dots already placed; the box is added to ``taken``."""
    w = 7.0 * len(text)  # 12 px sans-serif, bold at worst
    # (text x, baseline y, anchor, box) from the dot: right, left, above, below
    tries = [
        (dx, dy, anchor, (x + left, y + dy - 11, x + left + w, y + dy + 3))
        for dx, dy, anchor, left in (
            (8, 4, "start", 8),
            (-8, 4, "end", -8 - w),
            (0, -9, "middle", -w / 2),
            (0, 17, "middle", -w / 2),
        )
    ]

    def inside(box) -> bool:
        return box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height - 14

    def clear(box) -> bool:
        return all(
            box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in taken
        )

    dx, dy, anchor, box = next(
        (c for c in tries if inside(c[3]) and clear(c[3])),
        next((c for c in tries if inside(c[3])), tries[1] if x > width / 2 else tries[0]),
    )
    taken.append(box)
    return x + dx, y + dy, anchor


def _tracks(store: Store, flight_ids: list[str]) -> list[tuple]:
    tracks = []
    for fid in dict.fromkeys(flight_ids):
        row = store.con.execute(
            """
            SELECT f.icao24, a.registration, f.origin, f.destination, f.first_seen, f.last_seen,
                   f.origin_how, f.destination_how
            FROM flights f LEFT JOIN aircraft a USING (icao24) WHERE f.flight_id = ?
            """,
            [fid],
        ).fetchone()
        if row is None:
            continue
        # position_rows by the stored address: DuckDB prunes by it, not by the view's text
        pts = store.con.execute(
            f"SELECT lat_deg, lon_deg FROM position_rows WHERE icao = {stored_sql('icao24', '?')} "
            "AND ts BETWEEN ? AND ? AND lat_deg IS NOT NULL AND lon_deg IS NOT NULL ORDER BY ts",
            [row[0], row[4], row[5]],
        ).fetchall()
        if not pts:
            continue
        step = max(1, len(pts) // MAX_POINTS)
        tracks.append((fid, row, pts[::step] + pts[-1:]))
    return tracks


LEGEND_ROW = 14  # px between legend lines


def _legend(keys: list[tuple[str, str]], inferred: bool, font: str) -> tuple[str, tuple]:
    """The legend (top left): each track's colour with its aircraft, day and route, then what
    the line styles and markers mean. Returns the SVG and the box it takes."""
    rows = [(f'<path d="M0 0h18" stroke="{c}" stroke-width="2.5"/>', text) for c, text in keys]
    rows.append(('<path d="M0 0h18" stroke="#555" stroke-width="1.6"/>', "positions received"))
    if inferred:
        rows.append(
            (
                '<path d="M0 0h18" stroke="#555" stroke-width="1.6" stroke-dasharray="5 4"/>',
                "inferred to the airfield",
            )
        )
        rows.append(
            (
                '<circle cx="9" cy="0" r="2.8" fill="#fff" stroke="#555" stroke-width="1.4"/>',
                "first or last position received",
            )
        )
    rows.append(('<circle cx="9" cy="0" r="4" fill="#000"/>', "the watched base"))
    w = 30 + 6.2 * max(len(t) for _, t in rows)
    h = 8 + LEGEND_ROW * len(rows)
    x0, y0 = 8, 8
    out = [
        f'<g class="legend"><rect x="{x0}" y="{y0}" width="{w:.0f}" height="{h}" fill="#fff" '
        'opacity="0.85" stroke="#999" stroke-width="0.5"/>'
    ]
    for i, (mark, text) in enumerate(rows):
        y = y0 + 11 + LEGEND_ROW * i
        out.append(
            f'<g class="legend-entry"><g transform="translate({x0 + 6} {y - 3})">{mark}</g>'
            f'<text x="{x0 + 30}" y="{y + 1}" font-size="10.5" {font}>{html.escape(text)}</text>'
            "</g>"
        )
    out.append("</g>")
    return "".join(out), (x0, y0, x0 + w, y0 + h)


def svg_map(
    store: Store, flight_ids: list[str], base: str, width: int = 720, height: int = 480
) -> str:
    ref = load_reference()
    tracks = _tracks(store, flight_ids)
    codes = {base} | {c for _, r, _ in tracks for c in (r[2], r[3]) if c}
    fields = [ref.airfields[c] for c in sorted(codes) if c in ref.airfields]
    where = {f.icao: f for f in fields}
    lats = [p[0] for *_, pts in tracks for p in pts] + [f.lat for f in fields]
    lons = [p[1] for *_, pts in tracks for p in pts] + [f.lon for f in fields]
    if not lats:
        return ""
    lat_c, lon_c = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    k = max(0.05, math.cos(math.radians(lat_c)))
    span_x = max(0.5, (max(lons) - min(lons)) * k)
    span_y = max(0.5, max(lats) - min(lats))
    pad = 40
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)  # px per degree

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return width / 2 + (lon - lon_c) * k * scale, height / 2 - (lat - lat_c) * scale

    # the part of the world in view, in degrees
    half_lon, half_lat = width / 2 / (k * scale), height / 2 / scale
    view = (lon_c - half_lon, lat_c - half_lat, lon_c + half_lon, lat_c + half_lat)
    shapes = basemap("50m" if 2 * half_lon * k <= FINE_MAX_DEG else "110m")

    def seen(box) -> bool:
        return box[0] <= view[2] and box[2] >= view[0] and box[1] <= view[3] and box[3] >= view[1]

    m = 2.0  # clip a little outside the frame so no edge of a clipped shape shows
    frame = (-m, -m, width + m, height + m)
    land = []
    for ring, box in zip(shapes.land, shapes.land_box, strict=True):
        if seen(box):
            clipped = _clip_ring([xy(lat, lon) for lon, lat in ring], *frame)
            if len(clipped) >= 3:
                land.append(f"M{_coords(clipped)}Z")
    borders = []
    for line, box in zip(shapes.borders, shapes.borders_box, strict=True):
        if seen(box):
            for run in _clip_line([xy(lat, lon) for lon, lat in line], *frame):
                borders.append(f"M{_coords(run)}")

    e = html.escape
    font = 'font-family="sans-serif"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="flights around {e(base)}" class="bw-map">',
        f'<rect class="sea" width="{width}" height="{height}" fill="{SEA}"/>',
    ]
    if land:  # an empty d is not drawn, but some viewers complain of it
        parts.append(
            f'<path class="land" d="{"".join(land)}" fill="{LAND}" fill-rule="evenodd" '
            f'stroke="{COAST}" stroke-width="0.7" stroke-linejoin="round"/>'
        )
    if borders:
        parts.append(
            f'<path class="borders" d="{"".join(borders)}" fill="none" stroke="{BORDER}" '
            'stroke-width="0.6" stroke-dasharray="3 2"/>'
        )
    parts.append('<g class="tracks">')
    inferred = []  # drawn above every track, so no other track hides a dashed end
    keys = []  # (colour, who and when) for the legend
    for i, (fid, row, pts) in enumerate(tracks):
        colour = PALETTE[i % len(PALETTE)]
        keys.append((colour, f"{row[1] or row[0]} {row[4]:%d %b} {row[2] or '?'}→{row[3] or '?'}"))
        who = row[1] or row[0]
        tip = (
            f"{who}: {row[2] or '?'} → {row[3] or '?'}, {row[4]:%d %b %H:%M}Z–{row[5]:%H:%M}Z "
            f"(flight {fid}; take-off {row[6] or 'unknown'}, landing {row[7] or 'unknown'})"
        )
        line = _coords(xy(a, b) for a, b in pts)
        parts.append(
            f'<g class="track" data-flight="{fid}"><title>{e(tip)}</title>'
            f'<polyline class="observed" points="{line}" fill="none" stroke="{colour}" '
            'stroke-width="1.6" stroke-linejoin="round" opacity="0.9"/>'
        )
        ends = ((row[6], row[2], pts[0]), (row[7], row[3], pts[-1]))
        for how, code, (lat, lon) in ends:
            if how == "inferred" and code in where:
                (ax, ay), (bx, by) = xy(lat, lon), xy(where[code].lat, where[code].lon)
                inferred.append(
                    f'<g data-flight="{fid}"><title>{e(tip)}</title>'
                    f'<line class="halo" x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" '
                    f'y2="{by:.1f}" stroke="#fff" stroke-width="3.6" opacity="0.8"/>'
                    f'<line class="inferred" x1="{ax:.1f}" y1="{ay:.1f}" x2="{bx:.1f}" '
                    f'y2="{by:.1f}" stroke="{colour}" stroke-width="1.8" '
                    'stroke-dasharray="5 4"/>'
                    f'<circle class="last-seen" cx="{ax:.1f}" cy="{ay:.1f}" r="2.8" fill="#fff" '
                    f'stroke="{colour}" stroke-width="1.4"/></g>'
                )
        parts.append("</g>")
    parts.append('</g><g class="inferred-ends">' + "".join(inferred) + "</g>")
    legend, box = _legend(keys, bool(inferred), font)
    parts.append('<g class="airfields">')
    # the base first, so that its label gets the best place
    fields.sort(key=lambda f: f.icao != base)
    dots = [xy(f.lat, f.lon) for f in fields]
    taken = [(width - 40, 0, width, 56), (0, height - 56, width / 3, height), box]
    taken += [(x - 5, y - 5, x + 5, y + 5) for x, y in dots]
    for f, (x, y) in zip(fields, dots, strict=True):
        is_base = f.icao == base
        label = f"{f.icao} {f.name}"
        lx, ly, anchor = _place_label(x, y, label, width, height, taken)
        parts.append(
            f'<g class="airfield{" base" if is_base else ""}" data-icao="{e(f.icao)}">'
            f"<title>{e(f.name)} ({e(f.icao)})</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{5 if is_base else 3.5}" '
            f'fill="{"#000" if is_base else "#fff"}" stroke="#000"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" {font} '
            f'text-anchor="{anchor}" stroke="#fff" stroke-width="3" '
            f'paint-order="stroke" font-weight="{"bold" if is_base else "normal"}">'
            f"{e(label)}</text></g>"
        )
    parts.append("</g>")
    parts.append(legend)
    # scale bar (bottom left): 1 NM is 1/60 degree of latitude
    px_nm = scale / 60
    nm = _nice_nm(width / 5 / px_nm)
    bar = nm * px_nm
    x0, y0 = 16, height - 34
    parts.append(
        f'<g class="scale-bar"><rect x="{x0 - 4}" y="{y0 - 16}" width="{bar + 8:.1f}" height="24" '
        'fill="#fff" opacity="0.7"/>'
        f'<path d="M{x0} {y0 - 4}V{y0}H{x0 + bar:.1f}V{y0 - 4}" fill="none" stroke="#222" '
        'stroke-width="1.5"/>'
        f'<text x="{x0 + bar / 2:.1f}" y="{y0 - 6}" font-size="11" {font} text-anchor="middle">'
        f"{nm:g} NM</text></g>"
    )
    # north arrow (top right): the projection keeps north up everywhere
    nx, ny = width - 24, 18
    parts.append(
        f'<g class="north-arrow"><path d="M{nx} {ny}l7 20l-7 -5l-7 5z" fill="#222"/>'
        f'<text x="{nx}" y="{ny + 32}" font-size="11" {font} text-anchor="middle">N</text></g>'
    )
    caption = (
        "tracks: solid where positions were received, dashed to the airfield where a take-off "
        f"or landing is inferred. {ATTRIBUTION}"
    )
    parts.append(
        f'<g class="caption-bar"><rect x="0" y="{height - 14}" width="{width}" height="14" '
        'fill="#fff" opacity="0.75"/>'
        f'<text class="caption" x="{width - 6}" y="{height - 4}" font-size="9.5" {font} '
        f'fill="#444" text-anchor="end">{e(caption)}</text></g></svg>'
    )
    return "".join(parts)
