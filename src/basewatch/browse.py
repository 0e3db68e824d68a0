"""Queries for browsing the store one thing at a time: a flight by id with its positions, an
aircraft's flights, a page of flights or news, a search over addresses, registrations,
callsigns, types, bases and news actors, and one overview row per watch.

reads: flights, positions, airfield_events, aircraft, base_days, base_changes, base_routes,
       alerts, news_events, articles

``bw.flight``, ``bw.search`` and the rest are re-exported by ``basewatch.api``, with what the
web draws (``watch_map_svg``, ``flight_map_svg``, ``activity_svg``) and reads through
(``open_copy``, ``cursor``). Each function
takes ``db`` like the API (a store path) or an open read-only ``Store`` (the web server hands
its own, so that it can interrupt a query that runs past its time limit). Every list is bounded:
``limit`` is at most ``MAX_LIMIT`` and a page says whether more rows follow. Ids go out as 16
hex digits and come in the same way; an unknown or malformed id raises ``UnknownId``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa

from . import config, ids
from .errors import BasewatchError, ConfigError
from .store import Store, open_store

PathLike = str | os.PathLike
MAX_LIMIT = 500  # rows in one page of any list
MAX_TRACK_POINTS = 5000  # positions of one flight handed out at once
_HEX16 = re.compile(r"[0-9a-fA-F]{16}")
_HEX6 = re.compile(r"[0-9a-fA-F]{6}")


class UnknownId(BasewatchError):
    """No row has this id (or it is not 16 hex digits); the web answers 404."""

    exit_code = 3


@dataclass(slots=True)
class Page:
    """One page of a list: the rows, where it starts and whether more follow."""

    rows: pa.Table
    limit: int
    offset: int
    more: bool


def id_hex(value) -> str | None:
    """An id as shown everywhere: 16 lowercase hex digits (ints and hex text alike)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.lower()
    return ids.show(value)


def id_text(text: str, what: str = "id") -> str:
    """An id given by a caller as the tables keep it; ``UnknownId`` if it is not 16 hex
    digits (an id that cannot exist is as unknown as one that does not)."""
    try:
        return ids.parse(text, what)
    except ConfigError:
        raise UnknownId(
            f"no {what} {str(text)[:40]!r}: ids are 16 hex digits, e.g. 0a36418aa644dc6a"
        ) from None


@contextmanager
def _reading(db: PathLike | Store | None) -> Iterator[Store]:
    if isinstance(db, Store):
        yield db
        return
    with open_store(config.resolve(db).db, read_only=True) as store:
        yield store


def _bounded(limit: int | None, offset: int | None) -> tuple[int, int]:
    limit = 50 if limit is None else int(limit)
    offset = 0 if offset is None else int(offset)
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"limit {limit}: give 1 to {MAX_LIMIT}")
    if offset < 0:
        raise ConfigError(f"offset {offset}: must be 0 or more")
    return limit, offset


def _page(store: Store, sql: str, params: list, limit: int, offset: int) -> Page:
    rows = store.table(f"{sql} LIMIT {limit + 1} OFFSET {offset}", params)
    return Page(rows.slice(0, limit), limit, offset, rows.num_rows > limit)


def _time(value, name: str) -> datetime | None:
    from .api import parse_time

    return parse_time(value, name)


def base_code(text: str) -> str:
    """A base or airfield named by ICAO code, name or alias → its ICAO code."""
    from .airfields import load_reference

    hit = load_reference().resolve(text)
    if hit is None or not hasattr(hit, "icao"):
        raise ConfigError(f"unknown base or airfield {text!r}: give an ICAO code or a known name")
    return hit.icao


# --- flights -------------------------------------------------------------------------------

_FLIGHT_COLS = """
    f.flight_id AS flight_id, f.icao24, f.callsign, f.first_seen, f.last_seen,
    f.n_points, f.n_airborne, f.origin, f.origin_how, f.destination, f.destination_how,
    f.takeoff_ts, f.landing_ts, f.max_alt_ft, f.distance_nm, f.detector,
    a.registration, a.type_code, a.is_military, a.is_state
"""


