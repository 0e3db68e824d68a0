"""Activity per watched base per day, and whether the base could be seen that day.

reads:   airfield_events, aircraft, positions, data_windows
writes:  base_days, base_activity

A day is observable when the data windows cover most of it and aircraft were seen low around
the base (within ``radius_nm``, below ``low_ft`` above it, or on the ground) in at least
``min_coverage_hours`` of its hours, or when a movement at the base was seen that day.
Aircraft passing high overhead do not count: they prove nothing about seeing a landing. A
receiver outage, a missing archive day or a coverage hole makes the day unknown, never a day
of zero movements.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..airfields import load_reference
from ..store import Store

DETECTOR = "base_activity/1"


@dataclass(frozen=True, slots=True)
class ActivityParams:
    radius_nm: float = 100.0  # coverage around the base: positions this close count …
    low_ft: float = 10000.0  # … when this low above the base (or on the ground)
    min_window_hours: float = 12.0  # the data windows must cover this much of the day …
    min_coverage_hours: int = 1  # … and low aircraft must be seen near it in this many hours


def box(lat: float, lon: float, radius_nm: float) -> tuple[float, float, float, float]:
    dlat = radius_nm / 60.0
    dlon = radius_nm / (60.0 * max(0.05, math.cos(math.radians(lat))))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def base_days(store: Store, bases: list[str], params: ActivityParams = ActivityParams()) -> int:
    """Rebuild base_days for these bases, for every day the data windows touch."""
    con = store.con
    ref = load_reference()
    n = 0
    for base in sorted(set(bases)):
        af = ref.airfield(base)
        la0, la1, lo0, lo1 = box(af.lat, af.lon, params.radius_nm)
        con.execute("DELETE FROM base_days WHERE base = ?", [base])
        con.execute(
            """
            INSERT INTO base_days
            WITH days AS (  -- every day from the first data to the last, holes included
                SELECT CAST(d AS DATE) AS day
                FROM (SELECT min(window_start) AS a, max(window_end) AS b FROM data_windows) w,
                     generate_series(date_trunc('day', w.a), w.b, INTERVAL 1 DAY) g(d)
            ),
            win AS (
                SELECT d.day, sum(greatest(0, epoch(least(w.window_end, d.day + INTERVAL 1 DAY))
                                     - epoch(greatest(w.window_start, d.day::TIMESTAMPTZ)))) / 3600 AS h
                FROM days d JOIN data_windows w
                  ON w.window_start < d.day + INTERVAL 1 DAY AND w.window_end >= d.day
                GROUP BY d.day
            ),
            near AS (
                SELECT CAST(ts AS DATE) AS day, count(DISTINCT date_trunc('hour', ts)) AS hours,
                       count(*) AS n
                FROM positions
                WHERE lat_deg BETWEEN ? AND ? AND lon_deg BETWEEN ? AND ?
                  AND (on_ground OR coalesce(alt_baro_ft, alt_geom_ft) < ?)
                GROUP BY 1
            ),
            seen AS (
                SELECT DISTINCT CAST(ts AS DATE) AS day FROM airfield_events WHERE airfield = ?
            )
            SELECT ?, d.day, coalesce(win.h, 0), coalesce(near.hours, 0), coalesce(near.n, 0),
                   (coalesce(win.h, 0) >= ? AND coalesce(near.hours, 0) >= ?)
                   OR seen.day IS NOT NULL
            FROM days d LEFT JOIN win USING (day) LEFT JOIN near USING (day)
                 LEFT JOIN seen USING (day)
            """,
            [
                la0,
                la1,
                lo0,
                lo1,
                af.elevation_ft + params.low_ft,
                base,
                base,
                params.min_window_hours,
                params.min_coverage_hours,
            ],  # fmt: skip
        )
        n += con.execute("SELECT count(*) FROM base_days WHERE base = ?", [base]).fetchone()[0]
    return n


def base_activity(store: Store, bases: list[str]) -> int:
    """Rebuild base_activity for these bases: movements per day by category, country, type."""
    con = store.con
    n = 0
    for base in sorted(set(bases)):
        con.execute("DELETE FROM base_activity WHERE base = ?", [base])
        con.execute(
            """
            INSERT INTO base_activity
            SELECT e.airfield, CAST(e.ts AS DATE),
                   CASE WHEN a.is_military THEN 'military' WHEN a.is_state THEN 'state' ELSE 'civil' END,
                   a.country_iso2, a.type_code,
                   count(*) FILTER (WHERE e.event_type LIKE 'landing%'),
                   count(*) FILTER (WHERE e.event_type LIKE 'takeoff%'),
                   count(*) FILTER (WHERE e.event_type LIKE '%inferred'),
                   count(DISTINCT e.icao24)
            FROM airfield_events e LEFT JOIN aircraft a USING (icao24)
            WHERE e.airfield = ? AND e.event_type IN
                  ('takeoff', 'landing', 'takeoff_inferred', 'landing_inferred')
            GROUP BY ALL
            """,
            [base],
        )
        n += con.execute("SELECT count(*) FROM base_activity WHERE base = ?", [base]).fetchone()[0]
    return n


def unwatched_message(store: Store, base: str) -> str | None:
    """Why ``base`` has no activity rows, with the remedy, when no watch has covered it
    (None if one has: then an empty answer means no days in the range)."""
    from ..watches import load_watches

    con = store.con
    if con.execute("SELECT count(*) FROM base_days WHERE base = ?", [base]).fetchone()[0]:
        return None
    if any(w.base == base for w in load_watches().values()):
        return None  # a shipped watch covers it: no days yet is an empty answer
    events = con.execute(
        "SELECT count(*) FROM airfield_events WHERE airfield = ?", [base]
    ).fetchone()[0]
    return (
        f"no watch covers {base}, so its activity is not computed ({events:,} airfield events "
        f'there); add one: a TOML file with [[watch]] name = "{base.lower()}-all" '
        f'base = "{base}", then run `basewatch watch --watches FILE` (or list the file under '
        "watches in basewatch.toml)"
    )
