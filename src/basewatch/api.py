"""The Python API: plain functions over a store path, returning reports or pandas DataFrames.

import basewatch as bw
bw.ingest(["capture.bin"], db="watch.duckdb", receiver=(35.40, 35.95))
df = bw.positions(db="watch.duckdb", icao24="152fa2", since="2025-10-24")
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa

from . import config, schema
from .airfields import load_reference
from .errors import ConfigError
from .ingest.pipeline import IngestReport, Progress
from .ingest.pipeline import ingest as _ingest
from .store import open_store

PathLike = str | os.PathLike

BEAST_CLOCKS = ("12mhz", "gps")


def parse_time(value: str | datetime | None, name: str = "time") -> datetime | None:
    """ISO 8601 date or date-time (UTC unless it says otherwise) → aware datetime."""
    if value is None or isinstance(value, datetime):
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
    try:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(
            f"{name} {value!r}: expected an ISO date or time, e.g. 2025-10-24 or 2025-10-24T06:00Z"
        ) from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def ingest(
    inputs: PathLike | Iterable[PathLike],
    db: PathLike | None = None,
    format: str | None = None,
    receiver: tuple[float, float] | str | None = None,
    start: str | datetime | None = None,
    duration: float | None = None,
    progress: Progress | None = None,
    beast_clock: str = "12mhz",
) -> IngestReport:
    """Read files, folders, archives or ``tcp://host:port`` feeds into the store.

    ``beast_clock`` is the receiver timestamp mode of Beast / AVR input: ``12mhz`` (a free-running
    counter, dump1090 / readsb) or ``gps`` (Radarcape-style seconds of the day).
    """
    if beast_clock not in BEAST_CLOCKS:
        raise ConfigError(f"beast clock {beast_clock!r}: choose one of: {', '.join(BEAST_CLOCKS)}")
    items = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    settings = config.resolve(db, receiver if isinstance(receiver, str) else None)
    rec = receiver if isinstance(receiver, tuple) else settings.receiver
    with open_store(settings.db) as store:
        return _ingest(
            items,
            store,
            fmt=format,
            receiver=rec,
            start=parse_time(start, "start"),
            duration=duration,
            progress=progress,
            beast_clock=beast_clock,
            args={
                "inputs": [str(i) for i in items],
                "format": format,
                "receiver": rec,
                "start": str(start) if start else None,
                "duration": duration,
                "beast_clock": beast_clock,
            },
        )


POSITION_COLUMNS = schema.column_docs("positions")


def positions_table(
    db: PathLike | None = None,
    icao24: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pa.Table:
    """Positions as an Arrow table, ordered by aircraft then time (see ``POSITION_COLUMNS``)."""
    settings = config.resolve(db)
    where, params = [], []
    if icao24:
        where.append("icao24 = ?")
        params.append(icao24.lower())
    if since:
        where.append("ts >= ?")
        params.append(parse_time(since, "since"))
    if until:
        where.append("ts < ?")
        params.append(parse_time(until, "until"))
    sql = (
        "SELECT * FROM positions"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY icao24, ts"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with open_store(settings.db, read_only=True) as store:
        return store.table(sql, params)


def positions(
    db: PathLike | None = None,
    icao24: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Positions as a pandas DataFrame; columns and units in ``bw.POSITION_COLUMNS``."""
    return positions_table(db, icao24, since, until, limit).to_pandas()


FLIGHT_COLUMNS = schema.column_docs("flights")
EVENT_COLUMNS = schema.column_docs("airfield_events")


def process(db: PathLike | None = None, full: bool = False):
    """Bring flights and airfield events up to date with the positions (only what changed,
    unless ``full``); returns a ``ProcessReport``."""
    from .stages.process import process as _process

    settings = config.resolve(db)
    with open_store(settings.db) as store:
        return _process(store, full=full)


def _fresh(db: PathLike | None):
    """Open the store for a query, processing new positions first if there are any."""
    from .stages.process import process as _process
    from .stages.process import stale

    settings = config.resolve(db)
    with open_store(settings.db) as store:
        if stale(store):
            _process(store)
    return open_store(settings.db, read_only=True)


def _filters(
    base: str | None,
    since,
    until,
    icao24: str | None,
    time_cols: tuple[str, str],
    base_cols: tuple[str, ...],
) -> tuple[list[str], list]:
    """WHERE terms: ``time_cols`` are the columns compared with since and until."""
    where, params = [], []
    if base:
        code = load_reference().airfield(_base_code(base)).icao
        where.append("(" + " OR ".join(f"{c} = ?" for c in base_cols) + ")")
        params += [code] * len(base_cols)
    if since:
        where.append(f"{time_cols[0]} >= ?")
        params.append(parse_time(since, "since"))
    if until:
        where.append(f"{time_cols[1]} < ?")
        params.append(parse_time(until, "until"))
    if icao24:
        where.append("icao24 = ?")
        params.append(icao24.lower())
    return where, params


def _base_code(base: str) -> str:
    hit = load_reference().resolve(base)
    if hit is None or not hasattr(hit, "icao"):
        raise ConfigError(f"unknown base or airfield {base!r}: give an ICAO code or a known name")
    return hit.icao


def flights_table(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    airborne_only: bool = True,
) -> pa.Table:
    """Flights (see ``FLIGHT_COLUMNS``) overlapping [since, until), oldest first; ``base``
    matches origin or destination."""
    span = ("last_seen", "first_seen")
    where, params = _filters(base, since, until, icao24, span, ("origin", "destination"))
    if airborne_only:
        where.append("n_airborne > 0")
    sql = "SELECT * FROM flights" + (" WHERE " + " AND ".join(where) if where else "")
    with _fresh(db) as store:
        return store.table(sql + " ORDER BY first_seen, icao24", params)


def flights(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    airborne_only: bool = True,
) -> pd.DataFrame:
    """Flights as a pandas DataFrame; columns and units in ``bw.FLIGHT_COLUMNS``."""
    return flights_table(db, base, since, until, icao24, airborne_only).to_pandas()


def events_table(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    event_type: str | None = None,
) -> pa.Table:
    """Airfield events (see ``EVENT_COLUMNS``), in time order."""
    where, params = _filters(base, since, until, icao24, ("ts", "ts"), ("airfield",))
    if event_type:
        from .stages.airfield_events import EVENT_TYPES

        if event_type not in EVENT_TYPES:
            raise ConfigError(f"event type {event_type!r}: choose one of {', '.join(EVENT_TYPES)}")
        where.append("event_type = ?")
        params.append(event_type)
    sql = "SELECT * FROM airfield_events" + (" WHERE " + " AND ".join(where) if where else "")
    with _fresh(db) as store:
        return store.table(sql + " ORDER BY ts, icao24", params)


def events(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    event_type: str | None = None,
) -> pd.DataFrame:
    """Take-offs, landings and passes as a pandas DataFrame; columns in ``bw.EVENT_COLUMNS``."""
    return events_table(db, base, since, until, icao24, event_type).to_pandas()


def export_flights(
    path: PathLike,
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    format: str | None = None,
) -> int:
    """Write flights with their tracks as GeoJSON or KML (told from the file name); returns
    the number of flights written."""
    from .export import write_tracks

    chosen = flights_table(db, base, since, until, icao24)
    settings = config.resolve(db)
    with open_store(settings.db, read_only=True) as store:
        return write_tracks(store, chosen, path, format)