def flight(db: PathLike | Store | None, flight_id: str) -> dict:
    """One flight (``FLIGHT_COLUMNS`` plus the aircraft's registration, type and flags) with
    its airfield events (``events``: type, airfield, time, confidence, reason, …)."""
    fid = id_text(flight_id, "flight")
    with _reading(db) as store:
        rows = store.table(
            f"SELECT {_FLIGHT_COLS} FROM flights f LEFT JOIN aircraft a USING (icao24) "
            "WHERE f.flight_id = ?",
            [fid],
        ).to_pylist()
        if not rows:
            raise UnknownId(f"no flight {flight_id}: not in this store")
        out = rows[0]
        out["events"] = store.table(
            "SELECT event_id, event_type, airfield, ts, lat_deg, "
            "lon_deg, track_deg, height_ft, distance_nm, confidence, reason, detector "
            "FROM airfield_events WHERE flight_id = ? ORDER BY ts",
            [fid],
        ).to_pylist()
    return out


def _flight_span(store: Store, fid: str) -> tuple[str, datetime, datetime]:
    row = store.con.execute(
        "SELECT icao24, first_seen, last_seen FROM flights WHERE flight_id = ?", [fid]
    ).fetchone()
    if row is None:
        raise UnknownId(f"no flight {fid}: not in this store")
    return row


def flight_positions(
    db: PathLike | Store | None,
    flight_id: str,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """The positions of a flight in time order (``POSITION_COLUMNS``), a page at a time (at
    most ``MAX_TRACK_POINTS``; default all of them up to that)."""
    limit = MAX_TRACK_POINTS if limit is None else int(limit)
    if not 1 <= limit <= MAX_TRACK_POINTS:
        raise ConfigError(f"limit {limit}: give 1 to {MAX_TRACK_POINTS}")
    _, offset = _bounded(1, offset)
    from . import schema

    fid = id_text(flight_id, "flight")
    with _reading(db) as store:
        icao, t0, t1 = _flight_span(store, fid)
        sql = (
            schema.positions_select_sql()
            + f" WHERE icao = {schema.stored_sql('icao24', '?')} AND ts BETWEEN ? AND ? ORDER BY ts"
        )
        return _page(store, sql, [icao, t0, t1], limit, offset)


def flight_track(db: PathLike | Store | None, flight_id: str, max_points: int = 2000) -> dict:
    """The flight as a GeoJSON FeatureCollection: the received track as a LineString (thinned
    to ``max_points``), the inferred stretches to their airfields as dashed LineStrings
    (``"how": "inferred"``) and the airfield events as Points. Coordinates are [lon, lat]."""
    from .airfields import load_reference

    info = flight(db, flight_id)
    fid = id_text(flight_id, "flight")
    with _reading(db) as store:
        icao, t0, t1 = _flight_span(store, fid)
        pts = store.con.execute(
            "SELECT lon_deg, lat_deg, alt_baro_ft, ts FROM position_rows WHERE icao = "
            "TRY_CAST('0x' || ? AS UINTEGER) AND ts BETWEEN ? AND ? ORDER BY ts",
            [icao, t0, t1],
        ).fetchall()
    step = max(1, len(pts) // max_points)
    kept = pts[::step] + (pts[-1:] if pts and (len(pts) - 1) % step else [])
    props = {k: _plain(v) for k, v in info.items() if k != "events"}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[p[0], p[1]] for p in kept]},
            "properties": {**props, "how": "observed", "points": len(pts)},
        }
    ]
    ref = load_reference().airfields
    for how, code, end in (
        (info["origin_how"], info["origin"], kept[:1]),
        (info["destination_how"], info["destination"], kept[-1:]),
    ):
        if how == "inferred" and code in ref and end:
            seg = [[end[0][0], end[0][1]], [ref[code].lon, ref[code].lat]]
            if end is kept[:1]:
                seg.reverse()
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": seg},
                    "properties": {"flight_id": info["flight_id"], "how": "inferred"},
                }
            )
    for e in info["events"]:
        if e["lat_deg"] is not None and e["lon_deg"] is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [e["lon_deg"], e["lat_deg"]]},
                    "properties": {k: _plain(v) for k, v in e.items()},
                }
            )
    return {"type": "FeatureCollection", "features": features}


def _plain(v):
    return v.isoformat() if isinstance(v, datetime) else v


