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


# --- news ---------------------------------------------------------------------------------

NEWS_EVENT_COLUMNS = schema.column_docs("news_events")
NEWS_FORMATS = ("table", "json", "csv")


def news_add(
    inputs: PathLike | Iterable[PathLike],
    db: PathLike | None = None,
    published: str | datetime | None = None,
    url: str | None = None,
    outlet: str | None = None,
    bases: Iterable[PathLike] = (),
    timeout_s: float = 10.0,
    max_bytes: int = 5 * 1024 * 1024,
):
    """Read articles (files, folders, http(s) pages or feeds) and extract their events.

    ``published``, ``url`` and ``outlet`` say what a file cannot tell itself. Returns a
    ``NewsReport`` (articles read, new, duplicates, events, rejects by reason).
    """
    from .news.fetch import Given, parse_published
    from .news.pipeline import add_news

    items = [str(inputs)] if isinstance(inputs, str | os.PathLike) else [str(i) for i in inputs]
    given = Given(published=parse_published(published, "--published"), url=url, outlet=outlet)
    settings = config.resolve(db)
    with open_store(settings.db) as store:
        return add_news(
            items,
            store,
            given,
            bases=tuple(str(b) for b in bases),
            timeout_s=timeout_s,
            max_bytes=max_bytes,
            args={"inputs": items, "published": str(published or ""), "url": url, "outlet": outlet},
        )


def news_events_table(
    db: PathLike | None = None,
    since: str | datetime | None = None,
    actor: str | None = None,
    place: str | None = None,
    type: str | None = None,
) -> pa.Table:
    """News events (see ``NEWS_EVENT_COLUMNS``), oldest first; filters match without case."""
    from .news.events import EVENT_TYPES

    settings = config.resolve(db)
    where, params = [], []
    if since:
        where.append("e.date_end >= ?")
        params.append(parse_time(since, "since").date().isoformat())
    if actor:
        where.append(
            "(list_contains(list_transform(e.actors, x -> lower(x)), lower(?))"
            " OR lower(e.speaker) LIKE '%' || lower(?) || '%')"
        )
        params += [actor, actor]
    if place:
        where.append("(lower(e.place) = lower(?) OR lower(e.place_icao) = lower(?))")
        params += [place, place]
    if type:
        if type not in EVENT_TYPES:
            raise ConfigError(f"event type {type!r}: choose one of {', '.join(EVENT_TYPES)}")
        where.append("e.event_type = ?")
        params.append(type)
    sql = (
        "SELECT e.*, a.url, a.outlet FROM news_events e JOIN articles a USING (article_id)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY e.date_start NULLS LAST, a.published_at, e.char_start"
    )
    with open_store(settings.db, read_only=True) as store:
        return store.table(sql, params)


def news_events(
    db: PathLike | None = None,
    since: str | datetime | None = None,
    actor: str | None = None,
    place: str | None = None,
    type: str | None = None,
) -> pd.DataFrame:
    """News events as a pandas DataFrame; columns in ``bw.NEWS_EVENT_COLUMNS``."""
    return news_events_table(db, since, actor, place, type).to_pandas()
