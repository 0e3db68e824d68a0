"""``basewatch serve``: the web pages and JSON API over the store, read-only."""

from __future__ import annotations

import click

from . import db_option, user_errors


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8080, show_default=True, help="Port (0: any free).")
@click.option(
    "--watches", "watch_files", multiple=True, type=click.Path(dir_okay=False),
    help="Watch file besides the shipped ones (repeatable).",
)  # fmt: skip
@click.option(
    "--refresh", type=float, default=5.0, show_default=True,
    help="Seconds between checks for a newer store to copy.",
)  # fmt: skip
@click.option(
    "--query-timeout", type=float, default=10.0, show_default=True,
    help="Seconds a query may run before it is stopped (answered 503).",
)  # fmt: skip
@click.option(
    "--snapshot-dir", type=click.Path(file_okay=False), default=None,
    help="Folder for the server's copy of the store (default: the system's temporary folder).",
)  # fmt: skip
@user_errors
def serve(db, host, port, watch_files, refresh, query_timeout, snapshot_dir) -> None:
    """Serve the watches, bases, flights, aircraft, news and search as web pages, with a JSON
    API under /api (OpenAPI at /openapi.json). Reads a copy of the store, so an ingest or watch
    can write the store meanwhile; the copy is refreshed when the writer is done. Ctrl-C stops.

    \b
    Example:
      basewatch serve --db watch.duckdb            # then open http://127.0.0.1:8080/
      basewatch serve --port 0 --watches my.toml   # any free port, extra watches
    """
    from .. import api
    from ..web import Settings
    from ..web import serve as run

    settings = Settings(
        db=str(api.store_path(db)),
        refresh_s=refresh,
        query_timeout_s=query_timeout,
        snapshot_dir=snapshot_dir,
        watches=tuple(watch_files),
    )
    run(
        settings,
        host,
        port,
        ready=lambda url: click.echo(f"basewatch: serving {url} (Ctrl-C stops)"),
    )