def flight_where(
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    airborne_only: bool = True,
    military: bool | None = None,
    state: bool | None = None,
    type_code: str | None = None,
    country: str | None = None,
    flight_id: str | None = None,
) -> tuple[list[str], list]:
    """WHERE terms and parameters over ``flights f LEFT JOIN aircraft a`` for the flight
    filters, with the CLI's meanings (``bw.flights_table`` and ``flights_page`` alike): flights
    overlapping [since, until), ``base`` the origin or destination, the identity filters of
    ``identity_where``, ``flight_id`` one flight."""
    where, params = [], []
    if base:
        code = base_code(base)
        where.append("(f.origin = ? OR f.destination = ?)")
        params += [code, code]
    if since:
        where.append("f.last_seen >= ?")
        params.append(_time(since, "since"))
    if until:
        where.append("f.first_seen < ?")
        params.append(_time(until, "until"))
    if icao24:
        where.append("f.icao24 = ?")
        params.append(icao_text(icao24))
    if airborne_only:
        where.append("f.n_airborne > 0")
    more, values = identity_where(military, state, type_code, country)
    if flight_id:
        more.append("f.flight_id = ?")
        values.append(ids.parse(flight_id, "flight id"))
    return where + more, params + values


def flights_page(
    db: PathLike | Store | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    military: bool | None = None,
    state: bool | None = None,
    type_code: str | None = None,
    country: str | None = None,
    include_ground: bool = False,
    newest_first: bool = True,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """A page of flights with the filters of ``bw.flights`` (``base`` matches origin or
    destination), newest first unless told otherwise."""
    limit, offset = _bounded(limit, offset)
    where, params = flight_where(
        base, since, until, icao24, not include_ground, military, state, type_code, country
    )
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"SELECT {_FLIGHT_COLS} FROM flights f LEFT JOIN aircraft a USING (icao24)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY f.first_seen {order}, f.flight_id"
    )
    with _reading(db) as store:
        return _page(store, sql, params, limit, offset)


def icao_text(text: str) -> str:
    """An ICAO 24-bit address given by a caller: 6 hex digits, lower case."""
    text = str(text).strip().lower()
    if not _HEX6.fullmatch(text):
        raise ConfigError(f"icao24 {text!r}: expected 6 hex digits, e.g. 152fa2")
    return text


def event_where(
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    event_type: str | None = None,
    event_id: str | None = None,
) -> tuple[list[str], list]:
    """WHERE terms and parameters over ``airfield_events`` for the event filters, with the
    CLI's meanings (``bw.events_table`` and ``events_page`` alike): events in [since, until)
    at ``base``, of ``event_type``, or the one ``event_id``."""
    from .stages.airfield_events import EVENT_TYPES

    where, params = [], []
    if base:
        where.append("airfield = ?")
        params.append(base_code(base))
    if since:
        where.append("ts >= ?")
        params.append(_time(since, "since"))
    if until:
        where.append("ts < ?")
        params.append(_time(until, "until"))
    if icao24:
        where.append("icao24 = ?")
        params.append(icao_text(icao24))
    if event_type:
        if event_type not in EVENT_TYPES:
            raise ConfigError(f"event type {event_type!r}: choose one of {', '.join(EVENT_TYPES)}")
        where.append("event_type = ?")
        params.append(event_type)
    if event_id:
        where.append("event_id = ?")
        params.append(ids.parse(event_id, "event id"))
    return where, params


