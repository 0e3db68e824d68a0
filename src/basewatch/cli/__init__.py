"""The ``basewatch`` command: a thin shell over ``basewatch.api``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps

import click

from ..api import INPUT_FORMATS
from ..errors import BasewatchError, ConfigError
from .output import FORMATS, OutPath, check_outputs, emit, icao24_param, nothing

FORMATS_OUT = list(FORMATS)


def user_errors(fn: Callable) -> Callable:
    """Print a caller mistake in one line and exit non-zero; no traceback."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            ctx = click.get_current_context(silent=True)
            check_outputs(ctx)
            check_window(ctx)
            return fn(*args, **kwargs)
        except BasewatchError as exc:
            click.echo(f"basewatch: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _stop()
        except Exception as exc:
            if not interrupted(exc):
                raise
            _stop()

    return wrapper


def check_window(ctx: click.Context | None) -> None:
    """A command's --since/--until (brief's --from/--to too) make one window that holds time:
    each bound given once, the end after the start. Checked before any work."""
    if ctx is None:
        return
    p = ctx.params
    for a, b in (("since", "from_"), ("until", "to")):
        if p.get(a) and p.get(b):
            raise ConfigError(
                f"--{a} {p[a]} and --{b.rstrip('_')} {p[b]} are the same bound: give one of them"
            )
    if "since" not in p and "until" not in p:
        return
    from ..api import check_window as window

    lo, hi = p.get("since") or p.get("from_"), p.get("until") or p.get("to")
    names = ("--since" if p.get("since") else "--from", "--until" if p.get("until") else "--to")
    window(lo, hi, names)


def renamed_option(old: str, new: str, dest: str, command: str, help: str, **kw):
    """Option ``new`` (stored as ``dest``) and its former spelling ``old``, which still works
    (hidden from --help) and says once on stderr what it is called now."""

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args, **kwargs):
            was = kwargs.pop(f"{dest}_was")
            if was not in (None, ()):
                now = kwargs.get(dest)
                if now not in (None, (), kw.get("default")) and now != was:
                    click.echo(
                        f"basewatch: error: {old} is the old name of {new}: give {new} alone",
                        err=True,
                    )
                    sys.exit(2)
                kwargs[dest] = was
                click.echo(
                    f"basewatch: note: {command} {old} is now {new} ({old} still works)", err=True
                )
            return fn(*args, **kwargs)

        old_kw = {k: v for k, v in kw.items() if k not in ("default", "show_default")}
        wrapper = click.option(old, f"{dest}_was", hidden=True, **old_kw)(wrapper)
        return click.option(new, dest, help=f"{help} (formerly {old}, still accepted)", **kw)(
            wrapper
        )

    return decorate


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is Ctrl-C as DuckDB reports it when it lands inside a query."""
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()
    )


def _stop() -> None:
    """Ctrl-C: one line and the shell's code for it; the store keeps its last complete state
    (every write is one transaction)."""
    click.echo(
        "basewatch: interrupted; the store keeps what was complete, run again to finish", err=True
    )
    sys.exit(130)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="basewatch")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """Watch military air bases from open air-traffic data and news.

    \b
    Examples (after `basewatch demo`, which says where its store is; pass it as --db):
      basewatch flights --base OSLK --type A124 --since 2025-10-20
      basewatch positions --icao24 1554a1 --since 2025-10-26T09:00Z --until 2025-10-26T09:10Z
      basewatch ingest capture.bin --receiver 35.40,35.95 --db watch.duckdb

    \b
    Times are UTC, ISO 8601. A window is [--since, --until): a bare date as --until (or --to)
    includes that whole day; a full time ends just before it.
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(
        level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s"
    )


def bring_up_to_date(db) -> None:
    """Before a query: process new sources as a visible step; on a store this process may not
    write (read-only, or another process writing), answer from what is there and say so."""
    from .. import api
    from ..errors import StoreError

    n = api.pending(db)
    if not n:
        return
    click.echo(f"processing {n:,} new source{'s' if n != 1 else ''}…", err=True)
    try:
        api.process(db)
    except StoreError as exc:
        click.echo(
            f"basewatch: note: flights and events are stale ({n:,} sources not processed): {exc}",
            err=True,
        )


def jobs_option(what: str):
    """``--jobs N``: ``what`` runs in N worker processes (ingest, process)."""
    return click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help=f"{what} in this many worker processes (the same rows).",
    )


