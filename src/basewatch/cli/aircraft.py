"""``basewatch aircraft``: import aircraft databases, show who an aircraft is."""

from __future__ import annotations

import re

import click

from . import db_option, renamed_option, user_errors
from .output import emit

watchlist_option = click.option(
    "--watchlist",
    "watchlists",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Watch-list TOML file (repeatable; default: $BASEWATCH_WATCHLISTS, then "
    "`watchlists` in basewatch.toml).",
)


@click.group()
def aircraft() -> None:
    """Aircraft identity: registration, type, operator, country, military or state.

    \b
    Examples:
      basewatch aircraft import aircraft.csv.gz --db watch.duckdb
      basewatch aircraft show 1554a1 --db watch.duckdb
      basewatch aircraft show RA-86496 --format json
    """


@aircraft.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@renamed_option(
    "--format",
    "--input-format",
    "fmt",
    "aircraft import",
    help="Format of FILE (default: told from the content)",
    type=click.Choice(["tar1090_db", "opensky_db"]),
    default=None,
)
@click.option(
    "--source",
    default=None,
    help="Name to store the rows under (default: the format); importing it again replaces them.",
)
@watchlist_option
@click.option(
    "--json", "as_json", is_flag=True, help="Print the run report as JSON instead of one line."
)
@user_errors
def import_(file, db, fmt, source, watchlists, as_json) -> None:
    """Import an aircraft database: tar1090-db CSV or OpenSky's aircraft database CSV.

    Plain or gzip content. Bad lines go to the rejects table with a reason.

    \b
    Examples:
      basewatch aircraft import aircraft.csv.gz                # tar1090-db
      basewatch aircraft import aircraft-database-complete-2025-08.csv --db watch.duckdb
    """
    from .. import api

    report = api.import_aircraft(
        file, db=db, format=fmt, source=source, watchlists=list(watchlists) or None
    )
    if as_json:
        import json

        click.echo(json.dumps(report.as_dict()))
    else:
        click.echo(report.summary())


@aircraft.command("show")
@click.argument("who")
@db_option
@watchlist_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@user_errors
def show(who, db, watchlists, fmt) -> None:
    """Show who an aircraft is, by ICAO 24-bit address or registration. An address or
    registration this store has never seen is an error (exit 1) that says so.

    \b
    Examples:
      basewatch aircraft show 1554a1
      basewatch aircraft show RA-86496 --format json
    """
    from .. import api

    wl = list(watchlists) or None
    table = None
    if re.fullmatch(r"[0-9a-fA-F]{6}", who.strip()):
        table = api.aircraft_table(db, icao24=who, watchlists=wl)
        if table.column("sources")[0].as_py() is None:  # unseen address: maybe a registration
            by_reg = api.aircraft_table(db, registration=who, watchlists=wl)
            if by_reg.num_rows:
                table = by_reg
    else:
        table = api.aircraft_table(db, registration=who, watchlists=wl)
    if table.num_rows == 0:
        click.echo(f"basewatch: no aircraft with registration {who!r} in the store", err=True)
        raise SystemExit(1)
    row = table.slice(0, 1).to_pylist()[0]
    if table.num_rows == 1 and not row["sources"] and not row["position_count"]:
        # an address neither seen nor in an imported database: only its block is known
        block = f" (its address block is {row['country']}'s)" if row["country"] else ""
        click.echo(
            f"basewatch: aircraft {row['icao24']} is unknown to this store: no position and no "
            f"aircraft database row{block}",
            err=True,
        )
        raise SystemExit(1)
    if fmt == "json":
        emit(table, "jsonl")  # an aircraft card: one object a line
    else:
        _card(table)


def _card(table) -> None:
    """One aircraft a block: field names down the left, as a reader checks an identity."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    for row in table.to_pylist():
        t = Table(show_header=False, box=None, padding=(0, 2))
        t.add_column(style="bold")
        t.add_column(overflow="fold")
        for k, v in row.items():
            t.add_row(k, "" if v is None else str(v))
        console.print(t)
        console.print()
