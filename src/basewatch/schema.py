"""Every table's schema, with units: the single source of truth.

Each table is an Arrow schema whose fields carry a one-line ``doc``. The DuckDB DDL, the
documentation in the README and the column checks in tests are all generated from here.
Units live in column names (``alt_baro_ft``, ``gs_kt``, ``vrate_fpm``, ``track_deg``); every
time is a UTC ``TIMESTAMPTZ`` named ``ts`` or ``*_at``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from . import ids

UTC_US = pa.timestamp("us", tz="UTC")


def _f(name: str, type_: pa.DataType, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


# The columns a reader produces, before the pipeline stamps ids on them.
POSITION_FIELDS: list[pa.Field] = [
    _f("ts", UTC_US, "time of the position, UTC", nullable=False),
    _f("icao24", pa.string(), "ICAO 24-bit address, 6 lowercase hex digits", nullable=False),
    _f("callsign", pa.string(), "flight identification as broadcast, trimmed; null if none"),
    _f("lat_deg", pa.float64(), "latitude, WGS84 degrees", nullable=False),
    _f("lon_deg", pa.float64(), "longitude, WGS84 degrees", nullable=False),
    _f("alt_baro_ft", pa.int32(), "barometric altitude, feet; null on the ground or unknown"),
    _f("alt_geom_ft", pa.int32(), "geometric (GNSS) altitude, feet"),
    _f("on_ground", pa.bool_(), "true when the source says the aircraft is on the ground"),
    _f("gs_kt", pa.float32(), "ground speed, knots"),
    _f("track_deg", pa.float32(), "true track over ground, degrees clockwise from north"),
    _f("vrate_fpm", pa.int32(), "vertical rate, feet per minute (climb positive)"),
    _f("squawk", pa.string(), "Mode A code, 4 octal digits"),
    _f("new_leg", pa.bool_(), "readsb trace flag (flags & 2): the source started a new leg here"),
]
# What readers hand the writer: the Mode A code already as the stored integer (a reader may
# give text to ``ingest.base.positions_table``, which converts it), the address still as text.
READER_POSITIONS = pa.schema(
    [
        _f(
            "squawk_code",
            pa.uint16(),
            "Mode A code as a 12-bit integer (squawk, 4 octal digits, in the view)",
        )
        if f.name == "squawk"
        else f
        for f in POSITION_FIELDS
    ]
)

POSITIONS = pa.schema(
    [
        _f(
            "position_id",
            pa.string(),
            "16 hex digits: content hash of (icao24, second, lat, lon, alt): one report, one id",
            nullable=False,
        ),
        *POSITION_FIELDS,
        _f(
            "source_id",
            pa.string(),
            "the source (file or stream segment) this row came from, 16 hex digits",
            nullable=False,
        ),
    ]
)

# How positions are kept on disk: the same rows with the address, the Mode A code and the
# source as integers and the callsign as a key into ``callsigns``. DuckDB appends a short-string
# column several times slower than an integer one (together these four took over a third of the
# append; benchmarks/results.md), and the stage kernels want the address as a number anyway.
# Every reader of the store, users included, reads the view ``positions`` (POSITIONS above),
# which spells the four out again.
_OCTAL4 = " + ".join(f"substr({{0}}, {k + 1}, 1)::INTEGER * {8 ** (3 - k)}" for k in range(4))
# view column: (stored column, its type, SQL of text from stored, SQL of stored from text)
_AS_TEXT = {
    "position_id": (
        "position_id",
        pa.uint64(),
        "printf('%016x', {0})",
        "TRY_CAST('0x' || {0} AS UBIGINT)",
    ),
    "icao24": ("icao", pa.uint32(), "printf('%06x', {0})", "TRY_CAST('0x' || {0} AS UINTEGER)"),
    "squawk": (
        "squawk_code",
        pa.uint16(),
        "printf('%04o', {0})",
        f"CASE WHEN regexp_full_match({{0}}, '[0-7]{{{{4}}}}') THEN {_OCTAL4} END",
    ),
    "source_id": (
        "source",
        pa.uint64(),
        "printf('%016x', {0})",
        "TRY_CAST('0x' || {0} AS UBIGINT)",
    ),
    # callsigns are few and repeat for hours: rows keep a key into the table ``callsigns``
    "callsign": (
        "callsign_key",
        pa.uint64(),
        "cs.callsign",
        "(SELECT k.callsign_key FROM callsigns k WHERE k.callsign = {0})",
    ),
}
_STORED = {
    "position_id": _f(
        "position_id",
        pa.uint64(),
        "content hash of (icao24, ts, lat, lon, alt) (16 hex digits in the view)",
        False,
    ),
    "icao": _f(
        "icao", pa.uint32(), "ICAO 24-bit address as an integer (icao24 in the view)", False
    ),
    "squawk_code": READER_POSITIONS.field("squawk_code"),
    "source": _f(
        "source",
        pa.uint64(),
        "the source as an integer (source_id, 16 hex digits, in the view)",
        False,
    ),
    "callsign_key": _f(
        "callsign_key", pa.uint64(), "key of the callsign in ``callsigns``; null if none"
    ),
}
POSITION_ROWS = pa.schema(
    [_STORED[_AS_TEXT[f.name][0]] if f.name in _AS_TEXT else f for f in POSITIONS]
)
VIEWS = {"positions": "position_rows"}  # view → the table it spells out


def positions_select_sql() -> str:
    """``SELECT`` of the view's columns ``FROM position_rows``: add a ``WHERE`` on the stored
    columns (``icao = ...``), which DuckDB can prune by, unlike one on the spelled text."""
    cols = ",\n  ".join(
        _AS_TEXT[f.name][2].format(_AS_TEXT[f.name][0]) + f" AS {f.name}"
        if f.name in _AS_TEXT
        else f.name
        for f in POSITIONS
    )
    return f"SELECT\n  {cols}\nFROM position_rows LEFT JOIN callsigns cs USING (callsign_key)"


def positions_view_sql() -> str:
    """``CREATE VIEW positions``: POSITION_ROWS with the integer columns spelled as text."""
    return f"CREATE OR REPLACE VIEW positions AS {positions_select_sql()}"


def stored_sql(column: str, text: str) -> str:
    """SQL turning ``text``, a value of the view's ``column`` (icao24, squawk, source_id or
    callsign), into what ``position_rows`` stores: ``stored_sql('icao24', "'ac671b'")``. A
    callsign must be in ``callsigns`` already."""
    return _AS_TEXT[column][3].format(text)


def position_rows_sql(select: dict[str, str], source: str = "positions") -> str:
    """The SELECT list of POSITION_ROWS from expressions of the view's columns
    (``select`` maps each view column to an SQL expression; default that column of the
    table or alias ``source``)."""
    out = []
    for f in POSITIONS:
        expr = select.get(f.name, f"{source}.{f.name}")
        out.append(stored_sql(f.name, expr) if f.name in _AS_TEXT else expr)
    return ", ".join(out)


def source_number(source_id: str) -> int:
    """A source id (16 hex digits) as the integer ``position_rows.source`` holds."""
    return int(source_id, 16)


CALLSIGNS = pa.schema(
    [
        _f(
            "callsign_key",
            pa.uint64(),
            "xxh3-64 hash of the callsign's UTF-8 text",
            nullable=False,
        ),
        _f("callsign", pa.string(), "flight identification as broadcast, trimmed", False),
    ]
)


AIRCRAFT_OBSERVED = pa.schema(
    [
        _f("icao24", pa.string(), "ICAO 24-bit address", nullable=False),
        _f("registration", pa.string(), "registration as the source gives it"),
        _f("type_code", pa.string(), "ICAO aircraft type designator (e.g. A124)"),
        _f("db_flags", pa.int32(), "readsb dbFlags (1 military, 2 interesting, 4 PIA, 8 LADD)"),
        _f("description", pa.string(), "type description"),
        _f("operator", pa.string(), "owner or operator as the source gives it"),
        _f("year", pa.string(), "year built"),
        _f("source_id", pa.string(), "the source that described the aircraft", nullable=False),
    ]
)

SOURCES = pa.schema(
    [
        _f(
            "source_id",
            pa.string(),
            "16 hex digits: xxh3-64 hash of the content (files) or of feed address and start "
            "(streams)",
            nullable=False,
        ),
        _f("uri", pa.string(), "path or tcp://host:port as given", nullable=False),
        _f("format", pa.string(), "input format the reader used", nullable=False),
        _f("bytes", pa.int64(), "size of the content read"),
        _f("run_id", pa.string(), "the run that ingested it", nullable=False),
        _f("ingested_at", UTC_US, "when the ingest finished"),
        _f("rows_read", pa.int64(), "positions the reader produced"),
        _f("rows_added", pa.int64(), "positions new to the store"),
        _f("rejects", pa.int64(), "records rejected, all reasons"),
        _f(
            "complete", pa.bool_(), "false when the read ended early (truncated input, peer closed)"
        ),
        _f(
            "data_start",
            UTC_US,
            "raw captures: time of the first frame (the data window starts there, not at the "
            "first decoded position); null for other formats",
        ),
        _f("data_end", UTC_US, "raw captures: time of the last frame"),
        _f(
            "inflate_cap",
            pa.int64(),
            "the inflate cap (bytes) the read stopped at; null when not stopped by it. The same "
            "content is not read again while the cap is not raised",
        ),
    ]
)

RUNS = pa.schema(
    [
        _f("run_id", pa.string(), "random id of one command run", nullable=False),
        _f("command", pa.string(), "what ran (ingest, ...)", nullable=False),
        _f("args", pa.string(), "arguments, JSON"),
        _f("started_at", UTC_US, "start, UTC", nullable=False),
        _f("seconds", pa.float64(), "wall-clock duration"),
        _f("rows_read", pa.int64(), "records read"),
        _f("rows_added", pa.int64(), "rows new to the store"),
        _f("rejects", pa.int64(), "records rejected"),
        _f("counts", pa.string(), "JSON: rejects by reason and other counters"),
        _f("status", pa.string(), "ok or error"),
    ]
)

REJECTS = pa.schema(
    [
        _f("run_id", pa.string(), "run that met the record", nullable=False),
        _f("source_id", pa.string(), "source it came from"),
        _f("uri", pa.string(), "path or address it came from"),
        _f("reason", pa.string(), "reason code (crc_fail, bad_json, ...)", nullable=False),
        _f("location", pa.string(), "where in the source: line N, byte N, member name"),
        _f("excerpt", pa.string(), "the raw record, cut to 200 characters (hex for binary)"),
        _f(
            "n",
            pa.int64(),
            "records this row stands for (over the per-reason cap, one row counts the rest)",
            nullable=False,
        ),
    ]
)

FLIGHTS = pa.schema(
    [
        _f("flight_id", pa.string(), "16 hex digits: hash of (icao24, first_seen)", nullable=False),
        _f("icao24", pa.string(), "ICAO 24-bit address", nullable=False),
        _f("callsign", pa.string(), "first callsign broadcast during the flight; null if none"),
        _f("first_seen", UTC_US, "first position of the flight", nullable=False),
        _f("last_seen", UTC_US, "last position of the flight", nullable=False),
        _f("n_points", pa.int64(), "positions in the flight", nullable=False),
        _f("n_airborne", pa.int64(), "of which airborne; 0 for a stay on the ground only"),
        _f("origin", pa.string(), "ICAO code of the take-off airfield, observed or inferred"),
        _f(
            "origin_how",
            pa.string(),
            "observed | inferred | window_edge (data starts mid-flight) | unknown | ground_only",
        ),
        _f("destination", pa.string(), "ICAO code of the landing airfield, observed or inferred"),
        _f(
            "destination_how",
            pa.string(),
            "observed | inferred | window_edge | unknown | ground_only",
        ),
        _f("takeoff_ts", UTC_US, "take-off time (observed or inferred)"),
        _f("landing_ts", UTC_US, "landing time (observed or inferred)"),
        _f("max_alt_ft", pa.int32(), "highest altitude seen, feet"),
        _f("distance_nm", pa.float64(), "distance flown between positions, nautical miles"),
        _f("detector", pa.string(), "versioned name of the splitter", nullable=False),
    ]
)

AIRFIELD_EVENTS = pa.schema(
    [
        _f(
            "event_id",
            pa.string(),
            "16 hex digits: hash of (flight_id, event_type, ts)",
            nullable=False,
        ),
        _f("flight_id", pa.string(), "the flight it belongs to", nullable=False),
        _f("icao24", pa.string(), "ICAO 24-bit address", nullable=False),
        _f(
            "event_type",
            pa.string(),
            "takeoff | landing | takeoff_inferred | landing_inferred | low_pass | go_around | touch_and_go",
            nullable=False,
        ),
        _f("airfield", pa.string(), "ICAO code of the airfield; null if none within reach"),
        _f("ts", UTC_US, "time of the event (estimated for inferred ones)", nullable=False),
        _f("lat_deg", pa.float64(), "where it was seen: last ground point, or last/first sighting"),
        _f("lon_deg", pa.float64(), "longitude of that point"),
        _f("track_deg", pa.float32(), "track at the event: the runway heading when on the runway"),
        _f("height_ft", pa.float32(), "height above the airfield at that point (inferred, passes)"),
        _f("distance_nm", pa.float32(), "distance from the airfield's reference point"),
        _f(
            "confidence",
            pa.float32(),
            "1 for observed ground contact; lower for inferences",
            nullable=False,
        ),
        _f("reason", pa.string(), "what the detector saw, in words"),
        _f("detector", pa.string(), "versioned name of the detector", nullable=False),
        _f(
            "runner_up",
            pa.string(),
            "inferred events: the airfield that scored next (null if none scored)",
        ),
        _f(
            "margin",
            pa.float32(),
            "inferred events: confidence of the choice minus the runner-up's (its own if none)",
        ),
    ]
)

DATA_WINDOWS = pa.schema(
    [
        _f("window_start", UTC_US, "start of a span the data covers", nullable=False),
        _f("window_end", UTC_US, "end of that span", nullable=False),
    ]
)

PROCESSED_SOURCES = pa.schema(
    [
        _f(
            "source_id",
            pa.string(),
            "a source whose positions the derived tables include",
            nullable=False,
        ),
        _f("run_id", pa.string(), "the process run that took it in", nullable=False),
    ]
)

# --- aircraft identity (issue 4, item 4) -------------------------------------------------

AIRCRAFT_DB = pa.schema(
    [
        _f("icao24", pa.string(), "ICAO 24-bit address, 6 lowercase hex digits", nullable=False),
        _f("registration", pa.string(), "registration as the database gives it"),
        _f("type_code", pa.string(), "ICAO aircraft type designator (e.g. IL62, A124)"),
        _f("description", pa.string(), "type description (manufacturer and model)"),
        _f("operator", pa.string(), "operator or owner as the database gives it"),
        _f("operator_icao", pa.string(), "operator's ICAO three-letter designator, if given"),
        _f("year", pa.string(), "year built"),
        _f(
            "military",
            pa.bool_(),
            "database's military flag (tar1090-db: first flag digit 1); null if it has none",
        ),
        _f(
            "source",
            pa.string(),
            "name the rows were imported under (default the format); re-import replaces it",
            nullable=False,
        ),
        _f(
            "format",
            pa.string(),
            "file format: tar1090_db, opensky_db, plane_alert_db or tar1090_web",
            nullable=False,
        ),
        _f("source_id", pa.string(), "content hash of the imported file", nullable=False),
        _f("run_id", pa.string(), "the import run", nullable=False),
        _f("imported_at", UTC_US, "when the import finished", nullable=False),
    ]
)

AIRCRAFT = pa.schema(
    [
        _f("icao24", pa.string(), "ICAO 24-bit address, 6 lowercase hex digits", nullable=False),
        _f("registration", pa.string(), "registration: imported databases first, then observed"),
        _f("type_code", pa.string(), "ICAO aircraft type designator"),
        _f("description", pa.string(), "type description"),
        _f("operator", pa.string(), "operator or owner"),
        _f("country_iso2", pa.string(), "ISO 3166-1 alpha-2 of the address block's state"),
        _f("country", pa.string(), "name of the address block's state (or region if unassigned)"),
        _f("is_military", pa.bool_(), "a rule says military (see reason)", nullable=False),
        _f("is_state", pa.bool_(), "state aircraft: military, police, government", nullable=False),
        _f("reason", pa.string(), "every rule that flagged it, '; '-separated"),
        _f("watch_labels", pa.string(), "labels of matching watch-list entries, '; '-separated"),
        _f("callsigns", pa.string(), "up to 5 callsigns seen in positions, most used first"),
        _f("position_count", pa.int64(), "positions stored for this address", nullable=False),
        _f("sources", pa.string(), "what described it: imported sources, observed, positions"),
        _f("detector", pa.string(), "identity rules name and version", nullable=False),
    ]
)

# --- base watch (issue 5) -------------------------------------------------------------

BASE_DAYS = pa.schema(
    [
        _f("base", pa.string(), "ICAO code of the watched airfield", nullable=False),
        _f("day", pa.date32(), "UTC day", nullable=False),
        _f("window_hours", pa.float32(), "hours of the day inside the data windows"),
        _f("coverage_hours", pa.int32(), "hours with at least one position within the radius"),
        _f("positions_near", pa.int64(), "positions within the radius that day"),
        _f(
            "observable",
            pa.bool_(),
            "the base could be seen that day: data present and coverage around it; "
            "a day that is not observable is unknown, never zero",
            nullable=False,
        ),
    ]
)

BASE_ACTIVITY = pa.schema(
    [
        _f("base", pa.string(), "ICAO code of the watched airfield", nullable=False),
        _f("day", pa.date32(), "UTC day", nullable=False),
        _f("category", pa.string(), "military | state | civil", nullable=False),
        _f("country_iso2", pa.string(), "country of the address block"),
        _f("type_code", pa.string(), "ICAO aircraft type designator"),
        _f("arrivals", pa.int32(), "landings, observed and inferred", nullable=False),
        _f("departures", pa.int32(), "take-offs, observed and inferred", nullable=False),
        _f("inferred", pa.int32(), "of which inferred", nullable=False),
        _f("aircraft", pa.int32(), "distinct aircraft", nullable=False),
    ]
)

BASE_CHANGES = pa.schema(
    [
        _f("change_id", pa.string(), "16 hex digits: hash of (watch, kind, start)", nullable=False),
        _f("watch", pa.string(), "watch name", nullable=False),
        _f("base", pa.string(), "ICAO code of the base", nullable=False),
        _f(
            "kind",
            pa.string(),
            "gap | resumption | stop | surge | drop | unobserved",
            nullable=False,
        ),
        _f("start_ts", UTC_US, "start of the change (for a gap: the last movement before it)"),
        _f("end_ts", UTC_US, "end (for a gap: the movement that ended it); null if ongoing"),
        _f("days", pa.float64(), "length in days (exact, from movement to movement)"),
        _f("observable_days", pa.int32(), "days inside it on which the base was observable"),
        _f("unobservable_days", pa.int32(), "days inside it with no usable data"),
        _f("movements", pa.int32(), "qualifying movements counted (surges, drops)"),
        _f("expected", pa.float64(), "movements expected from the baseline (surges, drops)"),
        _f("test", pa.string(), "the statistical test used, in words"),
        _f("score", pa.float64(), "its score: -log10 p for surges and drops, days for gaps"),
        _f("event_ids", pa.list_(pa.string()), "airfield events that make the change"),
        _f("flight_ids", pa.list_(pa.string()), "their flights"),
        _f("summary", pa.string(), "the change in one sentence"),
        _f("detector", pa.string(), "versioned name of the detector", nullable=False),
    ]
)

BASE_ROUTES = pa.schema(
    [
        _f("watch", pa.string(), "watch name", nullable=False),
        _f("base", pa.string(), "ICAO code of the base", nullable=False),
        _f("icao24", pa.string(), "ICAO 24-bit address", nullable=False),
        _f("registration", pa.string(), "registration"),
        _f("type_code", pa.string(), "ICAO aircraft type designator"),
        _f("origin", pa.string(), "where the arriving flight came from (ICAO code)"),
        _f("origin_how", pa.string(), "observed | inferred | window_edge | unknown"),
        _f("arrival_ts", UTC_US, "landing at the base"),
        _f("arrival_how", pa.string(), "landing or landing_inferred"),
        _f("departure_ts", UTC_US, "next take-off from the base, within the route window"),
        _f("departure_how", pa.string(), "takeoff or takeoff_inferred"),
        _f("destination", pa.string(), "where the departing flight went (ICAO code)"),
        _f("destination_how", pa.string(), "observed | inferred | window_edge | unknown"),
        _f("arrival_flight_id", pa.string(), "the arriving flight"),
        _f("departure_flight_id", pa.string(), "the departing flight"),
        _f("arrival_event_id", pa.string(), "the landing event"),
        _f("departure_event_id", pa.string(), "the take-off event"),
    ]
)

ALERTS = pa.schema(
    [
        _f(
            "alert_id",
            pa.string(),
            "16 hex digits: hash of (rule, event or change); raised once",
            nullable=False,
        ),
        _f("rule", pa.string(), "the rule that fired", nullable=False),
        _f("watch", pa.string(), "the watch it concerns"),
        _f("kind", pa.string(), "event type or change kind"),
        _f("ts", UTC_US, "time of the movement or start of the change"),
        _f("summary", pa.string(), "the alert in one sentence"),
        _f("payload", pa.string(), "the JSON object sent to the sinks"),
        _f("raised_at", UTC_US, "when the alert was raised"),
        _f(
            "status",
            pa.string(),
            "pending (a sink has not taken it yet: retried next run), delivered (every sink "
            "took it) or skipped (matched before its rule was first run: never sent)",
            nullable=False,
        ),
        _f("error", pa.string(), "why the last delivery failed"),
    ]
)

ALERT_DELIVERIES = pa.schema(
    [
        _f("alert_id", pa.string(), "16 hex digits: the alert", nullable=False),
        _f(
            "sink_id",
            pa.string(),
            "16 hex digits: hash of the sink's type, path and url",
            nullable=False,
        ),
        _f("sink", pa.string(), "the sink's url, path or type, as configured"),
        _f("delivered_at", UTC_US, "when this sink took the alert; null until it has"),
        _f("attempts", pa.int32(), "deliveries tried at this sink", nullable=False),
        _f("error", pa.string(), "why the last attempt failed (or was not made)"),
        _f("tried_at", UTC_US, "when the last attempt ended"),
    ]
)

LIVE_FEEDS = pa.schema(
    [
        _f("run_id", pa.string(), "the `basewatch live` run", nullable=False),
        _f("feed", pa.int32(), "the feed's place on the command line (0, 1, ...)", nullable=False),
        _f("uri", pa.string(), "tcp://HOST:PORT, or the aircraft.json URL or file polled"),
        _f("format", pa.string(), "beast, avr, sbs or aircraft_json"),
        _f(
            "state",
            pa.string(),
            "connecting, connected, retrying, polling, stopped or failed",
        ),
        _f("connects", pa.int64(), "connections made (polls that answered)"),
        _f("reconnects", pa.int64(), "connections made after the first"),
        _f("stalls", pa.int64(), "connections dropped because nothing arrived for a while"),
        _f("messages", pa.int64(), "frames or records received"),
        _f("rate_per_s", pa.float64(), "messages per second over the last 10 s"),
        _f("positions", pa.int64(), "positions decoded"),
        _f("last_message_at", UTC_US, "when the feed last sent something (wall clock)"),
        _f("error", pa.string(), "the feed's last error, empty when none"),
        _f(
            "last_step_at",
            UTC_US,
            "when the run last brought flights, events and alerts up to date",
        ),
        _f("updated_at", UTC_US, "when this row was written (each step; one row per feed and run)"),
    ]
)

# --- news ---------------------------------------------------------------------------------

ARTICLES = pa.schema(
    [
        _f(
            "article_id",
            pa.string(),
            "hash of the canonical URL, else of the text: stable id",
            nullable=False,
        ),
        _f("url", pa.string(), "canonical address of the article; null if none is known"),
        _f("outlet", pa.string(), "publisher as given or told from the address"),
        _f("title", pa.string(), "headline"),
        _f("published_at", UTC_US, "publication time, UTC; null when unknown"),
        _f("text", pa.string(), "body text as extracted (plain text)", nullable=False),
        _f("language", pa.string(), "ISO 639-1 language code"),
        _f("words", pa.int32(), "words in the text"),
        _f("source_uri", pa.string(), "file, page or feed it was read from"),
        _f("duplicates", pa.int32(), "times the same article was met again after the first"),
        _f("run_id", pa.string(), "the run that added it", nullable=False),
    ]
)

NEWS_EVENTS = pa.schema(
    [
        _f("event_id", pa.string(), "hash of (article, type, sentence, position)", nullable=False),
        _f("article_id", pa.string(), "the article that reports it", nullable=False),
        _f(
            "event_type",
            pa.string(),
            "meeting, visit, statement, negotiation, agreement, flight, military_movement, call,"
            " deployment, withdrawal, evacuation, exercise, attack or sanction",
            nullable=False,
        ),
        _f("date_start", pa.string(), "first day, YYYY-MM-DD; null when the text gives no date"),
        _f("date_end", pa.string(), "last day, YYYY-MM-DD (equal to date_start for one day)"),
        _f("date_precision", pa.string(), "day, range, week, month, year or unknown"),
        _f("actors", pa.list_(pa.string()), "who took part: people, ISO country codes, orgs"),
        _f("place", pa.string(), "where: airfield ICAO code, else place name"),
        _f("place_icao", pa.string(), "ICAO code when the place is an airfield or base"),
        _f("country", pa.string(), "ISO 3166-1 alpha-2 country of the place"),
        _f("speaker", pa.string(), "for statements: who said it (canonical name)"),
        _f("quote", pa.string(), "for statements: the words said, direct or indirect"),
        _f("source", pa.string(), "to whom the article attributes it (outlet when direct)"),
        _f("sentence", pa.string(), "the supporting sentence as it stands in the text"),
        _f("char_start", pa.int32(), "offset of the sentence in the article text"),
        _f("extractor", pa.string(), "versioned name of the extractor", nullable=False),
        _f("plover", pa.string(), "PLOVER category of the event type (null for statements)"),
        _f("speaker_kind", pa.string(), "for statements: person, institution or anonymous"),
    ]
)

NEWS_ENTITIES = pa.schema(
    [
        _f("article_id", pa.string(), "the article", nullable=False),
        _f("text", pa.string(), "mention as written", nullable=False),
        _f(
            "label",
            pa.string(),
            "person, org, country, place, aircraft_type or registration",
            nullable=False,
        ),
        _f("canonical", pa.string(), "resolved name, ISO code, ICAO code or type"),
        _f("role", pa.string(), "title or role of a person as the article gives it"),
        _f("country", pa.string(), "ISO 3166-1 alpha-2 country tied to the entity"),
        _f("char_start", pa.int32(), "offset of the mention in the article text"),
    ]
)

# --- timeline (issue 6) --------------------------------------------------------------

TIMELINE = pa.schema(
    [
        _f("watch", pa.string(), "watch name", nullable=False),
        _f("base", pa.string(), "ICAO code of the base", nullable=False),
        _f(
            "ts",
            UTC_US,
            "when: the change or movement, or the first day of the news event (an undated"
            " statement: when it was published, with date_precision 'unknown')",
            nullable=False,
        ),
        _f("ts_end", UTC_US, "last day of a news event spanning days"),
        _f("kind", pa.string(), "change | movement | news", nullable=False),
        _f("subtype", pa.string(), "resumption, landing, meeting, statement, …", nullable=False),
        _f("title", pa.string(), "the item in one line", nullable=False),
        _f(
            "link",
            pa.string(),
            "for news: why it belongs here (place, country, actors) and how near in time",
        ),
        _f(
            "refs",
            pa.list_(pa.string()),
            "evidence: change, event and flight ids (hex), news event ids",
        ),
        _f(
            "sources",
            pa.list_(pa.string()),
            "for news: the sources that report it (one per article)",
        ),
        _f("urls", pa.list_(pa.string()), "for news: the articles' addresses"),
        _f(
            "sentences",
            pa.list_(pa.string()),
            "for news: the supporting sentences, one per article",
        ),
        _f("days_after_prev", pa.float64(), "days since the previous item of this timeline"),
        _f(
            "outlets",
            pa.list_(pa.string()),
            "for news: the publisher of each article, beside the source it names",
        ),
        _f("actors", pa.list_(pa.string()), "for news: named people, else country codes"),
        _f("place", pa.string(), "for news: where it happened, as the articles name it"),
        _f("speaker", pa.string(), "for a statement: who spoke"),
        _f("quote", pa.string(), "for a statement: what was said, as one article quotes it"),
        _f(
            "aircraft",
            pa.list_(pa.string()),
            "for news: aircraft types named in the supporting sentences",
        ),
        _f("date_precision", pa.string(), "for news: day, range, week, month, year or unknown"),
    ]
)

DETECTORS = pa.schema(
    [
        _f(
            "detector",
            pa.string(),
            "versioned name, as rows name it (split_flights/1)",
            nullable=False,
        ),
        _f(
            "params", pa.string(), "its parameters (JSON): every threshold, by name", nullable=False
        ),
        _f("first_used", UTC_US, "when rows were first made with these parameters", nullable=False),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "positions": POSITIONS,
    "position_rows": POSITION_ROWS,
    "callsigns": CALLSIGNS,
    "aircraft_observed": AIRCRAFT_OBSERVED,
    "sources": SOURCES,
    "runs": RUNS,
    "rejects": REJECTS,
    "flights": FLIGHTS,
    "airfield_events": AIRFIELD_EVENTS,
    "data_windows": DATA_WINDOWS,
    "processed_sources": PROCESSED_SOURCES,
    "aircraft_db": AIRCRAFT_DB,
    "aircraft": AIRCRAFT,
    "base_days": BASE_DAYS,
    "base_activity": BASE_ACTIVITY,
    "base_changes": BASE_CHANGES,
    "base_routes": BASE_ROUTES,
    "alerts": ALERTS,
    "alert_deliveries": ALERT_DELIVERIES,
    "live_feeds": LIVE_FEEDS,
    "timeline": TIMELINE,
    "articles": ARTICLES,
    "news_events": NEWS_EVENTS,
    "news_entities": NEWS_ENTITIES,
    "detectors": DETECTORS,
}

_DUCK_TYPES = {
    pa.uint64(): "UBIGINT",
    pa.uint32(): "UINTEGER",
    pa.uint16(): "USMALLINT",
    pa.int64(): "BIGINT",
    pa.int32(): "INTEGER",
    pa.float64(): "DOUBLE",
    pa.float32(): "REAL",
    pa.bool_(): "BOOLEAN",
    pa.string(): "VARCHAR",
    UTC_US: "TIMESTAMPTZ",
    pa.date32(): "DATE",
    pa.list_(pa.string()): "VARCHAR[]",
}


def duckdb_type(t: pa.DataType) -> str:
    if pa.types.is_list(t):
        return duckdb_type(t.value_type) + "[]"
    return _DUCK_TYPES[t]


def create_table_sql(name: str, schema: pa.Schema | None = None) -> str:
    schema = schema or TABLES[name]
    cols = ",\n  ".join(
        f"{f.name} {duckdb_type(f.type)}{'' if f.nullable else ' NOT NULL'}" for f in schema
    )
    return f"CREATE TABLE IF NOT EXISTS {name} (\n  {cols}\n)"


def column_docs(name: str) -> dict[str, str]:
    return {f.name: f.metadata[b"doc"].decode() for f in TABLES[name]}


def empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


# --- stable content ids -------------------------------------------------------------------


POSITION_ID_SECONDS = 1  # the time bucket a position id hashes (see ingest/ids.py)


def position_ids(
    icao24: pa.Array, ts: pa.Array, lat: pa.Array, lon: pa.Array, alt: pa.Array
) -> pa.Array:
    """Content hash of a position (address, time bucket, position, altitude): same report,
    same id, whatever file or run it came in (``ingest/ids.py`` says what "same" means)."""
    return _position_ids_np(
        hex_to_u64(icao24),
        ts.cast(pa.int64()).to_numpy(zero_copy_only=False),
        lat.to_numpy(zero_copy_only=False),
        lon.to_numpy(zero_copy_only=False),
        alt.fill_null(-99999).to_numpy(zero_copy_only=False),
    )


def position_ids_stored(
    icao: np.ndarray, ts_us: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray
) -> pa.Array:
    """``position_ids`` from the columns as ``position_rows`` stores them (address as an
    integer, time in microseconds, a missing altitude as -99999)."""
    return _position_ids_np(
        np.asarray(icao, np.uint64),
        np.asarray(ts_us, np.int64),
        np.asarray(lat, np.float64),
        np.asarray(lon, np.float64),
        np.asarray(alt, np.int64),
    )


HEX_DIGITS = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    HEX_DIGITS[_c] = _i
for _i, _c in enumerate(b"ABCDEF"):
    HEX_DIGITS[_c] = 10 + _i


def hex_to_u64(arr: pa.Array) -> np.ndarray:
    """Vectorised parse of a string array of equal-length hex numbers (icao24) to uint64."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    if n == 0:
        return np.zeros(0, np.uint64)
    arr = arr.cast(pa.string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    width = int(offsets[1] - offsets[0])
    if arr.null_count or width == 0 or not np.all(np.diff(offsets) == width):
        return np.array([int(s or "0", 16) for s in arr.to_pylist()], dtype=np.uint64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
    digits = HEX_DIGITS[data].reshape(n, width).astype(np.uint64)
    out = np.zeros(n, np.uint64)
    for j in range(width):
        out = (out << np.uint64(4)) | digits[:, j]
    return out


def squawk_codes(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Mode A codes (text of 4 octal digits) as the 12-bit integers ``position_rows`` stores;
    null where there is none or the text is not 4 octal digits."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return pa.nulls(n, pa.uint16())
    arr = arr.cast(pa.string())
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    ok = np.diff(offsets) == 4
    if arr.null_count:
        ok &= arr.is_valid().to_numpy(zero_copy_only=False)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)
    at = offsets[:-1][ok]
    code = np.zeros(len(at), np.uint16)
    good = np.ones(len(at), bool)
    for k in range(4):
        d = data[at + k].astype(np.int16) - 48
        good &= (d >= 0) & (d <= 7)
        code = (code << 3) | np.clip(d, 0, 7).astype(np.uint16)
    ok[ok] = good
    out = np.zeros(n, np.uint16)
    out[np.flatnonzero(ok)] = code[good]
    return pa.array(out, pa.uint16(), mask=~ok)


def _position_ids_np(
    icao: np.ndarray, ts_us: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray
) -> pa.Array:
    with np.errstate(over="ignore", invalid="ignore"):
        h = ids.chain(
            icao.astype(np.uint64) + ids.GOLDEN,
            ts_us.astype(np.int64) // np.int64(POSITION_ID_SECONDS * 1_000_000),
            np.round(lat * 1e6).astype(np.int64),
            np.round(lon * 1e6).astype(np.int64),
            alt.astype(np.int64),
        )
    return pa.array(h, type=pa.uint64())


def markdown() -> str:
    """The tables as Markdown, for the README (a test keeps the two equal)."""
    out = []
    for name, sch in TABLES.items():
        out += [f"### `{name}`", ""]
        if name in VIEWS:
            out += [f"A view of `{VIEWS[name]}`: read this one.", ""]
        elif name in VIEWS.values():
            out += ["How `positions` is stored: query the view instead.", ""]
        out += ["| column | type | meaning |", "|---|---|---|"]
        out += [
            f"| `{f.name}` | {duckdb_type(f.type)} | {f.metadata[b'doc'].decode()} |" for f in sch
        ]
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    print(markdown())