db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Store file (default: $BASEWATCH_DB, then basewatch.toml, then the user data folder).",
)

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS_OUT),
    default="table",
    show_default=True,
    help="Output: a table to read, one JSON array, JSON lines, CSV or Parquet (needs -o).",
)
output_option = click.option(
    "-o", "--output", type=OutPath(), default=None, help="Write to a file."
)
since_option = click.option("--since", default=None, help="From this UTC time (ISO 8601).")
until_option = click.option(
    "--until",
    default=None,
    help="To this UTC time (ISO 8601): a bare date includes its whole day, a full time ends "
    "just before it.",
)
limit_option = click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="At most this many rows."
)


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@renamed_option(
    "--format",
    "--input-format",
    "fmt",
    "ingest",
    help="Format of the INPUT files (default: told from the content): " + ", ".join(INPUT_FORMATS),
    default=None,
)
@db_option
@click.option(
    "--receiver",
    default=None,
    help="Receiver position LAT,LON: decodes surface positions, checks range.",
)
@click.option(
    "--start",
    default=None,
    help="UTC time of the first frame, for captures whose clock is relative.",
)
@click.option(
    "--duration", type=float, default=None, help="For tcp:// feeds: stop after this many seconds."
)
@click.option(
    "--beast-clock",
    type=click.Choice(["12mhz", "gps"]),
    default="12mhz",
    show_default=True,
    help="Receiver timestamps of Beast / AVR input: a 12 MHz counter or GPS time of day.",
)
@jobs_option("Parse files (one writer)")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the run report as JSON instead of one line."
)
@user_errors
def ingest(inputs, fmt, db, receiver, start, duration, beast_clock, jobs, as_json) -> None:
    """Read air-traffic files, folders, archives or a live feed into the store.

    \b
    Examples:
      basewatch ingest globe_history/2025-10-26/          # a day of readsb traces
      basewatch ingest states.parquet --db watch.duckdb    # OpenSky state vectors
      basewatch ingest tcp://127.0.0.1:30005 --input-format beast --duration 600
      basewatch ingest globe_history/ --jobs 2             # parse on two cores
    """
    from .. import api
    from .progress import progress_bar

    with progress_bar(enabled=not as_json) as prog:
        report = api.ingest(
            list(inputs),
            db=db,
            format=fmt,
            receiver=receiver,
            start=start,
            duration=duration,
            progress=prog,
            beast_clock=beast_clock,
            jobs=jobs,
        )
    if as_json:
        import json

        click.echo(json.dumps(report.as_dict()))
    else:
        click.echo(report.summary())


@cli.command()
@db_option
@click.option(
    "--icao24", default=None, callback=icao24_param, help="Only this aircraft (6 hex digits)."
)
@since_option
@until_option
@limit_option
@format_option
@output_option
@user_errors
def positions(db, icao24, since, until, limit, fmt, output) -> None:
    """Show stored positions, by aircraft then time.

    \b
    Example:
      basewatch positions --icao24 1554a1 --since 2025-10-26T09:00Z --until 2025-10-26T09:02Z
      basewatch positions --icao24 1554a1 --since 2025-10-26 --format csv -o il62.csv
    """
    from .. import api

    table = api.positions_table(db, icao24=icao24, since=since, until=until, limit=limit)
    ctx = click.get_current_context()
    note = ""
    if (
        not table.num_rows
        and icao24
        and api.positions_table(db, icao24=icao24, limit=1).num_rows == 0
    ):
        note = f" (the store holds no position of {icao24})"
    emit(table, fmt, output, empty=nothing(ctx, "positions", note))


@cli.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Store to fill (default: demo.duckdb in the demo's folder).",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False),
    default=None,
    help="Keep the simulated archive and the store here (default: the folder demo/ in the "
    "user data folder, made afresh on each run).",
)
@user_errors
def demo(db, workdir) -> None:
    """The Khmeimim case end to end: simulate, ingest, find flights, watch the bases, report.

    \b
    Example:
      basewatch demo
      basewatch demo --workdir demo/    # keep the archive and the store
    """
    from ..demo import run_demo

    for line in run_demo(db, workdir):
        click.echo(line)


from .flights import events, flights, process  # noqa: E402

cli.add_command(process)
cli.add_command(flights)
cli.add_command(events)
from .aircraft import aircraft as _aircraft  # noqa: E402

cli.add_command(_aircraft)
from .simulate import simulate  # noqa: E402

cli.add_command(simulate)
from .watch import activity, brief, changes, chart, report, timeline, watch  # noqa: E402

for _command in (watch, changes, activity, report, chart, timeline, brief):
    cli.add_command(_command)
from .news import news  # noqa: E402

cli.add_command(news)
from .serve import serve  # noqa: E402

cli.add_command(serve)

from .live import live, status  # noqa: E402

cli.add_command(live)
cli.add_command(status)

from .lake import attach, lake, spark  # noqa: E402

for _command in (lake, attach, spark):
    cli.add_command(_command)


def main() -> None:
    try:
        cli(prog_name="basewatch")
    except KeyboardInterrupt:  # before a command has started (while loading)
        click.echo("basewatch: interrupted", err=True)
        sys.exit(130)
