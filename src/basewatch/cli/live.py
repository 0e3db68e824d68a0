"""``basewatch live`` (the long-running service) and ``basewatch status`` (what it is doing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from . import db_option, renamed_option, user_errors


@click.command()
@db_option
@click.option("--feed", "feeds", multiple=True, help="tcp://HOST:PORT of a receiver; repeatable.")
@renamed_option(
    "--format",
    "--input-format",
    "formats",
    "live",
    help="Format of the feeds: one for all, or one per --feed in the same order",
    multiple=True,
    type=click.Choice(["beast", "avr", "sbs"]),
)
@click.option(
    "--poll", multiple=True, help="aircraft.json to read every 5 s: a URL or a folder; repeatable."
)
@click.option("--rules", type=click.Path(dir_okay=False), default=None, help="Alert rules (TOML).")
@click.option(
    "--watches",
    "watch_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Watch file (TOML) added to the shipped watches; repeatable.",
)
@click.option("--watch", "names", multiple=True, help="Only this watch (repeatable).")
@click.option("--duration", type=float, default=None, help="Stop after this many seconds.")
@click.option(
    "--step", type=click.FloatRange(min=1.0), default=5.0, show_default=True,
    help="Seconds between updates of flights, events, watches and alerts.",
)  # fmt: skip
@click.option(
    "--beast-clock", type=click.Choice(["12mhz", "gps"]), default="12mhz", show_default=True,
    help="Receiver timestamps of Beast / AVR input.",
)  # fmt: skip
@click.option(
    "--keep-positions", default=None, metavar="DURATION",
    help="Delete positions older than this (30d, 12h) that no finding rests on: flights with "
    "an airfield event and low positions around watched bases are kept.",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the run report as JSON.")
@user_errors
def live(db, feeds, formats, poll, rules, watch_files, names, duration, step, beast_clock,
         keep_positions, as_json) -> None:  # fmt: skip
    """Watch receiver feeds until stopped: positions stored every 2 s, flights, airfield
    events, watches and alerts brought up to date every few seconds. Ctrl-C or SIGTERM stops
    cleanly (everything received is stored and processed); `basewatch status` shows the feeds.

    \b
    Examples:
      basewatch live --feed tcp://127.0.0.1:30005 --input-format beast --rules alerts.toml
      basewatch live --feed tcp://rx1:30005 --feed tcp://rx2:30003 \\
          --input-format beast --input-format sbs
      basewatch live --poll http://192.168.1.20/tar1090/data/aircraft.json
    """
    from .. import api

    report = api.live_watch(
        list(feeds),
        db=db,
        formats=list(formats) or "beast",
        poll=list(poll),
        rules=rules,
        watches=list(watch_files),
        names=list(names) or None,
        duration=duration,
        step_s=step,
        beast_clock=beast_clock,
        keep_positions=keep_positions,
    )
    click.echo(json.dumps(report.as_dict()) if as_json else report.summary())


@click.command()
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@user_errors
def status(db, as_json) -> None:
    """What `basewatch live` is doing: each feed's state, message rate, last message and
    reconnects (from the status file the service rewrites every few seconds).

    \b
    Example:
      basewatch status --db watch.duckdb
    """
    from .. import api

    st = api.live_status(db)
    if as_json:
        click.echo(json.dumps(st))
        return
    state = "running" if st["running"] else f"not running ({st.get('state')})"
    click.echo(
        f"live: {state}, last update {st['age_s']:.0f} s ago; "
        f"{st.get('positions_read', 0):,} positions read, {st.get('positions_added', 0):,} new; "
        f"{st.get('steps', 0)} steps, last {_ago(st.get('last_step_at'))}; alerts "
        f"{st['alerts']['new']} new, {st['alerts']['sent']} delivered, "
        f"{st['alerts']['failed']} failed"
    )
    for f in st.get("feeds", []):
        click.echo(
            f"  {f['uri']} ({f['format']}): {f['state']}, {f['rate_per_s']:.1f} msg/s, "
            f"{f['messages']:,} messages, last {_ago(f['last_message_at'])}, "
            f"{f['reconnects']} reconnects" + (f" — {f['error']}" if f["error"] else "")
        )


def _ago(epoch) -> str:
    if epoch is None:
        return "never"
    t = datetime.fromtimestamp(float(epoch), UTC)
    return f"{t:%Y-%m-%d %H:%M:%S}Z"
