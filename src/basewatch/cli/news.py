"""``basewatch news``: read articles into events, and show them. A thin shell over the API."""

from __future__ import annotations

import click

from . import db_option, format_option, limit_option, output_option, user_errors
from .output import emit


@click.group()
def news() -> None:
    """Read news into dated, source-attributed events.

    \b
    Examples:
      basewatch news add report.md --published 2025-10-30T09:15+03:00 --outlet "Levant Wire"
      basewatch news add https://example.org/feed.xml
      basewatch news events --type meeting --actor "Andrei Belousov" --format json
    """


@news.command("add")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--published", default=None, help="Publication date/time (ISO 8601) of the input.")
@click.option("--url", default=None, help="Address of the article, for a file that has none.")
@click.option("--outlet", default=None, help="Publisher's name.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="HTTP timeout, s.")
@click.option(
    "--max-bytes", type=int, default=5 * 1024 * 1024, show_default=True, help="Size cap per input."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@db_option
@user_errors
def add(inputs, published, url, outlet, timeout, max_bytes, as_json, db) -> None:
    """Read articles (files, folders, http(s) pages or RSS/Atom feeds) and extract events.

    \b
    Example:
      basewatch news add article.txt --published 2025-10-30 --url https://example.org/a1
    """
    from .. import api

    report = api.news_add(
        list(inputs),
        db=db,
        published=published,
        url=url,
        outlet=outlet,
        timeout_s=timeout,
        max_bytes=max_bytes,
    )
    if as_json:
        import json

        click.echo(json.dumps(report.as_dict()))
    else:
        click.echo(report.summary())


@news.command("events")
@click.option("--since", default=None, help="Events ending on or after this date (ISO 8601).")
@click.option("--until", default=None, help="Events starting before this date (ISO 8601).")
@click.option("--actor", default=None, help="Only events with this actor or speaker.")
@click.option("--place", default=None, help="Only events at this place or ICAO code.")
@click.option(
    "--type",
    "etype",
    default=None,
    help="meeting, visit, statement, negotiation, agreement, flight or military_movement.",
)
@limit_option
@format_option
@output_option
@db_option
@user_errors
def events(since, until, actor, place, etype, limit, fmt, output, db) -> None:
    """Show the stored news events with their sentence, source and article.

    \b
    Example:
      basewatch news events --since 2025-10-01 --until 2025-11-01 --place OSLK --format json
    """
    from .. import api

    table = api.news_events_table(
        db, since=since, actor=actor, place=place, type=etype, until=until, limit=limit
    )
    if fmt == "table":
        keep = [
            "date_start",
            "date_end",
            "event_type",
            "actors",
            "place",
            "speaker",
            "source",
            "sentence",
        ]
        table = table.select(keep)
    elif fmt in ("csv", "parquet"):
        import pyarrow as pa
        import pyarrow.compute as pc

        i = table.schema.get_field_index("actors")
        joined = pc.binary_join(table.column("actors"), "; ")
        table = table.set_column(i, pa.field("actors", pa.string()), joined)
    emit(table, fmt, output, empty="no news events match")