def events_page(
    db: PathLike | Store | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    event_type: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """A page of airfield events (``EVENT_COLUMNS``, ids as hex), newest first."""
    limit, offset = _bounded(limit, offset)
    where, params = event_where(base, since, until, icao24, event_type)
    sql = (
        "SELECT event_id, flight_id AS flight_id, "
        "icao24, event_type, airfield, ts, lat_deg, lon_deg, track_deg, height_ft, distance_nm, "
        "confidence, reason, detector FROM airfield_events"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY ts DESC, event_id"
    )
    with _reading(db) as store:
        return _page(store, sql, params, limit, offset)


def event_flight(db: PathLike | Store | None, event_id: str) -> str:
    """The flight (16 hex digits) an airfield event belongs to."""
    eid = id_text(event_id, "event")
    with _reading(db) as store:
        fid = store.scalar("SELECT flight_id FROM airfield_events WHERE event_id = ?", [eid])
    if fid is None:
        raise UnknownId(f"no airfield event {event_id}: not in this store")
    return id_hex(fid)


# --- changes ---------------------------------------------------------------------------------


def change(db: PathLike | Store | None, change_id: str) -> dict:
    """One change (``CHANGE_COLUMNS``, ids as hex) with the flights that make it
    (``flights``: flight rows as ``flight`` gives them, without events)."""
    cid = id_text(change_id, "change")
    with _reading(db) as store:
        rows = store.table("SELECT * FROM base_changes WHERE change_id = ?", [cid]).to_pylist()
        if not rows:
            raise UnknownId(f"no change {change_id}: not in this store")
        out = rows[0]
        out["flights"] = store.table(
            f"SELECT {_FLIGHT_COLS} FROM flights f LEFT JOIN aircraft a USING (icao24) "
            "WHERE list_contains(?, f.flight_id) ORDER BY f.first_seen",
            [list(out["flight_ids"] or [])],
        ).to_pylist()
    return out


def routes_page(
    db: PathLike | Store | None = None,
    watch: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """A page of a watch's origin → base → destination chains (as ``bw.routes``, ids as hex),
    newest arrival first, arrivals in [since, until)."""
    limit, offset = _bounded(limit, offset)
    where, params = [], []
    if watch:
        where.append("watch = ?")
        params.append(watch)
    if since:
        where.append("arrival_ts >= ?")
        params.append(_time(since, "since"))
    if until:
        where.append("arrival_ts < ?")
        params.append(_time(until, "until"))
    sql = (
        "SELECT * FROM base_routes"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY arrival_ts DESC NULLS LAST, icao24"
    )
    with _reading(db) as store:
        return _page(store, sql, params, limit, offset)


def aircraft_identity(db: PathLike | Store | None, icao24: str) -> dict:
    """One aircraft's identity as the store keeps it (``AIRCRAFT_COLUMNS``; refreshed by
    ``process`` and ``import_aircraft``, and what the watches counted by); an address the
    store has not described is identified now (``bw.aircraft``)."""
    icao = icao_text(icao24)
    with _reading(db) as store:
        rows = store.table("SELECT * FROM aircraft WHERE icao24 = ?", [icao]).to_pylist()
    if rows:
        return rows[0]
    from .api import aircraft_table

    path = db.path if isinstance(db, Store) else db
    return aircraft_table(path, icao).to_pylist()[0]


def aircraft_page(
    db: PathLike | Store | None = None,
    icao24: str | None = None,
    registration: str | None = None,
    military: bool | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """A page of the stored identities (``AIRCRAFT_COLUMNS``), most positions first;
    ``registration`` ignores case and '-'."""
    limit, offset = _bounded(limit, offset)
    where, params = [], []
    if icao24:
        where.append("icao24 = ?")
        params.append(icao_text(icao24))
    if registration:
        where.append("replace(upper(registration), '-', '') = replace(upper(?), '-', '')")
        params.append(registration)
    if military is not None:
        where.append("is_military = ?")
        params.append(bool(military))
    sql = (
        "SELECT * FROM aircraft"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY position_count DESC, icao24"
    )
    with _reading(db) as store:
        return _page(store, sql, params, limit, offset)


# --- aircraft ----------------------------------------------------------------------------------


def watches_of(db: PathLike | Store | None, icao24: str, watches=None) -> list[dict]:
    """The watches an aircraft counts for: those with a qualifying movement of it (name,
    base, title, movements)."""
    from .watches import load_watches

    icao = icao_text(icao24)
    chosen = list(watches) if watches is not None else list(load_watches().values())
    out = []
    with _reading(db) as store:
        for w in chosen:
            terms, params = w.where()
            n = store.scalar(
                "SELECT count(*) FROM airfield_events e LEFT JOIN aircraft a USING (icao24) "
                f"WHERE e.icao24 = ? AND {terms}",
                [icao, *params],
            )
            if n:
                out.append({"watch": w.name, "base": w.base, "title": w.title, "movements": n})
    return out


# --- watches -----------------------------------------------------------------------------------


def watch_movements(
    db: PathLike | Store | None,
    watch,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int = 20,
) -> pa.Table:
    """A watch's latest qualifying movements (newest first): event and flight ids, type,
    time, confidence and the aircraft."""
    terms, params = watch.where()
    if since:
        terms += " AND e.ts >= ?"
        params.append(_time(since, "since"))
    if until:
        terms += " AND e.ts < ?"
        params.append(_time(until, "until"))
    limit, _ = _bounded(limit, 0)
    with _reading(db) as store:
        return store.table(
            f"SELECT e.event_id AS event_id, e.flight_id AS "
            "flight_id, e.event_type, e.ts, e.confidence, e.icao24, a.registration, a.type_code "
            "FROM airfield_events e LEFT JOIN aircraft a USING (icao24) "
            f"WHERE {terms} ORDER BY e.ts DESC LIMIT {limit}",
            params,
        )


def watch_overview(db: PathLike | Store | None = None, watches=None, weeks: int = 26) -> list[dict]:
    """One row per watch: its base, status at the end of the data (active, gap of N days,
    stop, unobservable, or no data), the last qualifying movement, qualifying movements per
    week over the last ``weeks`` weeks (oldest first), the latest change and the alerts
    raised for it (``alerts``, not counting the skipped past matches of a new rule) of which
    ``alerts_open`` are not delivered yet."""
    from .watches import load_watches

    chosen = list(watches) if watches is not None else list(load_watches().values())
    out = []
    with _reading(db) as store:
        for w in chosen:
            row = {"watch": w.name, "title": w.title, "base": w.base, "describe": w.describe()}
            last_day, observable = store.con.execute(
                "SELECT day, observable FROM base_days WHERE base = ? ORDER BY day DESC LIMIT 1",
                [w.base],
            ).fetchone() or (None, None)
            row["data_until"] = last_day
            terms, params = w.where()
            last = store.con.execute(
                f"SELECT e.event_id, e.flight_id, e.event_type, "
                "e.ts, a.registration, e.icao24 FROM airfield_events e LEFT JOIN aircraft a "
                f"USING (icao24) WHERE {terms} ORDER BY e.ts DESC LIMIT 1",
                params,
            ).fetchone()
            row["last_movement"] = (
                dict(zip(("event_id", "flight_id", "event_type", "ts", "registration", "icao24"), last, strict=True))
                if last
                else None
            )  # fmt: skip
            weekly: list[int] = []
            if last_day is not None:
                start = last_day - timedelta(days=7 * weeks - 1)
                counts = dict(
                    store.con.execute(
                        "SELECT (CAST(e.ts AS DATE) - CAST(? AS DATE)) // 7 AS w, count(*) "
                        "FROM airfield_events e LEFT JOIN aircraft a USING (icao24) "
                        f"WHERE {terms} AND e.ts >= CAST(? AS DATE) GROUP BY w",
                        [start, *params, start],
                    ).fetchall()
                )
                weekly = [int(counts.get(i, 0)) for i in range(weeks)]
            row["weekly_movements"] = weekly
            latest = store.table(
                "SELECT change_id, kind, start_ts, end_ts, days, "
                "summary FROM base_changes WHERE watch = ? ORDER BY start_ts DESC LIMIT 1",
                [w.name],
            ).to_pylist()
            row["latest_change"] = latest[0] if latest else None
            row["alerts"], row["alerts_open"] = store.con.execute(
                "SELECT count(*) FILTER (WHERE status <> 'skipped'), "
                "count(*) FILTER (WHERE status = 'pending') FROM alerts WHERE watch = ?",
                [w.name],
            ).fetchone()
            row["status"] = _status(store, w, last_day, observable, row["latest_change"])
            out.append(row)
    return out


def _status(store: Store, w, last_day, observable, latest) -> str:
    if last_day is None:
        return "no data"
    if not observable:
        return "unobservable"
    ongoing = store.con.execute(
        "SELECT kind, days FROM base_changes WHERE watch = ? AND kind IN ('gap', 'stop') "
        "AND end_ts IS NULL ORDER BY start_ts DESC LIMIT 1",
        [w.name],
    ).fetchone()
    if ongoing:
        kind, days = ongoing
        return f"gap of {days:.0f} days" if kind == "gap" and days is not None else kind
    return "active"


# --- news --------------------------------------------------------------------------------------

_NEWS_COLS = """
    e.event_id, e.article_id, e.event_type, e.date_start, e.date_end, e.date_precision, e.actors,
    e.place, e.place_icao, e.country, e.speaker, e.quote, e.source, e.sentence, e.char_start,
    e.extractor, a.url, a.outlet, a.title, a.published_at
"""


def identity_where(military=None, state=None, type_code=None, country=None) -> tuple[list, list]:
    """WHERE terms over ``aircraft a`` for the identity filters that flights lists share."""
    where, params = [], []
    for col, value in (("is_military", military), ("is_state", state)):
        if value is not None:
            where.append(f"coalesce(a.{col}, false) = ?")
            params.append(bool(value))
    if type_code:
        where.append("upper(a.type_code) = ?")
        params.append(type_code.upper())
    if country:
        where.append("upper(a.country_iso2) = ?")
        params.append(country.upper())
    return where, params


def news_where(since=None, until=None, actor=None, place=None, type=None) -> tuple[list, list]:
    """WHERE terms and parameters over ``news_events e`` for the news filters, with the CLI's
    meanings: ``since`` events ending on or after that day, ``until`` starting before it,
    ``actor`` an actor or the speaker, ``place`` the place or its ICAO code (no case)."""
    from .news.events import EVENT_TYPES

    where, params = [], []
    if since:
        where.append("e.date_end >= ?")
        params.append(_time(since, "since").date().isoformat())
    if until:
        where.append("e.date_start < ?")
        params.append(_time(until, "until").date().isoformat())
    if actor:
        where.append(
            "(list_contains(list_transform(e.actors, x -> lower(x)), lower(?))"
            " OR lower(e.speaker) LIKE '%' || lower(?) || '%')"
        )
        params += [actor, actor]
    if place:  # any name of the place: --place Khmeimim finds what --place OSLK finds
        from .news.participants import place_keys

        keys = place_keys(place)
        where.append("(list_contains(?, lower(e.place)) OR list_contains(?, lower(e.place_icao)))")
        params += [keys, keys]
    if type:
        if type not in EVENT_TYPES:
            raise ConfigError(f"event type {type!r}: choose one of {', '.join(EVENT_TYPES)}")
        where.append("e.event_type = ?")
        params.append(type)
    return where, params


def news_page(
    db: PathLike | Store | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    actor: str | None = None,
    place: str | None = None,
    type: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> Page:
    """A page of news events with the filters of ``bw.news_events`` (and ``until``: events
    starting before that day), each with its article's address, outlet, title and date."""

    limit, offset = _bounded(limit, offset)
    where, params = news_where(since, until, actor, place, type)
    sql = (
        f"SELECT {_NEWS_COLS} FROM news_events e JOIN articles a USING (article_id)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY e.date_start NULLS LAST, a.published_at, e.char_start, e.event_id"
    )
    with _reading(db) as store:
        return _page(store, sql, params, limit, offset)


def news_event(db: PathLike | Store | None, event_id: str) -> dict:
    """One news event with its article's address, outlet, title and date."""
    text = str(event_id).strip().lower()
    if not _HEX16.fullmatch(text):
        raise UnknownId(f"no news event {event_id!r}: ids are 16 hex digits")
    with _reading(db) as store:
        rows = store.table(
            f"SELECT {_NEWS_COLS} FROM news_events e JOIN articles a USING (article_id) "
            "WHERE e.event_id = ?",
            [text],
        ).to_pylist()
    if not rows:
        raise UnknownId(f"no news event {event_id}: not in this store")
    return rows[0]


# --- search ------------------------------------------------------------------------------------


def search(db: PathLike | Store | None, q: str, limit: int = 20) -> list[dict]:
    """Find what ``q`` names: an address (6 hex digits), an id (16), a registration, callsign
    or type, a base by ICAO code, name or alias, a watch, or a news actor. Each hit has
    ``kind``, ``key`` (its id or code), ``label`` and ``detail``; at most ``limit`` per kind."""
    from .airfields import load_reference
    from .watches import load_watches

    q = (q or "").strip()
    if not q:
        raise ConfigError("search: give some text, e.g. RA-82010, 1540c2, A124 or Khmeimim")
    if len(q) > 100:
        raise ConfigError("search: at most 100 characters")
    limit, _ = _bounded(limit, 0)
    hits: list[dict] = []
    ref = load_reference()
    place = ref.resolve(q)
    watches = load_watches()
    if place is not None and hasattr(place, "icao"):
        hits.append(
            {"kind": "base", "key": place.icao, "label": f"{place.icao} {place.name}",
             "detail": ", ".join(w.name for w in watches.values() if w.base == place.icao)}
        )  # fmt: skip
    for w in watches.values():
        if q.lower() in w.name.lower() or q.lower() in (w.title or "").lower():
            hits.append({"kind": "watch", "key": w.name, "label": w.title or w.name,
                         "detail": w.base})  # fmt: skip
    like = f"%{q.lower().replace('-', '')}%"
    with _reading(db) as store:
        if _HEX16.fullmatch(q):
            n = q.lower()
            for kind, sql in (
                ("flight", "SELECT count(*) FROM flights WHERE flight_id = ?"),
                ("event", "SELECT count(*) FROM airfield_events WHERE event_id = ?"),
                ("change", "SELECT count(*) FROM base_changes WHERE change_id = ?"),
            ):
                if store.scalar(sql, [n]):
                    hits.append({"kind": kind, "key": q.lower(), "label": f"{kind} {q.lower()}",
                                 "detail": ""})  # fmt: skip
            if store.scalar("SELECT count(*) FROM news_events WHERE event_id = ?", [q.lower()]):
                hits.append({"kind": "news", "key": q.lower(), "label": f"news event {q.lower()}",
                             "detail": ""})  # fmt: skip
        for r in store.con.execute(
            "SELECT icao24, registration, type_code, callsigns, country, is_military, is_state "
            "FROM aircraft WHERE icao24 = lower(?) OR replace(lower(registration), '-', '') "
            "LIKE ? OR upper(type_code) = upper(?) OR lower(callsigns) LIKE ? "
            f"ORDER BY position_count DESC LIMIT {limit}",
            [q, like, q, f"%{q.lower()}%"],
        ).fetchall():
            flags = "military" if r[5] else "state" if r[6] else "civil"
            hits.append(
                {"kind": "aircraft", "key": r[0],
                 "label": " ".join(x for x in (r[1], r[2], r[0]) if x),
                 "detail": f"{flags}, {r[4] or 'unknown country'}; callsigns {r[3] or 'none'}"}
            )  # fmt: skip
        for actor, n in store.con.execute(
            "SELECT x, count(*) FROM (SELECT unnest(actors) AS x FROM news_events "
            "UNION ALL SELECT speaker FROM news_events WHERE speaker IS NOT NULL) "
            f"WHERE lower(x) LIKE ? GROUP BY x ORDER BY count(*) DESC, x LIMIT {limit}",
            [f"%{q.lower()}%"],
        ).fetchall():
            hits.append({"kind": "actor", "key": actor, "label": actor,
                         "detail": f"{n} news event(s)"})  # fmt: skip
    return hits


# --- what the web draws and reads through ------------------------------------------------------


def watch_list(files=()) -> dict:
    """The watches by name: the shipped ones and those of ``files``."""
    from .watches import load_watches

    return load_watches(list(files))


def news_types() -> tuple[str, ...]:
    from .news.events import EVENT_TYPES

    return EVENT_TYPES


def map_svg(db: PathLike | Store | None, flight_ids: list[str], base: str) -> str:
    """The flights on the shipped base map around ``base`` (inline SVG, no script)."""
    from .fuse.map import svg_map

    with _reading(db) as store:
        return svg_map(store, list(flight_ids), base)


def activity_svg(
    db: PathLike | Store | None, watch, since=None, until=None, title: str | None = None
) -> str:
    """The watch's base activity per day as inline SVG, unobservable days shown as unknown and
    the watch's changes marked."""
    from .api import activity, changes
    from .charts import activity_frame, svg_chart

    path = db.path if isinstance(db, Store) else db
    act = activity(path, watch.base, since, until)
    return svg_chart(activity_frame(act), changes(path, watch.name), title or watch.title)


def store_path(db: PathLike | None = None):
    """Where the store is: ``db``, else $BASEWATCH_DB, basewatch.toml or the user data folder."""
    return config.resolve(db).db


def open_copy(path: PathLike) -> Store:
    """Open a store read-only (the web server's own copy of it)."""
    return open_store(path, read_only=True)


def cursor(store: Store) -> Store:
    """Another handle on an open store's database, for one thread (DuckDB cursors may be
    interrupted one by one)."""
    con = store.con.cursor()
    con.execute("SET TimeZone = 'UTC'")
    return Store(con, store.path, True)
