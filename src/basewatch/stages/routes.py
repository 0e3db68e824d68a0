"""Routes through a watched base: where qualifying aircraft came from and went next.

reads:   airfield_events, flights, aircraft
writes:  base_routes

For each qualifying landing at the base, the arriving flight's origin, then the same
aircraft's next take-off from the base within ``max_stay_days`` and that flight's destination
(e.g. HL59 → OSLK → UUMU: Libya → Latakia → the Moscow region).
"""

from __future__ import annotations

from ..store import Store
from ..watches import Watch


def base_routes(store: Store, watch: Watch, max_stay_days: float = 7.0) -> int:
    where, params = watch.where()
    con = store.con
    con.execute("DELETE FROM base_routes WHERE watch = ?", [watch.name])
    con.execute(
        f"""
        INSERT INTO base_routes
        WITH q AS (
            SELECT e.*, a.registration, a.type_code
            FROM airfield_events e LEFT JOIN aircraft a USING (icao24) WHERE {where}
        ),
        arr AS (SELECT * FROM q WHERE event_type LIKE 'landing%'),
        dep AS (SELECT * FROM q WHERE event_type LIKE 'takeoff%'),
        pair AS (
            SELECT arr.event_id AS a_id, arr.flight_id AS a_f, arr.ts AS a_ts, arr.event_type AS a_how,
                   arr.icao24, arr.registration, arr.type_code,
                   dep.event_id AS d_id, dep.flight_id AS d_f, dep.ts AS d_ts, dep.event_type AS d_how,
                   row_number() OVER (PARTITION BY arr.event_id ORDER BY dep.ts) AS k
            FROM arr LEFT JOIN dep ON dep.icao24 = arr.icao24 AND dep.ts > arr.ts
                 AND dep.ts <= arr.ts + to_microseconds(CAST(? * 86400e6 AS BIGINT))
        )
        SELECT ?, ?, p.icao24, p.registration, p.type_code,
               fa.origin, fa.origin_how, p.a_ts, p.a_how, p.d_ts, p.d_how,
               fd.destination, fd.destination_how, p.a_f, p.d_f, p.a_id, p.d_id
        FROM pair p LEFT JOIN flights fa ON fa.flight_id = p.a_f
             LEFT JOIN flights fd ON fd.flight_id = p.d_f
        WHERE p.k = 1
        """,
        [*params, max_stay_days, watch.name, watch.base],
    )
    return con.execute("SELECT count(*) FROM base_routes WHERE watch = ?", [watch.name]).fetchone()[
        0
    ]
