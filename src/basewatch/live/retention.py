"""Position retention for a live store that runs for months (``basewatch live --keep-positions``).

reads:   flights, airfield_events, position_rows
writes:  position_rows (deletes)

Positions older than the retention are deleted, except those a finding rests on:

- every position of a flight that has an airfield event (a take-off, a landing, inferred or
  not, a low pass, a go-around): the movements, the base activity and changes built on them,
  the alerts that cite them, their tracks on the map;
- every position low around a watched base (the box and height ``stages.activity`` counts),
  which tells whether a day could be observed there.

Everything else (overflights and flights far from any watched base) goes. Rows of ``flights``
stay; a flight whose positions went has no track any more. A ``process --full`` after a
deletion recomputes from what is kept: flights without an event are gone from it then.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

from .. import schema
from ..airfields import load_reference
from ..errors import ConfigError
from ..stages.activity import ActivityParams, box
from ..store import Store
from ..watches import Watch

log = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str | float) -> float:
    """``30d``, ``12h``, ``90m``, ``3600s`` or a number of seconds → seconds."""
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", str(text))
        if m is None:
            raise ConfigError(f"{text!r}: expected a duration such as 30d, 12h, 90m or 3600s")
        seconds = float(m.group(1)) * _UNITS[m.group(2) or "s"]
    if seconds <= 0:
        raise ConfigError(f"{text!r}: a retention must be more than 0 seconds")
    return seconds


def retain_positions(
    store: Store,
    keep_s: float,
    watches: list[Watch],
    now: datetime | None = None,
    params: ActivityParams = ActivityParams(),
) -> int:
    """Delete positions older than ``keep_s`` that no finding rests on (see the module
    docstring); returns how many were deleted."""
    con = store.con
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=keep_s)
    ref = load_reference()
    low = []
    args: list = [cutoff]
    for base in sorted({w.base for w in watches}):
        af = ref.airfield(base)
        la0, la1, lo0, lo1 = box(af.lat, af.lon, params.radius_nm)
        low.append(
            "(p.lat_deg BETWEEN ? AND ? AND p.lon_deg BETWEEN ? AND ? "
            "AND (p.on_ground OR coalesce(p.alt_baro_ft, p.alt_geom_ft) < ?))"
        )
        args += [la0, la1, lo0, lo1, af.elevation_ft + params.low_ft]
    near = f"AND NOT ({' OR '.join(low)})" if low else ""
    icao = schema.stored_sql("icao24", "f.icao24")
    before = con.execute("SELECT count(*) FROM position_rows WHERE ts < ?", [cutoff]).fetchone()[0]
    if not before:
        return 0
    con.execute(
        f"""
        DELETE FROM position_rows p
        WHERE p.ts < ? {near}
          AND NOT EXISTS (
            SELECT 1 FROM flights f
            WHERE f.flight_id IN (SELECT flight_id FROM airfield_events)
              AND {icao} = p.icao AND p.ts BETWEEN f.first_seen AND f.last_seen
          )
        """,
        args,
    )
    after = con.execute("SELECT count(*) FROM position_rows WHERE ts < ?", [cutoff]).fetchone()[0]
    gone = before - after
    if gone:
        log.info("retention: %s positions before %s deleted (%s kept)", gone, cutoff, after)
    return gone
