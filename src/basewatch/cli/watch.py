"""``basewatch watch``, ``changes``, ``activity``, ``routes`` and ``report``."""

from __future__ import annotations

import time

import click
import pyarrow as pa

from . import (
    db_option,
    format_option,
    interrupted,
    limit_option,
    output_option,
    since_option,
    until_option,
    user_errors,
)
from .output import OutPath, emit, nothing

_watches = click.option(
    "--watches",
    "watch_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Watch file (TOML) added to the shipped watches; repeatable.",
)
_names = click.option("--watch", "names", multiple=True, help="Only this watch (repeatable).")
_fmt = format_option
_out = output_option


@click.command()
@db_option
@_watches
@_names
@click.option(
    "--rules", type=click.Path(dir_okay=False), default=None, help="Alert rules and sinks (TOML)."
)
@click.option(
    "--every",
    type=click.FloatRange(min=1.0),
    default=None,
    help="Run again every S seconds (until Ctrl-C).",
)
@click.option(
    "--backfill",
    is_flag=True,
    help="With --rules: also raise what new rules match in the past (by default a rule's "
    "first run raises only what comes after it, and says how many past matches it skipped).",
)
@user_errors
def watch(db, watch_files, names, rules, every, backfill) -> None:
    """Bring everything up to date, run the watches, raise alerts on new findings.

    \b
    Examples:
      basewatch watch --db watch.duckdb
      basewatch watch --rules alerts.toml --every 600
    """
    from .. import api

    if rules:
        api.check_rules(rules)  # a bad rules file stops before any work
    while True:
        try:
            click.echo(api.watch(db, list(watch_files), list(names) or None).summary())
            if rules:
                report = api.alert(db, rules, list(watch_files), list(names) or None, backfill)
                click.echo(report.summary())
                backfill = False  # the past is raised once
            if every is None:
                return
            time.sleep(every)
        except BaseException as exc:
            # Ctrl-C is how a repeating watch is stopped: not an error (a run cut short leaves
            # the store as the last complete run left it)
            if every is None or not (isinstance(exc, KeyboardInterrupt) or interrupted(exc)):
                raise
            click.echo("basewatch: watch stopped", err=True)
            return


@click.command()
@db_option
@_names
@click.option("--kind", default=None, help="gap, resumption, stop, surge, drop or unobserved.")
@since_option
@until_option
@limit_option
@_fmt
@_out
@user_errors
def changes(db, names, kind, since, until, limit, fmt, output) -> None:
    """List the changes the watches found, with their test and evidence, in time order.

    \b
    Example:
      basewatch changes --watch oslk-russian-state --format json
    """
    from .. import api

    table = api.changes_table(db, list(names) or None, kind, since, until, limit)
    shown = ["watch", "kind", "start_ts", "end_ts", "days", "summary"]
    ctx = click.get_current_context()
    emit(table, fmt, output, shown=shown, empty=nothing(ctx, "changes"))


@click.command()
@db_option
@click.option("--base", required=True, help="ICAO code or name of the base.")
@since_option
@until_option
@_fmt
@_out
@user_errors
def activity(db, base, since, until, fmt, output) -> None:
    """Movements per day at a base by category; unobservable days show no counts.

    \b
    Example:
      basewatch activity --base Khmeimim --since 2025-10-01 --format csv
    """
    from .. import api

    table = pa.Table.from_pandas(api.activity(db, base, since, until), preserve_index=False)
    emit(table, fmt, output, empty=nothing(click.get_current_context(), "days"))


@click.command()
@db_option
@_watches
@_names
@user_errors
def report(db, watch_files, names) -> None:
    """Print each watch's base report: changes and routes, each with its evidence.

    \b
    Example:
      basewatch report --watch oslk-russian-state
    """
    from .. import api

    click.echo(api.report(db, list(watch_files), list(names) or None))


@click.command()
@db_option
@_watches
@click.option("--base", default=None, help="ICAO code or name of the base.")
@click.option("--watch", "watch_name", default=None, help="Mark this watch's changes.")
@since_option
@until_option
@click.option("-o", "--output", required=True, type=OutPath(), help="FILE.png, .svg or .html")
@user_errors
def chart(db, watch_files, base, watch_name, since, until, output) -> None:
    """Chart a base's movements per day; days without data are shown as unknown.

    \b
    Example:
      basewatch chart --watch oslk-russian-state -o khmeimim.html
    """
    from .. import api

    click.echo(f"wrote {api.chart(output, db, base, watch_name, since, until, list(watch_files))}")


@click.command()
@db_option
@click.option("--watch", "watch_name", default=None, help="Only this watch.")
@click.option("--countries", default=None, help="Instead, a pair of countries, e.g. RU,SY.")
@since_option
@until_option
@limit_option
@_fmt
@_out
@user_errors
def timeline(db, watch_name, countries, since, until, limit, fmt, output) -> None:
    """Show a watch's timeline (changes, movements and the news around them), or a pair of
    countries' timeline, in order (items at one time: news, change, movement, then by title).
    Without --watch: every watch's items in time order, each with its watch. days_after_prev
    is the days since the row before (of the same watch); JSON, CSV and Parquet keep every
    digit, the table one decimal.

    \b
    Examples:
      basewatch timeline --watch oslk-russian-state
      basewatch timeline --countries RU,SY
    """
    from .. import api

    table = api.timeline_table(db, watch_name, countries, since, until, limit)
    shown = ["ts", "days_after_prev", "kind", "title", "link"]
    if not watch_name and not countries:
        shown.insert(1, "watch")
    ctx = click.get_current_context()
    emit(table, fmt, output, shown=shown, empty=nothing(ctx, "timeline items"))


@click.command()
@db_option
@_watches
@click.option("--watch", "watch_name", default=None, help="The watch to tell.")
@click.option("--base", default=None, help="Or a base: its first watch.")
@since_option
@click.option("--from", "from_", default=None, help="The same as --since (give one of them).")
@until_option
@click.option("--to", default=None, help="The same as --until (give one of them).")
@click.option(
    "--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md", show_default=True
)
@_out
@user_errors
def brief(db, watch_files, watch_name, base, since, from_, until, to, fmt, output) -> None:
    """Write the brief: the change, its flights and the news around it, every sentence with its
    footnotes (flight ids and times, article addresses with the sentence quoted).

    \b
    Example:
      basewatch brief --base OSLK --since 2025-10-01 --format html -o khmeimim.html
    """
    from .. import api

    since, until = since or from_, until or to  # one of each: checked before the command runs
    text = api.brief(db, watch_name, base, since, until, fmt, list(watch_files))
    if output:
        from pathlib import Path

        from ..errors import ConfigError

        if not Path(output).parent.is_dir():
            raise ConfigError(f"{output}: the folder {Path(output).parent} does not exist")
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)
