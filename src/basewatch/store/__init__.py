"""The store: one DuckDB file. One writer process; readers open it read-only.

Tables are created and changed only by the named migrations in ``migrations.py``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import StoreError
from .migrations import MIGRATIONS, migrate, pending

log = logging.getLogger(__name__)

__all__ = ["Store", "open_store", "append", "transaction", "MIGRATIONS"]

DEFAULT_MEMORY_LIMIT = "1GB"


class Store:
    """An open DuckDB store. Use as a context manager, or call ``close()``."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        path: Path | None,
        read_only: bool,
        writer: threading.Lock | None = None,
    ):
        self.con = con
        self.path = path
        self.read_only = read_only
        self._writer = writer

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            if self._writer is not None:
                self._writer.release()
                self._writer = None

    def table(self, sql: str, params: dict | list | None = None) -> pa.Table:
        return self.con.execute(sql, params or []).to_arrow_table()

    def scalar(self, sql: str, params: dict | list | None = None):
        row = self.con.execute(sql, params or []).fetchone()
        return None if row is None else row[0]


def open_store(
    path: str | Path | None,
    read_only: bool = False,
    threads: int | None = None,
    create: bool = True,
) -> Store:
    """Open the store at ``path`` (None: in memory), migrating it when writable. Only a
    command that adds data creates a store (``create``); the others say there is none."""
    threads = threads or int(os.environ.get("BASEWATCH_THREADS", "0") or 0)
    config = {"threads": threads} if threads else {}
    # DuckDB caches blocks up to 80% of RAM by default; a bounded cache keeps ingest memory flat
    # (it spills to disk past it). BASEWATCH_MEMORY_LIMIT overrides, e.g. "4GB".
    config["memory_limit"] = os.environ.get("BASEWATCH_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
    target = ":memory:" if path is None else str(path)
    if path is not None:
        p = Path(path)
        if (read_only or not create) and not p.exists():
            raise StoreError(f"{p}: no store here yet; run `basewatch ingest` first, or pass --db")
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
    writer = None if (read_only or path is None) else _writer_lock(Path(path))
    con = None
    try:
        con = _connect(target, read_only, config, path)
        con.execute("SET TimeZone = 'UTC'")
        if read_only:
            todo = pending(con)
            if todo:
                raise StoreError(
                    f"{path}: store needs migrations {todo}; run any writing command first"
                )
        else:
            migrate(con)
    except BaseException:
        if con is not None:
            con.close()
        if writer is not None:
            writer.release()
        raise
    return Store(con, None if path is None else Path(path), read_only, writer)


_WRITERS: dict[Path, threading.Lock] = {}
_WRITERS_GUARD = threading.Lock()


def _writer_lock(path: Path) -> threading.Lock:
    """One writer per store in this process too (DuckDB's file lock only keeps other
    processes out): a second caller gets the same clear error another process gets."""
    key = path.resolve()
    with _WRITERS_GUARD:
        lock = _WRITERS.setdefault(key, threading.Lock())
    if not lock.acquire(blocking=False):
        raise StoreError(
            f"{path}: the store is in use by another basewatch caller in this process; wait for "
            "it to finish or use another --db"
        )
    return lock


def _connect(target: str, read_only: bool, config: dict, path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(target, read_only=read_only, config=config)
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


def append(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table | list[dict]) -> int:
    """Append rows (an Arrow table, or dicts in the table's declared schema) to ``table``:
    the one way every stage writes. Returns the number of rows."""
    from .. import schema

    if not isinstance(rows, pa.Table):
        rows = pa.Table.from_pylist(rows, schema=schema.TABLES[table])
    if not rows.num_rows:
        return 0
    view = f"_append_{table}"
    con.register(view, rows)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM {view}")
    finally:
        con.unregister(view)
    return rows.num_rows


_OPEN: dict[int, int] = {}  # id of a connection → depth of the transaction it is in


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One unit of work: committed whole or rolled back whole (a kill midway leaves the store
    as it was). Nested uses join the outer transaction."""
    key = id(con)
    if _OPEN.get(key):
        _OPEN[key] += 1
        try:
            yield
        finally:
            _OPEN[key] -= 1
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN[key] = 1
    try:
        yield
    except BaseException:
        _OPEN.pop(key, None)
        try:
            con.execute("ROLLBACK")
        except duckdb.Error as exc:  # the connection is failing: the first error matters
            log.warning("rollback failed: %s", exc)
        raise
    else:
        _OPEN.pop(key, None)
        con.execute("COMMIT")
