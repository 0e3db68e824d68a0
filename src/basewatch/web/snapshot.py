"""The server's view of the store: a private copy, refreshed when the store changes, taken
without ever keeping a writer waiting.

DuckDB lets one process write a file, or any number read it, never both: a read-only open
fails while an ``ingest``, ``watch`` or ``live`` holds the file, and the writer fails to open it
while a reader does. So the server never opens the store itself: it copies the file (and its
WAL) into its own folder and serves from the copy through one read-only DuckDB instance.

A copy is good when the main file stood still while it was taken. A writer between
checkpoints only appends its commits to the WAL, so a copy of an unchanged main file and of
the WAL as it was (perhaps ending in half a commit, which DuckDB drops on opening, as after a
crash) is the store as of the last whole commit: this is how pages follow ``basewatch live``,
which holds the store for as long as it runs. When the main file changed during the copy (a
checkpoint, or a large ingest writing blocks), the copy is dropped and tried again later, less
often while it keeps failing. Whether a writer holds the store is seen without taking any lock
(``fcntl`` F_GETLK; DuckDB locks with ``fcntl``). A main file that has not changed since the
last copy is linked, not copied again, so following a live writer costs a copy of its WAL.

Pages say when the copy was taken (and stream it: ``/api/updates``). As a copy never changes,
what the pages draw from it (maps, charts, briefs) is kept with it until the next copy, and a
new copy is warmed (``warm``) before requests are given it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import struct
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .. import api
from ..errors import StoreError

log = logging.getLogger(__name__)
MEMO_SIZE = 256  # pieces kept per copy of the store
STILL_NS = 100_000_000  # a main file written less than 0.1 s ago is not copied yet
BACKOFF_MAX_S = 60.0  # copies that failed because the store changed: wait at most this long
BUSY_SHARE = 3  # a copy and its warming take at most a third of the time between copies


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


def _unlink(target: Path) -> None:
    for p in (target, Path(f"{target}.wal")):
        p.unlink(missing_ok=True)


def _grew(before, after) -> bool:
    """Whether the WAL stayed the same file and only grew (or stayed absent)."""
    if before is None:
        return True  # no WAL when the copy began: the copy is the store before it
    if after is None:
        return False
    return after[2] == before[2] and after[1] >= before[1]


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
    version: int = 0  # 1 for the server's first copy, then one more for each
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
    """Copies of the store at ``db``, refreshed at most every ``every_s`` seconds; ``warm(copy)``
    runs on each new copy before it is served."""

    def __init__(
        self,
        db: str | os.PathLike,
        every_s: float = 5.0,
        folder: str | None = None,
        warm: Callable[[Copy], None] | None = None,
    ):
        self.db = Path(db)
        if not self.db.exists():
            raise StoreError(f"{self.db}: no store here yet; run `basewatch ingest` first")
        self.every_s = every_s
        self.folder = Path(tempfile.mkdtemp(prefix="basewatch-serve-", dir=folder))
        self.current: Copy | None = None
        self.writer = False
        self.checked_at = 0.0
        self.warm = warm
        self._lock = threading.Lock()
        self._busy = threading.Lock()  # one refresh at a time; others do not wait for it
        self._n = 0
        self._failed = 0  # copies dropped in a row because the store changed under them
        self._retry_at = 0.0
        self.error: str | None = None  # why the last copy could not be opened
        self._next_at = 0.0  # no new copy before this (a store that keeps changing)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- taking copies --
    def refresh(self) -> bool:
        """Take a new copy if the store changed and its main file stands still; True if
        taken (False too while another refresh is under way)."""
        if not self._busy.acquire(blocking=False):
            return False
        try:
            return self._refresh()
        finally:
            self._busy.release()

    def _refresh(self) -> bool:
        with self._lock:
            self.checked_at = now = time.monotonic()
            self.writer = writer_holds(self.db)
            before = _stamp(self.db)
            cur = self.current
            if cur is not None and before == cur.stamp:
                return False
            if before[0] is None or ((self.writer or self.error) and now < self._retry_at):
                return False
            if cur is not None and self.writer and now < self._next_at:
                return False  # a writer at work: copy and warm at most a share of the time
            if self.writer and time.time_ns() - before[0][0] < STILL_NS:
                # being written now: try at the next check (and a write after this look
                # cannot leave the file's time as it is, however coarse the clock)
                return False
            self._n += 1
            target = self.folder / f"store-{self._n}.duckdb"
            t0 = time.perf_counter()
            linked = cur is not None and cur.stamp[0] == before[0]
            if linked:
                try:
                    os.link(cur.path, target)  # the same main file: only the WAL is new
                except OSError:  # a folder that takes no links
                    linked = False
            if not linked:
                shutil.copyfile(self.db, target)
            wal = Path(f"{self.db}.wal")
            if before[1] is not None:
                # gone: a checkpoint took it in, and the main file changed (checked below)
                with contextlib.suppress(FileNotFoundError):
                    shutil.copyfile(wal, Path(f"{target}.wal"))
            after = _stamp(self.db)
            if after[0] != before[0] or not _grew(before[1], after[1]):
                self._drop_try(target, "the store changed while copying")
                return False
            try:
                store = api.open_copy(target)
            except (StoreError, duckdb.Error) as exc:
                self.error = str(exc).replace(str(target), str(self.db))
                self._drop_try(target, f"the copy could not be opened ({self.error})")
                return False
            except BaseException:
                _unlink(target)
                raise
            # the stamp from before the copy: a WAL that grew meanwhile is copied again next
            copy = Copy(target, datetime.now(UTC), before, store, version=self._n)
            self.error = None
            log.info(
                "%s the store in %.2f s%s", "linked" if linked else "copied",
                time.perf_counter() - t0, " while a writer holds it" if self.writer else "",
            )  # fmt: skip
            self._failed = 0
        if self.warm is not None:
            try:
                self.warm(copy)
            except Exception as exc:  # a cold copy is still a right one
                log.warning("could not warm the copy of the store: %s", exc)
        busy = time.perf_counter() - t0
        with self._lock:
            self._next_at = time.monotonic() + (BUSY_SHARE - 1) * busy
            old, self.current = self.current, copy
        if old is not None:
            old.retire()
        return True

    def _drop_try(self, target: Path, why: str) -> None:
        """Drop a copy that cannot serve, and wait longer before each next try."""
        self._failed += 1
        wait = min(BACKOFF_MAX_S, self.every_s * 2 ** min(self._failed, 6))
        self._retry_at = time.monotonic() + wait
        log.info("%s; next try in %.0f s", why, wait)
        _unlink(target)

    def ensure(self) -> Copy:
        """The newest copy; StoreError if there is none yet because a writer has changed the
        store all along since the server started. Without the background refresh (``start``),
        or with no copy yet, it refreshes first if the last check is old; with it, a request
        never waits for a copy to be taken and warmed."""
        background = self._thread is not None and self.current is not None
        if not background and time.monotonic() - self.checked_at > self.every_s:
            try:
                self.refresh()
            except (OSError, duckdb.Error) as exc:
                log.warning("could not copy the store: %s", exc)
        with self._lock:
            copy = self.current
            if copy is None and self.error:
                raise StoreError(f"no copy of the store could be opened: {self.error}")
            if copy is None:
                raise StoreError(
                    f"{self.db}: another process is writing the store and no copy of it could be"
                    " taken yet (it kept changing); this page will answer once it stands still"
                    " for a moment"
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
