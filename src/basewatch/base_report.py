"""A watch's base report in plain sentences, each followed by the flights that support it.

reads:   base_changes, base_routes, base_days, airfield_events, flights, aircraft
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

from .airfields import load_reference
from .identity.countries import load_blocks
from .links import trace_url
from .store import Store
from .watches import Watch

FOLLOW_DAYS = 14  # movements reported after a resumption


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    return {b.iso2: b.country for b in load_blocks().blocks if b.iso2}


def place(code: str | None) -> str:
    """'Al Khadim Air Base (HL59), Libya' from an ICAO code."""
    if not code:
        return "an unknown airfield"
    try:
        af = load_reference().airfield(code)
    except Exception:  # noqa: BLE001 - an unknown code is shown as it is
        return code
    where = ", ".join(x for x in (af.region, country_names().get(af.country, af.country)) if x)
    return f"{af.name} ({code})" + (f", {where}" if where else "")


def _flight_line(store: Store, flight_id: str, viewer: str | None = None) -> str:
    row = store.con.execute(
        """
        SELECT f.flight_id, f.icao24, a.registration, a.type_code, a.description, f.callsign,
               f.origin, f.origin_how, f.destination, f.destination_how, f.takeoff_ts,
               f.landing_ts, f.first_seen, f.last_seen
        FROM flights f LEFT JOIN aircraft a USING (icao24) WHERE f.flight_id = ?
        """,
        [flight_id],
    ).fetchone()
    if row is None:
        return f"flight {flight_id} (no longer stored)"
    fid, icao, reg, typ, desc, cs, org, org_how, dst, dst_how, t_off, t_on, first, last = row
    who = " ".join(
        x for x in (reg or icao, f"({desc or typ})" if (desc or typ) else "", cs or "") if x
    )
    dep = (
        f"{org} {t_off:%d %b %H:%M}Z ({org_how})"
        if org
        else f"first seen {first:%d %b %H:%M}Z ({org_how})"
    )
    arr = (
        f"{dst} {t_on:%d %b %H:%M}Z ({dst_how})"
        if dst
        else f"last seen {last:%d %b %H:%M}Z ({dst_how})"
    )
    return f"flight {fid}: {who}, {dep} → {arr} {trace_url(icao, first, viewer)}"


def base_report(store: Store, watch: Watch, viewer: str | None = None) -> list[str]:
    """The report's lines; every flight cited ends with its trace in the tar1090 ``viewer``."""
    con = store.con
    span = con.execute(
        "SELECT min(day), max(day), count(*) FILTER (WHERE observable), count(*) FROM base_days WHERE base = ?",
        [watch.base],
    ).fetchone()
    lines = [f"{watch.title} — {place(watch.base)}"]
    if not span or span[0] is None:
        return [*lines, "  no data around this base yet"]
    lines.append(
        f"  data {span[0]:%d %b %Y} to {span[1]:%d %b %Y}; the base was observable on {span[2]} of "
        f"{span[3]} days; counted: {watch.describe()}"
    )
    changes = con.execute(
        "SELECT kind, start_ts, end_ts, summary, flight_ids FROM base_changes WHERE watch = ? "
        "ORDER BY start_ts, kind",
        [watch.name],
    ).fetchall()
    if not span[2]:
        lines.append("  no coverage: the base was never observable, so no change can be told")
    elif not changes:
        lines.append("  no change found")
    for kind, start, _end, summary, flights in changes:
        lines.append(f"• {kind}: {summary}")
        for fid in flights:
            lines.append(f"    evidence: {_flight_line(store, fid, viewer)}")
        if kind == "resumption":
            lines += _after(store, watch, start, viewer)
    routes = con.execute(
        """
        SELECT registration, type_code, origin, origin_how, arrival_ts, arrival_how, departure_ts,
               departure_how, destination, destination_how, arrival_flight_id, departure_flight_id
        FROM base_routes WHERE watch = ? AND arrival_ts >= coalesce(
            (SELECT max(start_ts) FROM base_changes WHERE watch = ? AND kind = 'resumption'),
            (SELECT max(arrival_ts) - INTERVAL 30 DAY FROM base_routes WHERE watch = ?))
        ORDER BY arrival_ts
        """,
        [watch.name, watch.name, watch.name],
    ).fetchall()
    for reg, typ, org, org_how, a_ts, a_how, d_ts, d_how, dst, dst_how, a_f, d_f in routes:
        leave = (
            f"left {d_ts:%d %b %H:%M}Z ({d_how.replace('_', ' ')})" if d_ts else "no departure seen"
        )
        lines.append(
            f"• route: {reg or '?'} ({typ or '?'}) {place(org)} [{org_how}] → {place(watch.base)}, "
            f"arrived {a_ts:%d %b %Y %H:%M}Z ({a_how.replace('_', ' ')}), {leave} → "
            f"{place(dst) if d_ts else '—'}" + (f" [{dst_how}]" if d_ts else "")
        )
        lines.append(f"    evidence: {_flight_line(store, a_f, viewer)}")
        if d_f is not None:
            lines.append(f"    evidence: {_flight_line(store, d_f, viewer)}")
    return lines


def _after(store: Store, watch: Watch, start, viewer: str | None = None) -> list[str]:
    """The qualifying arrivals in the days after a resumption, by type."""
    where, params = watch.where()
    rows = store.con.execute(
        f"""
        SELECT a.type_code, a.description, a.registration, e.ts, e.flight_id, e.event_type
        FROM airfield_events e LEFT JOIN aircraft a USING (icao24)
        WHERE {where} AND e.event_type LIKE 'landing%' AND e.ts >= ? AND e.ts < ?
        ORDER BY e.ts
        """,
        [*params, start - timedelta(hours=1), start + timedelta(days=FOLLOW_DAYS)],
    ).fetchall()
    by_type: dict[str, list] = defaultdict(list)
    for typ, desc, reg, ts, fid, how in rows:
        by_type[desc or typ or "unknown type"].append((reg, ts, fid, how))
    out = []
    for name, items in by_type.items():
        first, last = items[0][1], items[-1][1]
        regs = ", ".join(
            f"{r or '?'} {ts:%d %b}" + (" (inferred)" if "inferred" in h else "")
            for r, ts, _, h in items
        )
        n = len(items)
        out.append(
            f"• arrivals after the resumption: {n} {name} flight{'s' if n > 1 else ''} into "
            f"{watch.base} "
            + (
                f"on {last.day} {last:%B %Y}"
                if first.date() == last.date()
                else f"between {first.day} and {last.day} {last:%B %Y}"
                if (first.year, first.month) == (last.year, last.month)
                else f"between {first.day} {first:%B} and {last.day} {last:%B %Y}"
            )
            + f" ({regs})"
        )
        out += [f"    evidence: {_flight_line(store, fid, viewer)}" for *_, fid, _h in items]
    return out
