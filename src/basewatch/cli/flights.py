"""``basewatch process``, ``flights`` and ``events``: derived tables and their queries."""

from __future__ import annotations

import click

from . import (
    bring_up_to_date,
    db_option,
    format_option,
    jobs_option,
    limit_option,
    output_option,
    since_option,
    until_option,
    user_errors,
)
from .output import OutPath, emit, icao24_param, nothing

_since = since_option
_until = until_option
_base = click.option("--base", default=None, help="Only at this airfield: ICAO code or name.")
_icao = click.option(
    "--icao24", default=None, callback=icao24_param, help="Only this aircraft (6 hex digits)."
)

# what the terminal table shows (csv, json and parquet keep every column)
FLIGHT_SHOWN = [
    "flight_id", "registration", "type_code", "operator", "country_iso2", "callsign",
    "from_to", "takeoff_ts", "landing_ts", "icao24",
]  # fmt: skip
EVENT_SHOWN = [
    "ts", "event_type", "airfield", "from_to", "registration", "type_code", "operator",
    "country_iso2", "icao24", "confidence", "event_id",
]  # fmt: skip


def _from_to(table):
    """'UUMU → OSLK'; a leg whose end was not seen shows '?' there."""
    import pyarrow as pa

    org, dst = table.column("origin").to_pylist(), table.column("destination").to_pylist()
    pairs = zip(org, dst, strict=True)
    return table.append_column(
        "from_to", pa.array([f"{a or '?'} → {b or '?'}" for a, b in pairs], pa.string())
    )


def _nothing(ctx, what: str, db, icao24) -> str:
    from .. import api

    unknown = icao24 and not api.knows_aircraft(db, icao24)
    return nothing(ctx, what, f" (the store holds no flight of {icao24})" if unknown else "")


_fmt = format_option
_out = output_option


@click.command()
@db_option
@click.option("--full", is_flag=True, help="Recompute everything, not only what changed.")
@jobs_option("Run the kernels on groups of aircraft")
@user_errors
def process(db, full, jobs) -> None:
    """Bring flights and airfield events up to date with the stored positions.

    Only aircraft touched by new data are recomputed; `flights` and `events` run
    this first, as a visible step, when new data is waiting.

    \b
    Example:
      basewatch process --db watch.duckdb
      basewatch process --db watch.duckdb --jobs 2     # on two cores
    """
    from .. import api

    click.echo(api.process(db, full=full, jobs=jobs).summary())


@click.command()
@db_option
@_base
@_since
@_until
@_icao
@click.option("--all", "include_ground", is_flag=True, help="Include stays on the ground.")
@click.option("--military", is_flag=True, default=None, help="Only military aircraft.")
@click.option(
    "--state", is_flag=True, default=None, help="Only state aircraft (military, government)."
)
@click.option("--type", "type_code", default=None, help="Only this ICAO type, e.g. A124, IL62.")
@click.option("--country", default=None, help="Only addresses of this country (ISO code, e.g. RU).")
@click.option("--flight", "flight_id", default=None, help="Only this flight (its 16-hex-digit id).")
@limit_option
@_fmt
@_out
@click.option(
    "--export",
    type=OutPath(),
    default=None,
    help="Also write the flights with their tracks to FILE.geojson or FILE.kml.",
)
@user_errors
def flights(
    db,
    base,
    since,
    until,
    icao24,
    include_ground,
    military,
    state,
    type_code,
    country,
    flight_id,
    limit,
    fmt,
    output,
    export,
) -> None:
    """List flights: origin and destination, take-off and landing times.

    Flights come in time order: take-off, else first seen when the take-off was not seen
    (then by address and id, so the order is stable).

    \b
    Examples:
      basewatch flights --base OSLK --since 2025-10-20 --until 2025-11-01
      basewatch flights --icao24 1554a1 --export il62.kml
      basewatch flights --base OSLK --state --country RU --type A124
    """
    from .. import api

    bring_up_to_date(db)
    filters = dict(
        base=base,
        since=since,
        until=until,
        icao24=icao24,
        airborne_only=not include_ground,
        military=military,
        state=state,
        type_code=type_code,
        country=country,
        flight_id=flight_id,
    )
    if export and limit:
        raise click.UsageError("--export writes every matching flight: drop --limit")
    table = api.flights_table(db, **filters, limit=limit)
    if fmt != "parquet" and table.num_rows:  # every written form names the aircraft too
        table = _from_to(api.with_identity(db, table))
    ctx = click.get_current_context()
    emit(table, fmt, output, shown=FLIGHT_SHOWN, empty=_nothing(ctx, "flights", db, icao24))
    if export:
        n = api.export_flights(export, db, **filters)
        click.echo(f"wrote {n:,} flights to {export}", err=True)


@click.command()
@db_option
@_base
@_since
@_until
@_icao
@click.option(
    "--type",
    "event_type",
    default=None,
    help="takeoff, landing, takeoff_inferred, landing_inferred, low_pass, go_around, touch_and_go.",
)
@click.option("--event", "event_id", default=None, help="Only this event (its 16-hex-digit id).")
@limit_option
@_fmt
@_out
@user_errors
def events(db, base, since, until, icao24, event_type, event_id, limit, fmt, output) -> None:
    """List take-offs, landings, inferred movements and passes at airfields, in time order;
    the table shows where each event's flight came from and went to (from_to).

    \b
    Example:
      basewatch events --base Khmeimim --since 2025-10-24 --format csv
    """
    from .. import api

    bring_up_to_date(db)
    table = api.events_table(db, base, since, until, icao24, event_type, event_id, limit)
    if fmt != "parquet" and table.num_rows:
        table = api.with_route(db, api.with_identity(db, table))
    ctx = click.get_current_context()
    emit(table, fmt, output, shown=EVENT_SHOWN, empty=_nothing(ctx, "events", db, icao24))
