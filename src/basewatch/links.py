"""Links a reader can follow without basewatch: a flight's trace in a public tar1090 viewer.

The viewer is a setting (``viewer`` in basewatch.toml, or $BASEWATCH_VIEWER), since analysts
use several; any tar1090 globe viewer takes ``?icao=<address>&showTrace=<UTC day>``.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

DEFAULT_VIEWER = "https://globe.adsb.lol/"


def trace_url(icao24: str, day: date | datetime, viewer: str | None = None) -> str:
    """'https://globe.adsb.lol/?icao=1554a1&showTrace=2025-10-26': that aircraft's trace on that
    UTC day (a flight over midnight is shown from the day it was first seen)."""
    base = viewer or DEFAULT_VIEWER
    if isinstance(day, datetime):
        day = day.date()
    sep = "&" if "?" in base else ("" if base.endswith("/") else "/") + "?"
    return base + sep + urlencode({"icao": icao24.lower(), "showTrace": day.isoformat()})


def link_flight_notes(store, notes, viewer: str | None = None) -> None:
    """Give every footnote that cites one flight (``refs == ['flight:<id>']``) and has no
    address yet the link to that flight's trace in the viewer."""
    wanted = {n.refs[0][7:] for n in notes if not n.url and n.refs and n.refs[0][:7] == "flight:"}
    if not wanted:
        return
    rows = store.con.execute(
        "SELECT flight_id, icao24, first_seen FROM flights WHERE list_contains(?, flight_id)",
        [sorted(wanted)],
    ).fetchall()
    where = {fid: (icao, first) for fid, icao, first in rows}
    for n in notes:
        if not n.url and n.refs and n.refs[0][7:] in where and n.refs[0][:7] == "flight:":
            n.url = trace_url(*where[n.refs[0][7:]], viewer)
