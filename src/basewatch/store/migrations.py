"""Named schema migrations, applied in order, each once, recorded in ``schema_migrations``."""

from __future__ import annotations

import logging
from collections.abc import Callable

import duckdb

from .. import schema
from .callsigns import Callsigns

log = logging.getLogger(__name__)


def _m0001_initial(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("positions", "aircraft_observed", "sources", "runs", "rejects"):
        con.execute(schema.create_table_sql(name))


def _m0002_aircraft_identity(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("aircraft_db", "aircraft"):
        con.execute(schema.create_table_sql(name))


# a flight is one contiguous time span of one aircraft: its points need no table of their own
_FLIGHT_POINTS = """
    CREATE VIEW flight_points AS
    SELECT f.flight_id, p.* FROM positions p JOIN flights f
      ON p.icao24 = f.icao24 AND p.ts BETWEEN f.first_seen AND f.last_seen
"""


def _m0003_flights(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("flights", "airfield_events", "data_windows", "processed_sources"):
        con.execute(schema.create_table_sql(name))
    con.execute(_FLIGHT_POINTS)


def _m0004_news(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("articles", "news_events", "news_entities"):
        con.execute(schema.create_table_sql(name))


def _m0005_base_watch(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("base_days", "base_activity", "base_changes", "base_routes"):
        con.execute(schema.create_table_sql(name))


def _m0006_alerts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(schema.create_table_sql("alerts"))


def _m0013_alert_deliveries(con: duckdb.DuckDBPyConnection) -> None:
    # alerts delivered before kept no state per sink: they count as taken by the sinks of then
    con.execute(schema.create_table_sql("alert_deliveries"))


def _m0015_alert_status(con: duckdb.DuckDBPyConnection) -> None:
    """An alert says what became of it in ``status`` (pending, delivered or skipped) instead of
    ``delivered``: a past match of a new rule was kept as delivered with its reason in
    ``error``; it is now ``skipped``, and ``error`` is left to failed deliveries."""
    cols = {r[0] for r in con.execute("DESCRIBE alerts").fetchall()}
    if "status" in cols:  # created at this version by 0006
        return
    # the text the alerts of then kept in ``error`` for a past match (frozen here)
    skipped = "not raised: it matched before its rule was first run"
    con.execute("ALTER TABLE alerts RENAME TO alerts_0013")
    con.execute(schema.create_table_sql("alerts"))
    con.execute(
        """
        INSERT INTO alerts
        SELECT alert_id, rule, watch, kind, ts, summary, payload, raised_at,
               CASE WHEN error = ? THEN 'skipped' WHEN delivered THEN 'delivered'
                    ELSE 'pending' END,
               CASE WHEN error = ? THEN NULL ELSE error END
        FROM alerts_0013
        """,
        [skipped, skipped],
    )
    con.execute("DROP TABLE alerts_0013")


def _m0007_timeline(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(schema.create_table_sql("timeline"))


def _m0008_timeline_parties(con: duckdb.DuckDBPyConnection) -> None:
    # the timeline is derived: rebuilt with its new columns on the next run
    con.execute("DROP TABLE IF EXISTS timeline")
    con.execute(schema.create_table_sql("timeline"))


def _m0009_position_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Positions stored with integer address, Mode A code and source, and callsigns as keys
    into ``callsigns`` (``position_rows``), read through the view ``positions``. Source ids become 16 hex digits: the first 16 of the
    old ones, in every table that names a source."""
    for table in ("sources", "aircraft_observed", "rejects", "processed_sources", "aircraft_db"):
        con.execute(
            f"UPDATE {table} SET source_id = left(source_id, 16) WHERE length(source_id) > 16"
        )
    con.execute(schema.create_table_sql("position_rows"))
    con.execute(schema.create_table_sql("callsigns"))
    names = con.execute("SELECT DISTINCT callsign FROM positions WHERE callsign IS NOT NULL")
    Callsigns(con).keys(names.to_arrow_table().column("callsign"))
    # (position_id was a number in both forms then: spelled here as the view spells it now)
    pid = "position_id" if _is_text(con, "positions", "position_id") else None
    cols = schema.position_rows_sql(
        {
            "source_id": "left(source_id, 16)",
            "position_id": pid or "printf('%016x', position_id)",
        }
    )
    con.execute(f"INSERT INTO position_rows SELECT {cols} FROM positions ORDER BY ts")
    con.execute("DROP VIEW IF EXISTS flight_points")
    con.execute("DROP TABLE positions")
    con.execute(schema.positions_view_sql())
    con.execute(_FLIGHT_POINTS)


# derived-table ids: integers before, 16 hex digits since (one way everywhere)
_HEX_IDS = {
    "flights": ["flight_id"],
    "airfield_events": ["event_id", "flight_id"],
    "base_changes": ["change_id"],
    "base_routes": [
        "arrival_flight_id",
        "departure_flight_id",
        "arrival_event_id",
        "departure_event_id",
    ],
    "alerts": ["alert_id"],
}


def _is_text(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    """Is ``column`` of ``table`` stored as text already (a store created at a later version:
    its first migrations create today's tables)?"""
    row = con.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
        [table, column],
    ).fetchone()
    return row is not None and row[0].startswith("VARCHAR")


def _m0010_ids_as_text(con: duckdb.DuckDBPyConnection) -> None:
    """Every id is 16 hex digits, stored as text (as source, article and news-event ids were
    already); the timeline's end column is ``ts_end`` (``date_end`` is the news events' day)."""
    con.execute("DROP VIEW IF EXISTS flight_points")
    for table, cols in _HEX_IDS.items():
        for col in cols:
            if not _is_text(con, table, col):
                con.execute(
                    f"ALTER TABLE {table} ALTER {col} TYPE VARCHAR USING printf('%016x', {col})"
                )
    for col in ("event_ids", "flight_ids"):
        if _is_text(con, "base_changes", col):
            continue
        con.execute(
            f"ALTER TABLE base_changes ALTER {col} TYPE VARCHAR[] "
            f"USING list_transform({col}, x -> printf('%016x', x))"
        )
    con.execute(schema.create_table_sql("detectors"))
    con.execute("DROP TABLE IF EXISTS timeline")  # derived: rebuilt by the next watch
    con.execute(schema.create_table_sql("timeline"))
    con.execute(schema.positions_view_sql())
    con.execute(_FLIGHT_POINTS)


def _m0011_news_plover_speaker_kind(con: duckdb.DuckDBPyConnection) -> None:
    """News events gain their PLOVER category and, for statements, the kind of speaker; rows
    of older stores are filled from their event type (their speakers were all named people or
    institutions, told apart by nothing stored, so left null)."""
    # the event types a store of that time can hold, with their categories then (frozen here:
    # a migration does not follow later changes of the news lexicon)
    plover = {
        "meeting": "CONSULT",
        "visit": "CONSULT",
        "negotiation": "CONSULT",
        "agreement": "AGREE",
        "flight": "MOBILIZE",
        "military_movement": "MOBILIZE",
    }
    for column in ("plover", "speaker_kind"):
        con.execute(f"ALTER TABLE news_events ADD COLUMN IF NOT EXISTS {column} VARCHAR")
    for event_type, category in plover.items():
        con.execute(
            "UPDATE news_events SET plover = ? WHERE event_type = ? AND plover IS NULL",
            [category, event_type],
        )
    # the timeline keeps each news date's precision; it is derived: rebuilt on the next run
    con.execute("DROP TABLE IF EXISTS timeline")
    con.execute(schema.create_table_sql("timeline"))


def _m0012_event_runner_up(con: duckdb.DuckDBPyConnection) -> None:
    """Inferred airfield events keep the airfield that scored next and the margin; a raw
    capture's source row keeps its first and last frame times (its data window)."""
    for table, col, kind in (
        ("airfield_events", "runner_up", "VARCHAR"),
        ("airfield_events", "margin", "FLOAT"),
        ("sources", "data_start", "TIMESTAMPTZ"),
        ("sources", "data_end", "TIMESTAMPTZ"),
    ):
        cols = {r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        if col not in cols:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {col} {kind}")


def _m0014_position_content_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Every stored position gets its content id (address, second, position, altitude: what
    ``readers/ids.py`` calls the same report). Rows stored before content ids kept the ids of
    then (raw frames: the frame and the receiver's time; other formats: the exact time), so a
    later file holding the same reports stored them again, and ingesting anything that overlaps
    an old store would double it. Rows that come out with one id (a report stored twice) are
    kept once: the earliest, then the one from the lowest source number."""
    n = con.execute("SELECT count(*) FROM position_rows").fetchone()[0]
    if not n:
        return

    def content_id(icao, ts_us, lat, lon, alt):  # Arrow arrays in, one id each out
        return schema.position_ids_stored(
            icao.to_numpy(zero_copy_only=False),
            ts_us.to_numpy(zero_copy_only=False),
            lat.to_numpy(zero_copy_only=False),
            lon.to_numpy(zero_copy_only=False),
            alt.to_numpy(zero_copy_only=False),
        )

    con.create_function(
        "_bw_content_id",
        content_id,
        ["UINTEGER", "BIGINT", "DOUBLE", "DOUBLE", "INTEGER"],
        "UBIGINT",
        type="arrow",
    )
    con.execute("DROP VIEW IF EXISTS flight_points")
    con.execute("DROP VIEW IF EXISTS positions")
    con.execute("ALTER TABLE position_rows RENAME TO _position_rows_old")
    con.execute(schema.create_table_sql("position_rows"))
    cols = ", ".join(
        "_bw_content_id(icao, epoch_us(ts), lat_deg, lon_deg, coalesce(alt_baro_ft, -99999))"
        " AS position_id"
        if f.name == "position_id"
        else f.name
        for f in schema.POSITION_ROWS
    )
    con.execute(
        f"INSERT INTO position_rows SELECT * FROM (SELECT {cols} FROM _position_rows_old) "
        "QUALIFY row_number() OVER (PARTITION BY position_id ORDER BY ts, source) = 1 "
        "ORDER BY ts"
    )
    kept = con.execute("SELECT count(*) FROM position_rows").fetchone()[0]
    con.execute("DROP TABLE _position_rows_old")
    con.remove_function("_bw_content_id")
    con.execute(schema.positions_view_sql())
    con.execute(_FLIGHT_POINTS)
    if kept < n:
        log.warning(
            "migration 0014: %d of %d stored positions were reports stored twice under the "
            "ids of an older version; kept once",
            n - kept,
            n,
        )


def _m0016_news_ids_xxh3(con: duckdb.DuckDBPyConnection) -> None:
    """Article and news-event ids are made like every other text id (``ids.of_text``, xxh3-64)
    instead of the first 16 hex digits of a sha256. An article's new id is that of its stored
    canonical address, else of its text with whitespace folded (as ``news.fetch.article_id``
    makes it); an event's is that of its article, type, stored offset and place among the
    article's events (insertion order). The timeline, which cites news event ids, is derived:
    emptied here and rebuilt by the next run."""
    from .. import ids

    rows = con.execute("SELECT article_id, url, text FROM articles").fetchall()
    if rows:
        new = {
            old: ids.of_text("url", url) if url else ids.of_text("text", " ".join(text.split()))
            for old, url, text in rows
        }
        con.execute("CREATE TEMP TABLE _article_ids (old VARCHAR, new VARCHAR)")
        con.executemany("INSERT INTO _article_ids VALUES (?, ?)", list(new.items()))
        for table in ("articles", "news_events", "news_entities"):
            con.execute(
                f"UPDATE {table} t SET article_id = m.new FROM _article_ids m "
                "WHERE t.article_id = m.old"
            )
        con.execute("DROP TABLE _article_ids")
    events = con.execute(
        """
        SELECT rowid, article_id, event_type, char_start,
               row_number() OVER (PARTITION BY article_id ORDER BY rowid) - 1
        FROM news_events
        """
    ).fetchall()
    if events:
        con.execute("CREATE TEMP TABLE _event_ids (rid BIGINT, new VARCHAR)")
        con.executemany(
            "INSERT INTO _event_ids VALUES (?, ?)",
            [(rid, ids.of_text(a, t, c, n)) for rid, a, t, c, n in events],
        )
        con.execute(
            "UPDATE news_events e SET event_id = m.new FROM _event_ids m WHERE e.rowid = m.rid"
        )
        con.execute("DROP TABLE _event_ids")
    con.execute("DELETE FROM timeline")


def _m0017_sources_inflate_cap(con: duckdb.DuckDBPyConnection) -> None:
    """A source whose read stopped at the inflate cap keeps that cap (not read again)."""
    cols = {r[0] for r in con.execute("DESCRIBE sources").fetchall()}
    if "inflate_cap" not in cols:
        con.execute("ALTER TABLE sources ADD COLUMN inflate_cap BIGINT")


def _m0018_live_feeds(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(schema.create_table_sql("live_feeds"))


MIGRATIONS: list[tuple[str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    ("0001_initial", _m0001_initial),
    ("0002_aircraft_identity", _m0002_aircraft_identity),
    ("0003_flights", _m0003_flights),
    ("0004_news", _m0004_news),
    ("0005_base_watch", _m0005_base_watch),
    ("0006_alerts", _m0006_alerts),
    ("0007_timeline", _m0007_timeline),
    ("0008_timeline_parties", _m0008_timeline_parties),
    ("0009_position_rows", _m0009_position_rows),
    ("0010_ids_as_text", _m0010_ids_as_text),
    ("0011_news_plover_speaker_kind", _m0011_news_plover_speaker_kind),
    ("0012_event_runner_up", _m0012_event_runner_up),
    ("0013_alert_deliveries", _m0013_alert_deliveries),
    ("0014_position_content_ids", _m0014_position_content_ids),
    ("0015_alert_status", _m0015_alert_status),
    ("0016_news_ids_xxh3", _m0016_news_ids_xxh3),
    ("0017_sources_inflate_cap", _m0017_sources_inflate_cap),
    ("0018_live_feeds", _m0018_live_feeds),
]


def _ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMPTZ)"
    )


def pending(con: duckdb.DuckDBPyConnection) -> list[str]:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    done = (
        {r[0] for r in con.execute("SELECT name FROM schema_migrations").fetchall()}
        if exists
        else set()
    )
    return [name for name, _ in MIGRATIONS if name not in done]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    _ensure_ledger(con)
    todo = pending(con)
    for name, fn in MIGRATIONS:
        if name in todo:
            con.execute("BEGIN")
            fn(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, now())", [name])
            con.execute("COMMIT")
    return todo
