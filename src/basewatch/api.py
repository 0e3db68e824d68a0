"""The Python API: plain functions over a store path, returning reports or pandas DataFrames.

import basewatch as bw
bw.ingest(["capture.bin"], db="watch.duckdb", receiver=(35.40, 35.95))
df = bw.positions(db="watch.duckdb", icao24="152fa2", since="2025-10-24")
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pandas as pd
import pyarrow as pa

from . import config, schema
from .errors import ConfigError
from .readers.pipeline import IngestReport, Progress
from .readers.pipeline import ingest as _ingest
from .store import open_store
from .store.runs import recorded

PathLike = str | os.PathLike

BEAST_CLOCKS = ("12mhz", "gps")
_BARE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


UPPER_BOUNDS = ("until", "to")  # names of a window's end: a bare date there includes its day


def parse_time(value: str | datetime | None, name: str = "time") -> datetime | None:
    """ISO 8601 date or date-time (UTC unless it says otherwise) → aware datetime.

    A window's end (``name`` "until" or "to") given as a bare date (``2025-10-26``) includes
    that whole day: it becomes the next midnight, and windows end before their end time. A
    full time stays as given (``--until 2025-10-26T12:00Z`` ends just before noon)."""
    if value is None or isinstance(value, datetime):
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value
    text = str(value).strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(
            f"{name} {value!r}: expected an ISO date or time, e.g. 2025-10-24 or 2025-10-24T06:00Z"
        ) from exc
    if name in UPPER_BOUNDS and _bare(text):
        dt += timedelta(days=1)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _bare(value) -> bool:
    return isinstance(value, str) and bool(_BARE_DATE.fullmatch(value.strip()))


def check_window(
    since: str | datetime | None, until: str | datetime | None, names=("--since", "--until")
) -> tuple[datetime | None, datetime | None]:
    """The window [since, until) as aware datetimes; a window that ends before (or where) it
    starts is a ``ConfigError`` naming both bounds as given."""
    t0, t1 = parse_time(since, "since"), parse_time(until, "until")
    if t0 is not None and t1 is not None and t1 <= t0:
        whole = " (a bare date there includes its whole day)" if _bare(until) else ""
        raise ConfigError(
            f"{names[0]} {since} is not before {names[1]} {until}{whole}: the window holds nothing"
        )
    return t0, t1


def ingest(
    inputs: PathLike | Iterable[PathLike],
    db: PathLike | None = None,
    format: str | None = None,
    receiver: tuple[float, float] | str | None = None,
    start: str | datetime | None = None,
    duration: float | None = None,
    progress: Progress | None = None,
    beast_clock: str = "12mhz",
    jobs: int = 1,
) -> IngestReport:
    """Read files, folders, archives or ``tcp://host:port`` feeds into the store.

    ``jobs`` > 1 parses files in that many worker processes while this one writes (same rows).

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
            jobs=jobs,
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
    where, params = [], []
    if icao24:
        where.append(f"icao = {schema.stored_sql('icao24', '?')}")
        params.append(icao24.lower())
    if since:
        where.append("ts >= ?")
        params.append(parse_time(since, "since"))
    if until:
        where.append("ts < ?")
        params.append(parse_time(until, "until"))
    sql = (
        schema.positions_select_sql()
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY icao, ts"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with _read(db) as store:
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


def process(db: PathLike | None = None, full: bool = False, jobs: int = 1):
    """Bring flights and airfield events up to date with the positions (only what changed,
    unless ``full``); returns a ``ProcessReport``. ``jobs`` > 1 runs the kernels on groups
    of aircraft in that many worker processes (the same rows)."""
    from .stages.process import process as _process

    with _write(db) as store, recorded(store, "process", {"full": full}) as run:
        report = _process(store, full=full, run_id=run.run_id, jobs=jobs)
        run.rows_read, run.rows_added = report.positions, report.flights
        run.counts = report.as_dict()
        return report


def _read(db: PathLike | None):
    """The store for a query: opened read-only, once per call, and passed down. A query never
    writes (``process`` brings the derived tables up to date; ``pending`` says when to)."""
    return open_store(config.resolve(db).db, read_only=True)


def _write(db: PathLike | None, create: bool = False):
    """The store for a command that writes; only commands that add data create one."""
    return open_store(config.resolve(db).db, create=create)


def pending(db: PathLike | None = None) -> int:
    """Sources ingested that ``flights`` and ``airfield_events`` do not include yet (0: the
    derived tables are up to date)."""
    from .stages.process import pending_sources

    with _read(db) as store:
        return len(pending_sources(store))


def _base_code(base: str) -> str:
    return base_code(base)  # browse.base_code, imported below


def _limited(sql: str, limit: int | None) -> str:
    """``sql`` with at most ``limit`` rows (None: all), limited in the query itself."""
    if limit is None:
        return sql
    if int(limit) < 1:
        raise ConfigError(f"limit {limit}: give 1 or more")
    return f"{sql} LIMIT {int(limit)}"


# flights in time order: take-off, else first seen; ties by address, then id (stable)
FLIGHT_ORDER = "coalesce(f.takeoff_ts, f.first_seen), f.icao24, f.flight_id"


def flights_table(
    db: PathLike | None = None,
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
    limit: int | None = None,
) -> pa.Table:
    """Flights (see ``FLIGHT_COLUMNS``) overlapping [since, until), in time order (take-off,
    else first seen when the take-off was not seen; then address and id); ``base``
    matches origin or destination; ``military``, ``state``, ``type_code`` (ICAO designator,
    e.g. A124) and ``country`` (ISO alpha-2 of the address block) filter by identity;
    ``flight_id`` (16 hex digits, as every output shows it) picks one flight; ``limit``: the
    first that many."""
    from .browse import flight_where

    where, params = flight_where(
        base, since, until, icao24, airborne_only, military, state, type_code, country, flight_id
    )
    sql = "SELECT f.* FROM flights f LEFT JOIN aircraft a ON a.icao24 = f.icao24" + (
        " WHERE " + " AND ".join(where) if where else ""
    )
    with _read(db) as store:
        return store.table(_limited(sql + f" ORDER BY {FLIGHT_ORDER}", limit), params)


def flights(
    db: PathLike | None = None,
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
    limit: int | None = None,
) -> pd.DataFrame:
    """Flights as a pandas DataFrame; columns and units in ``bw.FLIGHT_COLUMNS``."""
    return flights_table(
        db, base, since, until, icao24, airborne_only, military, state, type_code, country,
        flight_id, limit,
    ).to_pandas()  # fmt: skip


def events_table(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    event_type: str | None = None,
    event_id: str | None = None,
    limit: int | None = None,
) -> pa.Table:
    """Airfield events (see ``EVENT_COLUMNS``), in time order; ``event_id`` picks one;
    ``limit``: the first that many."""
    from .browse import event_where

    where, params = event_where(base, since, until, icao24, event_type, event_id)
    sql = "SELECT * FROM airfield_events" + (" WHERE " + " AND ".join(where) if where else "")
    with _read(db) as store:
        return store.table(_limited(sql + " ORDER BY ts, icao24, event_id", limit), params)


def events(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    icao24: str | None = None,
    event_type: str | None = None,
    event_id: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Take-offs, landings and passes as a pandas DataFrame; columns in ``bw.EVENT_COLUMNS``."""
    return events_table(db, base, since, until, icao24, event_type, event_id, limit).to_pandas()


def export_flights(
    path: PathLike, db: PathLike | None = None, format: str | None = None, **filters
) -> int:
    """Write flights with their tracks as GeoJSON or KML (told from the file name); returns
    the number of flights written. ``filters`` are ``flights_table``'s, so the file holds
    exactly the flights that call lists."""
    from .export import write_tracks

    chosen = flights_table(db, **filters)
    with _read(db) as store:
        return write_tracks(store, chosen, path, format, viewer=config.resolve(db).viewer)


# --- aircraft identity ------------------------------------------------------------------------

AIRCRAFT_COLUMNS = schema.column_docs("aircraft")


def import_aircraft(
    path: PathLike,
    db: PathLike | None = None,
    format: str | None = None,
    source: str | None = None,
    watchlists: PathLike | Iterable[PathLike] | None = None,
):
    """Import a tar1090-db or OpenSky aircraft database CSV; returns an ``ImportReport``.

    The format is told from the content unless given. Importing the same ``source`` (default:
    the format name) again replaces its rows. The stored ``aircraft`` table is rebuilt after.
    """
    from .identity.aircraftdb import import_aircraft_db
    from .identity.identify import refresh_aircraft
    from .identity.rules import load_rules

    settings = config.resolve(db)
    rules = load_rules(watchlists=watchlists)
    with open_store(settings.db) as store:
        report = import_aircraft_db(
            path,
            store,
            fmt=format,
            source=source,
            args={"path": str(path), "format": format, "source": source},
        )
        if report.rows_stored:
            import time

            t0 = time.perf_counter()
            report.aircraft_rows = refresh_aircraft(store, rules)
            report.refresh_seconds = time.perf_counter() - t0
    return report


def aircraft_table(
    db: PathLike | None = None,
    icao24: str | None = None,
    registration: str | None = None,
    military: bool | None = None,
    watchlists: PathLike | Iterable[PathLike] | None = None,
) -> pa.Table:
    """Identity of aircraft as an Arrow table (columns in ``AIRCRAFT_COLUMNS``), computed now.

    ``icao24`` may be any 6-hex-digit address, even one the store has never seen (its country
    still comes from the address block). ``registration`` ignores case and '-'.
    """
    from .identity.identify import icao24s_for_registration, identify_aircraft
    from .identity.rules import load_rules

    rules = load_rules(watchlists=watchlists)
    want: list[str] | None = None
    if icao24 is not None:
        if not re.fullmatch(r"[0-9a-fA-F]{6}", icao24.strip()):
            raise ConfigError(f"icao24 {icao24!r}: expected 6 hex digits, e.g. 152fa2")
        want = [icao24.strip().lower()]
    with _read(db) as store:
        if registration is not None:
            found = icao24s_for_registration(store.con, registration)
            want = found if want is None else [a for a in want if a in found]
        if want is not None and not want:
            return schema.AIRCRAFT.empty_table()
        table = identify_aircraft(store.con, rules, want)
    if icao24 is not None and table.num_rows == 0:
        table = _unseen(icao24.strip().lower(), rules)
    if military is not None:
        import pyarrow.compute as pc

        table = table.filter(pc.equal(table.column("is_military"), military))
    return table


def _unseen(icao24: str, rules) -> pa.Table:
    """The one thing known of an address the store has never seen: its block's country."""
    from .identity.identify import DETECTOR

    iso2, country = rules.blocks.country_of(icao24)
    row = {f.name: None for f in schema.AIRCRAFT}
    row.update(
        icao24=icao24,
        country_iso2=iso2,
        country=country,
        is_military=False,
        is_state=False,
        position_count=0,
        detector=DETECTOR,
    )
    return pa.Table.from_pylist([row], schema=schema.AIRCRAFT)


def aircraft(
    db: PathLike | None = None,
    icao24: str | None = None,
    registration: str | None = None,
    military: bool | None = None,
    watchlists: PathLike | Iterable[PathLike] | None = None,
) -> pd.DataFrame:
    """Identity of aircraft as a pandas DataFrame; columns in ``bw.AIRCRAFT_COLUMNS``."""
    return aircraft_table(db, icao24, registration, military, watchlists).to_pandas()


def simulate(scenario, out: PathLike, format: str = "trace_full", seed: int | None = None):
    """Write a scenario's synthetic traffic under ``out`` in ``format``, with the truth files.

    ``scenario`` is a TOML path, a shipped scenario name (e.g. ``khmeimim-2025``) or a parsed
    ``Scenario``. Returns a ``SimReport``.
    """
    from .simulator.run import simulate as _simulate

    return _simulate(scenario, out, format=format, seed=seed)


CHANGE_COLUMNS = schema.column_docs("base_changes")


def _watches(watches: PathLike | Iterable[PathLike] | None, names: Iterable[str] | None = None):
    from .watches import load_watches

    files = [watches] if isinstance(watches, str | os.PathLike) else list(watches or [])
    found = load_watches(files)
    if names:
        missing = [n for n in names if n not in found]
        if missing:
            raise ConfigError(
                f"unknown watch {', '.join(missing)}; known: {', '.join(sorted(found))}"
            )
        return [found[n] for n in names]
    return list(found.values())


def _known_watch(store, name: str | None) -> None:
    """A watch asked for by name must be shipped or have been run on this store."""
    if not name:
        return
    from .watches import load_watches

    if name in load_watches():
        return
    seen = store.scalar(
        "SELECT count(*) FROM (SELECT watch FROM base_changes UNION SELECT watch FROM timeline) "
        "WHERE watch = ?",
        [name],
    )
    if not seen:
        raise ConfigError(f"unknown watch {name!r}: not shipped and never run on this store")


def watch(
    db: PathLike | None = None,
    watches: PathLike | Iterable[PathLike] | None = None,
    names: Iterable[str] | None = None,
):
    """Bring flights up to date, then each watch's base days, activity, changes and routes;
    returns a ``WatchReport``."""
    from .update import run_watches

    chosen = _watches(watches, names)
    with (
        _write(db) as store,
        recorded(store, "watch", {"watches": [w.name for w in chosen]}) as run,
    ):
        report = run_watches(store, chosen)
        run.counts = report.as_dict()
        return report


def changes(
    db: PathLike | None = None,
    watch: str | Iterable[str] | None = None,
    kind: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Changes found by the watches (columns in ``bw.CHANGE_COLUMNS``), in time order:
    ``watch`` one name or several, those starting in [since, until), the first ``limit``."""
    return changes_table(db, watch, kind, since, until, limit).to_pandas()


def changes_table(
    db: PathLike | None = None,
    watch: str | Iterable[str] | None = None,
    kind: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pa.Table:
    """``changes`` as an Arrow table; the window and ``limit`` are applied by the query."""
    with _read(db) as store:
        return _changes_table(store, watch, kind, since, until, limit)


def _changes(store, watch: str | None = None, kind: str | None = None) -> pd.DataFrame:
    return _changes_table(store, watch, kind).to_pandas()


def _changes_table(store, watch=None, kind=None, since=None, until=None, limit=None) -> pa.Table:
    from .stages.changes import KINDS

    if kind and kind not in (*KINDS, "unobserved"):
        raise ConfigError(
            f"change kind {kind!r}: choose one of {', '.join((*KINDS, 'unobserved'))}"
        )
    names = [watch] if isinstance(watch, str) else list(watch or [])
    for name in names:
        _known_watch(store, name)
    where, params = _window_where("start_ts", since, until)
    if names:
        where.append("list_contains(?, watch)")
        params.append(names)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    sql = "SELECT * FROM base_changes" + (" WHERE " + " AND ".join(where) if where else "")
    return store.table(_limited(sql + " ORDER BY start_ts, watch, kind", limit), params)


def _window_where(col: str, since, until) -> tuple[list[str], list]:
    """SQL conditions (and their parameters) for ``col`` in [since, until)."""
    where, params = [], []
    if since:
        where.append(f"{col} >= ?")
        params.append(parse_time(since, "since"))
    if until:
        where.append(f"{col} < ?")
        params.append(parse_time(until, "until"))
    return where, params


def activity(
    db: PathLike | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
) -> pd.DataFrame:
    """Per base and day: whether it was observable, and movements by category (military,
    state, civil). Days that were not observable have null counts: unknown, not zero."""
    with _read(db) as store:
        out = _activity(store, base, since, until)
        if base and out.empty:  # a base no watch covers: say so, and how to add one
            from .stages.activity import unwatched_message

            message = unwatched_message(store, _base_code(base))
            if message:
                raise ConfigError(message)
        return out


def _activity(store, base=None, since=None, until=None) -> pd.DataFrame:
    where, params = [], []
    if base:
        where.append("d.base = ?")
        params.append(_base_code(base))
    if since:
        where.append("d.day >= CAST(? AS DATE)")
        params.append(parse_time(since, "since"))
    if until:
        where.append("d.day < CAST(? AS DATE)")
        params.append(parse_time(until, "until"))
    counts = ", ".join(
        f"coalesce(sum(a.{m}) FILTER (WHERE a.category = '{c}'), 0) AS {c}_{m}"
        for c in ("military", "state", "civil")
        for m in ("arrivals", "departures")
    )
    shown = ", ".join(
        f"CASE WHEN observable THEN {c}_{m} END AS {c}_{m}"
        for c in ("military", "state", "civil")
        for m in ("arrivals", "departures")
    )
    sql = f"""
        SELECT base, day, observable, coverage_hours, window_hours, {shown} FROM (
            SELECT d.base, d.day, d.observable, d.coverage_hours, d.window_hours, {counts}
            FROM base_days d LEFT JOIN base_activity a ON a.base = d.base AND a.day = d.day
            {"WHERE " + " AND ".join(where) if where else ""}
            GROUP BY d.base, d.day, d.observable, d.coverage_hours, d.window_hours
        ) ORDER BY base, day
    """  # noqa: S608 - the interpolated parts are fixed names
    return store.table(sql, params).to_pandas()


def routes(db: PathLike | None = None, watch: str | None = None) -> pd.DataFrame:
    """Origin → base → destination chains of each watch's aircraft."""
    sql = "SELECT * FROM base_routes" + (" WHERE watch = ?" if watch else "")
    with _read(db) as store:
        return store.table(sql + " ORDER BY arrival_ts", [watch] if watch else []).to_pandas()


def report(
    db: PathLike | None = None,
    watches: PathLike | Iterable[PathLike] | None = None,
    names: Iterable[str] | None = None,
) -> str:
    """Each watch's base report: its changes and routes in sentences, with their evidence."""
    from .base_report import base_report

    chosen = _watches(watches, names)
    with _read(db) as store:
        viewer = config.resolve(db).viewer
        return "\n\n".join("\n".join(base_report(store, w, viewer)) for w in chosen)


def check_rules(rules: PathLike) -> None:
    """Read an alert rules file and raise ``ConfigError`` with the remedy if it is wrong."""
    from .alerts import load_rules

    load_rules(rules)


def alert(
    db: PathLike | None = None,
    rules: PathLike | None = None,
    watches: PathLike | Iterable[PathLike] | None = None,
    names: Iterable[str] | None = None,
    backfill: bool = False,
):
    """Raise the alerts the rules find in the watches' movements and changes (each once) and
    deliver them to the rules file's sinks; returns an ``AlertReport``. A rule's first run
    raises nothing from before it (they are counted as skipped) unless ``backfill``."""
    from .alerts import load_rules, run_alerts

    if rules is None:
        raise ConfigError("no alert rules: give a rules file (see data/alerts/example.toml)")
    chosen = _watches(watches, names)
    rule_list, sinks = load_rules(rules)
    args = {"rules": str(rules), "watches": [w.name for w in chosen]}
    with _write(db) as store, recorded(store, "alert", args) as run:
        report = run_alerts(store, rule_list, sinks, chosen, backfill=backfill)
        run.counts = report.as_dict()
        return report


def chart(
    path: PathLike,
    db: PathLike | None = None,
    base: str | None = None,
    watch: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    watches: PathLike | Iterable[PathLike] | None = None,
):
    """Write a base's activity chart (.png, .svg or self-contained .html); unobservable days
    are shown as such, and ``watch``'s changes are marked."""
    from pathlib import Path

    from .charts import write_chart

    if base is None and watch is None:
        raise ConfigError("a chart needs --base or --watch")
    title_watch = _watches(watches, [watch])[0] if watch else None
    code = _base_code(base) if base else title_watch.base
    with _read(db) as store:
        act = _activity(store, code, since, until)
        chg = _changes(store, watch) if watch else _changes(store).iloc[0:0]
        seen = _watched_per_day(store, title_watch) if title_watch else None
    what = title_watch.describe() if title_watch else None
    title = f"Movements per day at {code}" + (f": {what} and all others" if what else "")
    return write_chart(act, chg, Path(path), title, seen, what)


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
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pa.Table:
    """News events (see ``NEWS_EVENT_COLUMNS``), oldest first; filters match without case:
    ``since`` events ending on or after that day, ``until`` starting before it; ``limit``: the
    first that many."""
    from .browse import news_where

    where, params = news_where(since, until, actor, place, type)
    sql = (
        "SELECT e.*, a.url, a.outlet FROM news_events e JOIN articles a USING (article_id)"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY e.date_start NULLS LAST, a.published_at, e.char_start"
    )
    with _read(db) as store:
        return store.table(_limited(sql, limit), params)


def news_events(
    db: PathLike | None = None,
    since: str | datetime | None = None,
    actor: str | None = None,
    place: str | None = None,
    type: str | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """News events as a pandas DataFrame; columns in ``bw.NEWS_EVENT_COLUMNS``."""
    return news_events_table(db, since, actor, place, type, until, limit).to_pandas()


TIMELINE_COLUMNS = schema.column_docs("timeline")


def timeline(
    db: PathLike | None = None,
    watch: str | None = None,
    countries: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Each watch's timeline (columns in ``bw.TIMELINE_COLUMNS``): its changes, the movements of
    its aircraft and the news linked to them by place, actors and time, in order. Built by
    ``bw.watch``; news added since are linked when it runs again. With ``countries="RU,SY"``:
    the timeline of that pair (news between them, changes of watches that join them)."""
    return timeline_table(db, watch, countries, since, until, limit).to_pandas()


def timeline_table(
    db: PathLike | None = None,
    watch: str | None = None,
    countries: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    limit: int | None = None,
) -> pa.Table:
    """``timeline`` as an Arrow table: items in [since, until), the first ``limit`` of them.
    Without ``watch`` or ``countries``: every watch's items in time order, each with its
    watch. Items at the same time come news, change, movement, then by title; each item's
    ``days_after_prev`` counts from the row before it in that order (within its watch)."""
    if countries:
        from .fuse.timeline import pair_timeline

        pair = [c.strip().upper() for c in countries.split(",") if c.strip()]
        if len(pair) != 2 or not all(len(c) == 2 and c.isalpha() for c in pair):
            raise ConfigError(f"countries {countries!r}: give two ISO codes, e.g. RU,SY")
        t0, t1 = parse_time(since, "since"), parse_time(until, "until")
        with _read(db) as store:
            table = pair_timeline(store, *pair, since=t0, until=t1)
        return table.slice(0, limit) if limit else table
    with _read(db) as store:
        return _timeline_table(store, watch, since, until, limit)


def _timeline(store, watch: str | None) -> pd.DataFrame:
    return _timeline_table(store, watch).to_pandas()


# items at the same time: in the order the timeline is built (fuse/timeline.py)
_KIND_ORDER = "CASE kind WHEN 'news' THEN 0 WHEN 'change' THEN 1 ELSE 2 END"


def _timeline_table(store, watch=None, since=None, until=None, limit=None) -> pa.Table:
    _known_watch(store, watch)
    order = f"ts, {'' if watch else 'watch, '}{_KIND_ORDER}, title, link"
    inner, params = ("WHERE watch = ?", [watch]) if watch else ("", [])
    where, bounds = _window_where("ts", since, until)
    # days since the row before in the order printed (the stored value follows the build's
    # order, which may differ for items at one time), counted before the window cuts rows
    sql = f"""
        SELECT * FROM (
            SELECT * REPLACE (
                epoch(ts - lag(ts) OVER (PARTITION BY watch ORDER BY {order})) / 86400.0
                    AS days_after_prev)
            FROM timeline {inner}
        ) {"WHERE " + " AND ".join(where) if where else ""}
        ORDER BY {order}
    """  # noqa: S608 - the interpolated parts are fixed
    return store.table(_limited(sql, limit), params + bounds)


def brief(
    db: PathLike | None = None,
    watch: str | None = None,
    base: str | None = None,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    format: str = "md",
    watches: PathLike | Iterable[PathLike] | None = None,
) -> str:
    """The brief of a watch (or of the first watch of ``base``) as Markdown, HTML (one
    self-contained file with the activity chart) or JSON; every sentence cites its evidence."""
    from .charts import activity_frame, svg_chart
    from .fuse.brief import brief_json, build_brief
    from .fuse.stale import stale_warnings
    from .links import link_flight_notes

    if format not in ("md", "html", "json"):
        raise ConfigError(f"brief format {format!r}: choose md, html or json")
    t0, t1 = check_window(since, until)
    if watch:
        chosen = _watches(watches, [watch])[0]
    elif base:
        code = _base_code(base)
        chosen = next((w for w in _watches(watches) if w.base == code), None)
        if chosen is None:
            raise ConfigError(f"no watch on {code}: add one in a watch file")
    else:
        raise ConfigError("a brief needs --watch or --base")
    with _read(db) as store:
        b = build_brief(store, chosen, t0, t1)
        b.warnings = stale_warnings(store)
        link_flight_notes(store, b.notes, config.resolve(db).viewer)
        if format == "md":
            return b.markdown()
        if format == "json":
            return brief_json(b)
        from .fuse.map import svg_map

        what = chosen.describe()
        svg = svg_chart(
            activity_frame(
                _activity(store, chosen.base, since, until), _watched_per_day(store, chosen)
            ),
            _changes(store, chosen.name),
            f"Movements per day at {chosen.base}: {what} and all others",
            what=what,
        )
        rows = [
            (
                f"{r.ts:%Y-%m-%d %H:%M}",
                "" if r.days_after_prev != r.days_after_prev else f"{r.days_after_prev:.1f}",
                r.kind,
                r.title,
            )
            for r in _timeline(store, chosen.name).itertuples()
            if (t0 is None or r.ts >= t0) and (t1 is None or r.ts < t1)
        ]
        map_svg = svg_map(store, b.flight_ids(), chosen.base)
    return b.html(svg, map_svg, rows)


# --- browsing, one thing at a time: for the web pages and notebooks (basewatch/browse.py) -------

from .browse import (  # noqa: E402, F401 - re-exported: bw.flight, bw.search, …
    MAX_LIMIT,
    MAX_TRACK_POINTS,
    Page,
    UnknownId,
    activity_svg,
    aircraft_identity,
    aircraft_page,
    base_code,
    change,
    cursor,
    event_flight,
    events_page,
    flight,
    flight_positions,
    flight_track,
    flights_page,
    icao_text,
    id_hex,
    map_svg,
    news_event,
    news_page,
    news_types,
    open_copy,
    routes_page,
    search,
    store_path,
    watch_list,
    watch_movements,
    watch_overview,
    watches_of,
)

# --- live watch: feeds in, alerts out, until stopped ------------------------------------------

EXAMPLE_RULES = os.path.join(os.path.dirname(__file__), "data", "alerts", "example.toml")


def live_watch(
    feeds: Iterable[str] = (),
    db: PathLike | None = None,
    formats: str | Iterable[str] = "beast",
    poll: Iterable[str] = (),
    rules: PathLike | None = None,
    watches: PathLike | Iterable[PathLike] | None = None,
    names: Iterable[str] | None = None,
    duration: float | None = None,
    flush_s: float = 2.0,
    step_s: float = 5.0,
    beast_clock: str = "12mhz",
    stop=None,
    keep_positions: str | float | None = None,
):
    """Read ``tcp://HOST:PORT`` feeds (``formats``: one for all, or one per feed, of beast,
    avr, sbs) and polled ``aircraft.json`` (URL or folder) into the store, keeping flights,
    airfield events, the watches and alerts up to date every ``step_s`` seconds, until
    SIGINT / SIGTERM, ``stop`` (a ``threading.Event``) or ``duration`` seconds; returns a
    ``LiveReport``. Without ``rules`` the shipped example rules alert on the terminal.
    Progress is written to ``<db>.live.json`` (``live_status``). ``keep_positions`` (``30d``,
    ``12h``, seconds) deletes older positions no finding rests on (``live/retention.py``)."""
    import threading

    from .alerts import load_rules
    from .live import FeedParams, FeedSpec, LiveParams, LiveService, status_path, stop_on_signals
    from .live.retention import parse_duration

    feeds, poll = list(feeds), list(poll)
    formats = [formats] if isinstance(formats, str) else list(formats)
    if not feeds and not poll:
        raise ConfigError("no feed: give --feed tcp://HOST:PORT or --poll URL-or-folder")
    if feeds and len(formats) not in (1, len(feeds)):
        raise ConfigError(f"{len(feeds)} feeds but {len(formats)} formats: give one, or one each")
    if beast_clock not in BEAST_CLOCKS:
        raise ConfigError(f"beast clock {beast_clock!r}: choose {' or '.join(BEAST_CLOCKS)}")
    if flush_s <= 0 or step_s <= 0:
        raise ConfigError("flush_s and step_s are seconds, more than 0")
    flush_s = min(flush_s, step_s)  # a step stores what came first
    specs = [
        FeedSpec.tcp(f, formats[0] if len(formats) == 1 else formats[i])
        for i, f in enumerate(feeds)
    ] + [FeedSpec.poll(str(p)) for p in poll]
    rule_list, sinks = load_rules(rules if rules is not None else EXAMPLE_RULES)
    chosen = _watches(watches, names)
    params = LiveParams(
        flush_s=flush_s,
        step_s=step_s,
        duration_s=duration,
        feed=FeedParams(flush_s=flush_s, beast_clock=beast_clock),
        keep_positions_s=None if keep_positions is None else parse_duration(keep_positions),
    )
    stop = stop or threading.Event()
    args = {"feeds": [f"{s.format}:{s.uri}" for s in specs], "rules": str(rules or "example")}
    with _write(db, create=True) as store, recorded(store, "live", args) as run:
        service = LiveService(
            store,
            specs,
            chosen,
            rule_list,
            sinks,
            run.run_id,
            params,
            None if store.path is None else status_path(store.path),
            stop,
        )
        with stop_on_signals(stop, service.report):
            report = service.run()
        run.rows_read, run.rows_added = report.rows_read, report.rows_added
        run.rejects.update(report.rejects)
        run.counts = report.as_dict()
        return report


def live_status(db: PathLike | None = None) -> dict:
    """What the live service writing ``db`` last said: its state (``running`` false when it
    has stopped or is gone), and per feed the state, message rate, last message time and
    reconnects."""
    from .live import read_status, status_path

    return read_status(status_path(config.resolve(db).db))


# --- listings as an analyst scans them ----------------------------------------------------------


def with_identity(db: PathLike | None, table: pa.Table) -> pa.Table:
    """``table`` (rows with ``icao24``) with each aircraft's registration, type, operator and
    country from the stored identities as its first columns; rows keep their order."""
    import pyarrow.compute as pc

    want = pc.unique(table.column("icao24")).to_pylist() if table.num_rows else []
    with _read(db) as store:
        known = store.table(
            "SELECT icao24, registration, type_code, operator, country_iso2 FROM aircraft "
            "WHERE list_contains(?, icao24)",
            [want],
        )
    order = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    joined = order.join(known, "icao24", join_type="left outer").sort_by("_row")
    front = ["registration", "type_code", "operator", "country_iso2"]
    rest = [c for c in table.column_names]
    return joined.select(front + rest)


def with_route(db: PathLike | None, table: pa.Table) -> pa.Table:
    """``table`` (airfield events, with ``flight_id``) with ``from_to``: where the event's
    flight came from and went to ('HL59 → OSLK'; '?' where that end is not known); rows keep
    their order."""
    ids = _unique(table.column("flight_id")) if table.num_rows else []
    with _read(db) as store:
        ends = store.table(
            "SELECT flight_id, origin, destination FROM flights WHERE list_contains(?, flight_id)",
            [ids],
        )
    found = {
        f: f"{o or '?'} → {d or '?'}"
        for f, o, d in zip(*(ends.column(c).to_pylist() for c in ends.column_names), strict=True)
    }
    route = [found.get(f, "? → ?") for f in table.column("flight_id").to_pylist()]
    return table.append_column("from_to", pa.array(route, pa.string()))


def _unique(column) -> list:
    import pyarrow.compute as pc

    return pc.unique(column).to_pylist()


def knows_aircraft(db: PathLike | None, icao24: str) -> bool:
    """Whether the store holds any flight of this address."""
    with _read(db) as store:
        return bool(store.scalar("SELECT count(*) FROM flights WHERE icao24 = ?", [icao24.lower()]))


def _watched_per_day(store, watch) -> pd.DataFrame:
    """(day, watched): the watch's own qualifying movements at its base per UTC day, the
    series a chart shows first."""
    from .stages.changes import qualifying

    days = pd.Series([m["ts"].date() for m in qualifying(store, watch)], dtype=object)
    counts = days.value_counts()
    return pd.DataFrame({"day": list(counts.index), "watched": counts.to_numpy(dtype=float)})


from .readers.detect import FORMATS as INPUT_FORMATS  # noqa: E402, F401 - what ingest reads

# --- the Parquet lake and Spark (issue 19) ----------------------------------------------------


def write_lake(lake: PathLike, db: PathLike | None = None) -> dict[str, int]:
    """Write the store's positions (by day) and derived tables as Parquet datasets under
    ``lake`` (replacing them); returns the rows per dataset."""
    from . import lake as _lake

    with _read(db) as store:
        return _lake.write(store, lake)


def attach(lake: PathLike, db: PathLike | None = None) -> dict[str, int]:
    """Make a store (new, or one without positions of its own) read the lake's positions and
    derived tables in place, and rebuild its aircraft over them: ``watch``, ``changes``,
    ``brief`` then work on tables computed elsewhere. Returns the rows each table shows."""
    from . import lake as _lake

    with _write(db, create=True) as store, recorded(store, "attach", {"lake": str(lake)}) as run:
        counts = _lake.attach(store, lake)
        run.counts = counts
        return counts


def spark_ingest(
    inputs: PathLike | Iterable[PathLike],
    lake: PathLike,
    master: str | None = None,
    format: str | None = None,
    receiver: tuple[float, float] | str | None = None,
    start: str | datetime | None = None,
    beast_clock: str = "12mhz",
) -> IngestReport:
    """Read files on Spark (``master`` e.g. ``local[4]``; default what ``spark-submit`` set)
    by the same readers into the lake at ``lake``."""
    from .readers.detect import check_format
    from .spark import session
    from .spark.ingest import spark_ingest as _spark_ingest

    if isinstance(inputs, str | os.PathLike):
        inputs = [inputs]
    if isinstance(receiver, str):
        receiver = config.parse_receiver(receiver)
    return _spark_ingest(
        session(master),
        [str(i) for i in inputs],
        lake,
        fmt=check_format(format),
        receiver=receiver,
        start=parse_time(start, "start"),
        beast_clock=beast_clock,
    )


def spark_process(lake: PathLike, master: str | None = None):
    """Flights and airfield events of the whole lake on Spark, by the same stage kernels;
    returns a ``ProcessReport``."""
    from .spark import session
    from .spark.process import spark_process as _spark_process

    return _spark_process(session(master), lake)
