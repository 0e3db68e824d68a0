"""Flights with their tracks as GeoJSON (QGIS, web maps) or KML (Google Earth)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.sax.saxutils import escape

import pyarrow as pa

from .errors import ConfigError
from .links import trace_url
from .store import Store

FORMATS = {".geojson": "geojson", ".json": "geojson", ".kml": "kml"}
FT_TO_M = 0.3048


def _tracks(store: Store, flights: pa.Table) -> dict[int, list[tuple]]:
    if flights.num_rows == 0:
        return {}
    store.con.register(
        "_chosen", flights.select(["flight_id", "icao24", "first_seen", "last_seen"])
    )
    rows = store.con.execute(
        """
        SELECT f.flight_id, p.lon_deg, p.lat_deg, p.alt_baro_ft, epoch_ms(p.ts)
        FROM positions p JOIN _chosen f
          ON p.icao24 = f.icao24 AND p.ts BETWEEN f.first_seen AND f.last_seen
        ORDER BY f.flight_id, p.ts
        """
    ).fetchall()
    store.con.unregister("_chosen")
    out: dict[int, list[tuple]] = {}
    for fid, lon, lat, alt, ms in rows:
        out.setdefault(fid, []).append((lon, lat, alt, ms))
    return out


def _props(row: dict, viewer: str | None) -> dict:
    out = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in row.items()
        if k != "detector"
    }
    out["trace_url"] = trace_url(row["icao24"], row["first_seen"], viewer)
    return out


def write_tracks(
    store: Store,
    flights: pa.Table,
    path: str | os.PathLike,
    fmt: str | None = None,
    viewer: str | None = None,
) -> int:
    """Write ``flights`` with their tracks; each carries ``trace_url``, its trace in a public
    tar1090 viewer, so a reader of the file can check it without basewatch."""
    path = Path(path)
    fmt = fmt or FORMATS.get(path.suffix.lower())
    if fmt not in ("geojson", "kml"):
        raise ConfigError(f"{path}: cannot tell the export format; name it .geojson or .kml")
    tracks = _tracks(store, flights)
    rows = flights.to_pylist()
    if fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [
                        [lon, lat] if alt is None else [lon, lat, round(alt * FT_TO_M, 1)]
                        for lon, lat, alt, _ in tracks.get(r["flight_id"], [])
                    ],
                },
                "properties": _props(r, viewer),
            }
            for r in rows
        ]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    else:
        marks = []
        for r in rows:
            coords = " ".join(
                f"{lon:.6f},{lat:.6f},{(alt or 0) * FT_TO_M:.0f}"
                for lon, lat, alt, _ in tracks.get(r["flight_id"], [])
            )
            name = r["callsign"] or r["icao24"]
            desc = (
                f"{r['icao24']} {r['origin'] or '?'} → {r['destination'] or '?'}, "
                f"{r['first_seen']:%Y-%m-%d %H:%M}–{r['last_seen']:%H:%M} UTC; trace: "
                f"{trace_url(r['icao24'], r['first_seen'], viewer)}"
            )
            marks.append(
                f"<Placemark><name>{escape(name)}</name><description>{escape(desc)}</description>"
                f"<LineString><altitudeMode>absolute</altitudeMode><coordinates>{coords}"
                f"</coordinates></LineString></Placemark>"
            )
        path.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>basewatch flights</name>'
            + "".join(marks)
            + "</Document></kml>\n"
        )
    return len(rows)
