"""``basewatch simulate``: write a scenario's synthetic traffic and its truth."""

from __future__ import annotations

import click

from . import renamed_option, user_errors


@click.command()
@click.argument("scenario")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write into (created if missing).",
)
@renamed_option(
    "--format",
    "--write-format",
    "fmt",
    "simulate",
    help="Traffic format to write",
    type=click.Choice(["trace_full", "beast", "avr", "sbs", "opensky-csv"]),
    default="trace_full",
    show_default=True,
)
@click.option("--seed", type=int, default=None, help="Random seed (default: the scenario's).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@user_errors
def simulate(scenario, out, fmt, seed, as_json) -> None:
    """Write synthetic air traffic for SCENARIO (a .toml file or a shipped name), with truth files.

    Shipped scenarios: khmeimim-2025, trap-low-pass, trap-midair, trap-patchy, trap-missing-day.

    \b
    Example:
      basewatch simulate khmeimim-2025 --out sim/ --write-format trace_full
      basewatch ingest sim/globe_history --db sim.duckdb
    """
    from .. import api

    report = api.simulate(scenario, out, format=fmt, seed=seed)
    if as_json:
        import json

        click.echo(json.dumps(report.as_dict()))
    else:
        click.echo(report.summary())
