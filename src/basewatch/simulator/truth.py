"""Ground truth written beside the simulated data.

truth_movements.csv  every take-off, landing, low pass, go-around and touch-and-go, with its
                     true time and airfield and whether the data could show it
truth_flights.csv    every flight: aircraft, route, times, scripted or background
truth_coverage.csv   per day and airfield of the scenario: whether the archive has the day and
                     what share of it a receiver could see an aircraft on the ground there
                     and at 1,000 ft above it (transponders switched off are not counted)
aircraft.csv         the scenario's aircraft as a tar1090-db style database (no header):
                     icao;reg;type;flags;desc;year;ownop;  (first flag digit 1 = military)
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..airfields import Reference
from .coverage import Coverage, dark_mask
from .profiles import Profile, elevation_series
from .scenario import Aircraft

MOVEMENT_COLUMNS = ("ts", "icao24", "flight_ref", "airfield", "kind", "visibility")
FLIGHT_COLUMNS = (
    "flight_ref",
    "icao24",
    "registration",
    "type_code",
    "callsign",
    "origin",
    "destination",
    "departure_ts",
    "arrival_ts",
    "category",
    "country",
    "military",
    "state",
)
VISIBILITY = ("observed", "dark", "no_coverage", "outside_window")
SEEN_WITHIN_S = 120.0  # a movement counts as observed if the aircraft is seen this close to it


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def movement_visibility(p: Profile, cov: Coverage, ref: Reference) -> list[str]:
    """Each of a flight's movements: observed, dark, no_coverage or outside_window."""
    times = np.array([t for t, _, _ in p.movements])
    offsets = np.arange(-SEEN_WITHIN_S, SEEN_WITHIN_S + 1e-9, 5.0)
    grid = np.concatenate([times, (times[:, None] + offsets[None, :]).ravel()])
    s = p.at(grid)
    dark = dark_mask(p.flight, ref, s["lat"], s["lon"])
    agl = s["alt_ft"] - elevation_series(p, grid)
    seen = cov.any(s["ts"], s["lat"], s["lon"], agl) & ~dark
    m = len(times)
    seen_near = seen[m:].reshape(m, len(offsets)).any(axis=1)
    out = []
    for i, t in enumerate(times.tolist()):
        if not cov.start <= t < cov.end:
            out.append("outside_window")
        elif dark[i]:
            out.append("dark")
        else:
            out.append("observed" if seen_near[i] else "no_coverage")
    return out


def movements(profiles: list[Profile], cov: Coverage, ref: Reference) -> list[dict]:
    rows = []
    for p in profiles:
        vis = movement_visibility(p, cov, ref)
        for (ts, airfield, kind), v in zip(p.movements, vis, strict=True):
            rows.append(
                {
                    "ts": iso(ts),
                    "icao24": p.flight.icao24,
                    "flight_ref": p.flight.flight_ref,
                    "airfield": airfield,
                    "kind": kind,
                    "visibility": v,
                }
            )
    rows.sort(key=lambda r: (r["ts"], r["icao24"]))
    return rows


def flights(profiles: list[Profile]) -> list[dict]:
    rows = []
    for p in profiles:
        f, ac = p.flight, p.aircraft
        rows.append(
            {
                "flight_ref": f.flight_ref,
                "icao24": f.icao24,
                "registration": ac.registration,
                "type_code": ac.type_code,
                "callsign": f.callsign,
                "origin": f.origin,
                "destination": f.destination,
                "departure_ts": iso(p.takeoff_ts),
                "arrival_ts": iso(p.landing_ts),
                "category": f.category,
                "country": ac.country,
                "military": "true" if ac.military else "false",
                "state": "true" if ac.state else "false",
            }
        )
    return rows


COVERAGE_COLUMNS = ("day", "airfield", "archived", "ground_fraction", "low_fraction")


def coverage_rows(airfields: list[str], cov: Coverage, ref: Reference) -> list[dict]:
    """Observability of each airfield, per UTC day of the window, sampled every 10 minutes."""
    day0 = np.floor(cov.start / 86400.0) * 86400.0
    days = np.arange(day0, cov.end, 86400.0)
    offsets = np.arange(0.0, 86400.0, 600.0)
    ts = (days[:, None] + offsets[None, :]).ravel()
    rows = []
    for code in airfields:
        af = ref.airfield(code)
        lat, lon = np.full(len(ts), af.lat), np.full(len(ts), af.lon)
        arch = cov.archived(ts).reshape(len(days), -1)
        fr = {}
        for name, agl in (("ground", 0.0), ("low", 1000.0)):
            seen = cov.any(ts, lat, lon, np.full(len(ts), agl)).reshape(len(days), -1)
            fr[name] = seen.mean(axis=1)
        for i, d in enumerate(days.tolist()):
            rows.append(
                {
                    "day": datetime.fromtimestamp(d, UTC).strftime("%Y-%m-%d"),
                    "airfield": code,
                    "archived": "true" if arch[i].any() else "false",
                    "ground_fraction": f"{fr['ground'][i]:.3f}",
                    "low_fraction": f"{fr['low'][i]:.3f}",
                }
            )
    rows.sort(key=lambda r: (r["day"], r["airfield"]))
    return rows


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write_truth(
    out: Path,
    profiles: list[Profile],
    aircraft: dict[str, Aircraft],
    cov: Coverage,
    ref: Reference,
    background_airfields: tuple[str, ...] = (),
) -> dict:
    mv = movements(profiles, cov, ref)
    _write_csv(out / "truth_movements.csv", MOVEMENT_COLUMNS, mv)
    _write_csv(out / "truth_flights.csv", FLIGHT_COLUMNS, flights(profiles))
    scripted = {a for p in profiles if p.flight.category == "scripted" for _, a, _ in p.movements}
    homes = set(background_airfields)
    _write_csv(
        out / "truth_coverage.csv",
        COVERAGE_COLUMNS,
        coverage_rows(sorted(scripted | homes), cov, ref),
    )
    with (out / "aircraft.csv").open("w") as fh:
        for ac in sorted(aircraft.values(), key=lambda a: a.icao24):
            flags = ("1" if ac.military else "0") + "0"
            fh.write(
                f"{ac.icao24};{ac.registration};{ac.type_code};{flags};{ac.description};"
                f"{ac.year};{ac.operator};\n"
            )
    counts: dict[str, int] = {}
    for r in mv:
        counts[r["visibility"]] = counts.get(r["visibility"], 0) + 1
    return {"movements": len(mv), "flights": len(profiles), "visibility": counts}
