"""``basewatch lake``, ``attach`` and ``spark ingest|process``: the Parquet hand-off."""

from __future__ import annotations

import json

import click

from . import db_option, renamed_option, user_errors

_lake = click.option(
    "--lake",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder of the Parquet lake (positions by day, one dataset per table).",
)
_master = click.option(
    "--master",
    default=None,
    help="Spark master, e.g. local[4] (default: what spark-submit set, else local[*]).",
)
_json = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n:,}" for name, n in counts.items())


@click.command()
@_lake
@db_option
@user_errors
def lake(lake, db) -> None:
    """Write the store's positions (by day) and derived tables as Parquet datasets.

    \b
    Example:
      basewatch lake --lake lake/ --db watch.duckdb
    """
    from .. import api

    click.echo(f"lake {lake}: {_counts(api.write_lake(lake, db))}")


@click.command()
@_lake
@db_option
@user_errors
def attach(lake, db) -> None:
    """Read a lake's tables in place: watch, changes and brief then run on them.

    The store must hold no positions of its own; its aircraft are rebuilt over the lake.

    \b
    Example:
      basewatch spark process --lake lake/
      basewatch attach --lake lake/ --db cluster.duckdb
      basewatch watch --db cluster.duckdb
    """
    from .. import api

    click.echo(f"attached {lake}: {_counts(api.attach(lake, db))}")


@click.group()
def spark() -> None:
    """The same readers and stages on Apache Spark, over a lake (pip install 'basewatch[spark]')."""


@spark.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@_lake
@_master
@renamed_option(
    "--format",
    "--input-format",
    "fmt",
    "spark ingest",
    help="Input format (default: told from content)",
    default=None,
)
@click.option("--receiver", default=None, help="Receiver position LAT,LON for raw captures.")
@click.option("--start", default=None, help="UTC time of the first frame (relative clocks).")
@_json
@user_errors
def spark_ingest(inputs, lake, master, fmt, receiver, start, as_json) -> None:
    """Read files on Spark into the lake's positions; a re-run adds nothing.

    \b
    Example:
      basewatch spark ingest globe_history/2025-10-24 --lake lake/ --master local[2]
      spark-submit $(which basewatch) spark ingest s3a-mounted/days --lake /shared/lake
    """
    from .. import api

    report = api.spark_ingest(
        inputs, lake, master=master or _default_master(), format=fmt, receiver=receiver,
        start=start,
    )  # fmt: skip
    click.echo(json.dumps(report.as_dict()) if as_json else report.summary())


@spark.command("process")
@_lake
@_master
@_json
@user_errors
def spark_process(lake, master, as_json) -> None:
    """Flights and airfield events of the whole lake, by the embedded stage kernels.

    \b
    Example:
      basewatch spark process --lake lake/ --master local[2]
    """
    from .. import api

    report = api.spark_process(lake, master=master or _default_master())
    click.echo(json.dumps(report.as_dict()) if as_json else report.summary())


def _default_master() -> str | None:
    """local[*] unless spark-submit chose a master (it sets spark.master in the environment)."""
    import os

    return None if os.environ.get("SPARK_ENV_LOADED") else "local[*]"
