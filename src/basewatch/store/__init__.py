"""The store: one DuckDB file. One writer process; readers open it read-only.

Tables are created and changed only by the named migrations in ``migrations.py``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import StoreError
from .migrations import MIGRATIONS, migrate, pending

log = logging.getLogger(__name__)

__all__ = ["Store", "open_store", "MIGRATIONS"]

DEFAULT_MEMORY_LIMIT = "1GB"


class Store:
    """An open DuckDB store. Use as a context manager, or call ``close()``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path | None, read_only: bool):
        self.con = con
        self.path = path
        self.read_only = read_only

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def table(self, sql: str, params: dict | list | None = None) -> pa.Table:
        return self.con.execute(sql, params or []).to_arrow_table()

    def scalar(self, sql: str, params: dict | list | None = None):
        row = self.con.execute(sql, params or []).fetchone()
        return None if row is None else row[0]


def open_store(
    path: str | Path | None, read_only: bool = False, threads: int | None = None
) -> Store:
    """Open (creating and migrating when writable) the store at ``path``; None is in memory."""
    threads = threads or int(os.environ.get("BASEWATCH_THREADS", "0") or 0)
    config = {"threads": threads} if threads else {}
    # DuckDB caches blocks up to 80% of RAM by default; a bounded cache keeps ingest memory flat
    # (it spills to disk past it). BASEWATCH_MEMORY_LIMIT overrides, e.g. "4GB".
    config["memory_limit"] = os.environ.get("BASEWATCH_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    target = ":memory:" if path is None else str(path)
    if path is not None:
        p = Path(path)
        if read_only and not p.exists():
            raise StoreError(f"{p}: no store here yet; run `basewatch ingest` first, or pass --db")
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only, config=config)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            raise StoreError(
                f"{path}: the store is in use by another basewatch process; wait for it to finish"
                " or use another --db"
            ) from exc
        raise StoreError(f"{path}: cannot open the store ({msg.splitlines()[0]})") from exc
    except duckdb.Error as exc:
        raise StoreError(f"{path}: not a basewatch store ({str(exc).splitlines()[0]})") from exc
    con.execute("SET TimeZone = 'UTC'")
    if read_only:
        todo = pending(con)
        if todo:
            con.close()
            raise StoreError(
                f"{path}: store needs migrations {todo}; run any writing command first"
            )
    else:
        migrate(con)
    return Store(con, None if path is None else Path(path), read_only)
