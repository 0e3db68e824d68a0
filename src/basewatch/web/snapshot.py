"""The server's view of the store: a private copy, refreshed when the store changes and no
writer holds it.

DuckDB lets one process write a file, or any number read it, never both: a read-only open
fails while an ``ingest`` or ``watch`` holds the file, and the writer fails to open it while a
reader does. So the server never opens the store itself. It checks the store's lock without
taking it (``fcntl`` F_GETLK, as DuckDB locks with ``fcntl``), and when no writer holds it and
the file (or its WAL) changed, it copies both into its own folder, checks that neither changed
during the copy (else the copy is dropped and tried again later), and serves from the copy
through one read-only DuckDB instance. Pages say when the copy was taken, and that a writer is
at work when one is. A writer is never kept waiting by the server. As a copy never changes,
what the pages draw from it (maps, charts, briefs) is kept with it until the next copy.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import struct
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .. import api
from ..errors import StoreError

log = logging.getLogger(__name__)
MEMO_SIZE = 256  # pieces kept per copy of the store


def writer_holds(path: Path) -> bool:
    """Whether a process holds a write lock on the DuckDB file (without taking any lock)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        # struct flock: l_type, l_whence, l_start, l_len, l_pid (Linux, 64-bit off_t)
        probe = struct.pack("hhqqi4x", fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        got = fcntl.fcntl(fd, fcntl.F_GETLK, probe)
        return struct.unpack("hhqqi4x", got)[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


def _stamp(path: Path) -> tuple:
    out = []
    for p in (path, Path(f"{path}.wal")):
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except FileNotFoundError:
            out.append(None)
    return tuple(out)


@dataclass(eq=False)
class Copy:
    """One copy of the store, open read-only, in use by ``users`` requests."""

    path: Path
    taken_at: datetime
    stamp: tuple
    store: object  # the copy opened read-only (api.open_copy)
    users: int = 0
    retired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    # pieces computed from this copy (a map, a chart, a brief): the copy never changes, so
    # they stay right until it is replaced
    memo: dict = field(default_factory=dict)

    def release(self) -> None:
        with self.lock:
            self.users -= 1
            done = self.retired and self.users == 0
        if done:
            self._drop()

    def retire(self) -> None:
        with self.lock:
            self.retired = True
            done = self.users == 0
        if done:
            self._drop()

    def _drop(self) -> None:
        try:
            self.store.close()
        finally:
            for p in (self.path, Path(f"{self.path}.wal")):
                p.unlink(missing_ok=True)


class Snapshots:
    """Copies of the store at ``db``, refreshed at most every ``every_s`` seconds."""

    def __init__(self, db: str | os.PathLike, every_s: float = 5.0, folder: str | None = None):
        self.db = Path(db)
        if not self.db.exists():
            raise StoreError(f"{self.db}: no store here yet; run `basewatch ingest` first")
        self.every_s = every_s
        self.folder = Path(tempfile.mkdtemp(prefix="basewatch-serve-", dir=folder))
        self.current: Copy | None = None
        self.writer = False
        self.checked_at = 0.0
        self._lock = threading.Lock()
        self._n = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- taking copies --
    def refresh(self) -> bool:
        """Take a new copy if the store changed and no writer holds it; True if taken."""
        with self._lock:
            self.checked_at = time.monotonic()
            self.writer = writer_holds(self.db)
            if self.writer:
                return False
            before = _stamp(self.db)
            if self.current is not None and before == self.current.stamp:
                return False
            self._n += 1
            target = self.folder / f"store-{self._n}.duckdb"
            t0 = time.perf_counter()
            shutil.copyfile(self.db, target)
            wal = Path(f"{self.db}.wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{target}.wal"))
            if _stamp(self.db) != before or writer_holds(self.db):
                log.info("store changed while copying; will copy again")
                for p in (target, Path(f"{target}.wal")):
                    p.unlink(missing_ok=True)
                self.writer = writer_holds(self.db)
                return False
            store = api.open_copy(target)
            copy = Copy(target, datetime.now(UTC), before, store)
            log.info("copied the store in %.2f s", time.perf_counter() - t0)
            old, self.current = self.current, copy
        if old is not None:
            old.retire()
        return True

    def ensure(self) -> Copy:
        """The newest copy, refreshing first if the last check is old; StoreError if there is
        none yet because a writer has held the store since the server started."""
        if time.monotonic() - self.checked_at > self.every_s:
            try:
                self.refresh()
            except (OSError, duckdb.Error) as exc:
                log.warning("could not copy the store: %s", exc)
        with self._lock:
            copy = self.current
            if copy is None:
                raise StoreError(
                    f"{self.db}: another process is writing the store and no copy of it has been"
                    " taken yet; this page will answer when the writer finishes"
                )
            with copy.lock:
                copy.users += 1
        return copy

    def start(self) -> None:
        """Refresh in the background too, so a request rarely waits for a copy."""

        def loop() -> None:
            while not self._stop.wait(self.every_s):
                try:
                    self.refresh()
                except Exception as exc:  # keep serving the old copy
                    log.warning("could not copy the store: %s", exc)

        self._thread = threading.Thread(target=loop, name="basewatch-snapshots", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            copy, self.current = self.current, None
        if copy is not None:
            copy.retire()
        shutil.rmtree(self.folder, ignore_errors=True)


class Reader:
    """A read-only handle on a copy for one request: a cursor of the copy's DuckDB instance,
    interrupted if a query runs past ``limit_s``."""

    def __init__(self, copy: Copy, limit_s: float):
        self.copy = copy
        self.store = api.cursor(copy.store)
        self.limit_s = limit_s
        self.timed_out = False
        self._timer = threading.Timer(limit_s, self._interrupt)
        self._timer.daemon = True

    def memo(self, key: tuple, compute):
        """``compute()`` once per copy and ``key`` (at most ``MEMO_SIZE`` kept, oldest out)."""
        memo = self.copy.memo
        try:
            return memo[key]
        except KeyError:
            pass
        value = compute()
        with self.copy.lock:
            while len(memo) >= MEMO_SIZE:
                memo.pop(next(iter(memo)))
            memo[key] = value
        return value

    def _interrupt(self) -> None:
        self.timed_out = True
        self.store.con.interrupt()

    def __enter__(self) -> Reader:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        try:
            self.store.close()
        finally:
            self.copy.release()
