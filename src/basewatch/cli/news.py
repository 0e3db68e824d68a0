"""``basewatch news``: read articles into events, and show them. A thin shell over the API."""

from __future__ import annotations

import click

from . import db_option, format_option, limit_option, output_option, user_errors
from .output import emit, nothing


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
@click.option("--since", default=None, help="Events ending on or after this day (ISO 8601).")
@click.option(
    "--until",
    default=None,
    help="Events starting on or before this day (ISO 8601; a bare date includes its day).",
)
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
    """Show the stored news events with their sentence, source, outlet and article.

    One row per event each article reports: the same sentence in two outlets' articles is two
    rows, told apart by outlet and url (an analyst counts who reported it). Rows that repeat
    another in every column shown are folded into it in the table (csv/json keep each).

    \b
    Example:
      basewatch news events --since 2025-10-01 --until 2025-11-01 --place OSLK --format json
    """
    from .. import api

    table = api.news_events_table(
        db, since=since, actor=actor, place=place, type=etype, until=until, limit=limit
    )
    folded = 0
    if fmt == "table":
        keep = [
            "date_start", "date_end", "event_type", "actors", "place", "speaker", "source",
            "outlet", "sentence", "url",
        ]  # fmt: skip
        table, folded = _fold(table.select(keep))
    elif fmt in ("csv", "parquet"):
        import pyarrow as pa
        import pyarrow.compute as pc

        i = table.schema.get_field_index("actors")
        joined = pc.binary_join(table.column("actors"), "; ")
        table = table.set_column(i, pa.field("actors", pa.string()), joined)
    emit(table, fmt, output, empty=nothing(click.get_current_context(), "news events"))
    if folded:
        click.echo(
            f"{folded:,} row{'s' if folded != 1 else ''} repeating another in every column "
            "shown folded into it (--format csv lists each event with its id)",
            err=True,
        )


def _fold(table):
    """``table`` without rows that repeat an earlier row in every column (first kept, order
    kept), and how many were folded."""
    import pyarrow as pa

    seen, keep = set(), []
    columns = [table.column(c).to_pylist() for c in table.column_names]
    for i, row in enumerate(zip(*columns, strict=True)):
        key = tuple(tuple(v) if isinstance(v, list) else v for v in row)
        if key not in seen:
            seen.add(key)
            keep.append(i)
    if len(keep) == table.num_rows:
        return table, 0
    return table.take(pa.array(keep, pa.int64())), table.num_rows - len(keep)
