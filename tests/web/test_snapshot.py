"""The server's copies of the store: the lock probe, a copy per change, and the time limit."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pytest

from basewatch.errors import StoreError
from basewatch.store import open_store
from basewatch.web.snapshot import Reader, Snapshots, writer_holds

from .conftest import hold_store


def _store(path):
    """A migrated store with one extra table to change."""
    with open_store(path) as store:
        store.con.execute("CREATE TABLE t AS SELECT 1 AS a")


def test_writer_probe_sees_another_process_without_locking(tmp_path):
    db = tmp_path / "s.duckdb"
    _store(db)
    assert not writer_holds(db)
    holder = hold_store(db)
    try:
        assert writer_holds(db)
        assert writer_holds(db)  # probing twice takes nothing: the writer still writes
    finally:
        holder.communicate("\n", timeout=10)
    assert not writer_holds(db)
    # a reader elsewhere does not count as a writer
    reader = duckdb.connect(str(db), read_only=True)
    try:
        assert not writer_holds(db)
    finally:
        reader.close()


def test_a_copy_per_change_and_the_old_one_goes(tmp_path):
    db = tmp_path / "s.duckdb"
    _store(db)
    snaps = Snapshots(db, every_s=0.0, folder=str(tmp_path))
    try:
        assert snaps.refresh()
        first = snaps.current
        assert not snaps.refresh()  # unchanged: no new copy
        con = duckdb.connect(str(db))
        con.execute("INSERT INTO t VALUES (2)")
        con.close()
        copy = snaps.ensure()  # refreshes first (every_s=0)
        assert copy is not first
        with Reader(copy, 5.0) as r:
            assert r.store.scalar("SELECT count(*) FROM t") == 2
        assert not first.path.exists()  # retired and unused: removed
    finally:
        snaps.close()
    assert not snaps.folder.exists()


def test_a_query_past_the_limit_is_interrupted(tmp_path):
    db = tmp_path / "s.duckdb"
    _store(db)
    snaps = Snapshots(db, every_s=60.0, folder=str(tmp_path))
    try:
        snaps.refresh()
        copy = snaps.ensure()
        with pytest.raises(duckdb.InterruptException), Reader(copy, 0.2) as r:
            r.store.scalar("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3")
        assert r.timed_out
        with Reader(snaps.ensure(), 5.0) as r2:  # the copy still answers after it
            assert r2.store.scalar("SELECT count(*) FROM t") == 1
    finally:
        snaps.close()


APPENDER = """
import duckdb, sys, threading, time
c = duckdb.connect(sys.argv[1])
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
print("held", flush=True)
n = 1
while not stop.is_set():
    n += 1
    c.execute("INSERT INTO t VALUES (?)", [n])  # one commit, appended to the WAL
    time.sleep(0.02)
print(n, flush=True)
"""


def test_copies_follow_a_writer_that_holds_the_store(tmp_path):
    """A writer holds the store and commits a row every 20 ms (as `basewatch live` does, only
    faster): copies are taken all the same, each opens, and each holds a whole prefix of the
    writer's commits (1..k), k growing."""
    db = tmp_path / "s.duckdb"
    _store(db)
    writer = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    snaps = Snapshots(db, every_s=0.0, folder=str(tmp_path))
    seen = []
    try:
        assert writer.stdout.readline().strip() == "held"
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and len(seen) < 15:
            assert writer_holds(db)
            if snaps.refresh():
                with Reader(snaps.ensure(), 5.0) as r:
                    count, top = r.store.con.execute("SELECT count(*), max(a) FROM t").fetchone()
                assert count == top  # rows 1..top, no commit cut in half
                seen.append(top)
            time.sleep(0.1)
        last = int(writer.communicate("\n", timeout=20)[0].strip())
    finally:
        writer.kill()
        snaps.close()
    assert len(seen) >= 5, seen
    assert seen == sorted(seen) and seen[-1] > seen[0]
    assert seen[-1] <= last


def test_a_copy_that_cannot_be_opened_says_why(tmp_path):
    db = tmp_path / "s.duckdb"
    _store(db)
    con = duckdb.connect(str(db))
    con.execute(
        "DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM schema_migrations)"
    )
    con.close()
    snaps = Snapshots(db, every_s=0.0, folder=str(tmp_path))
    try:
        assert not snaps.refresh()
        with pytest.raises(StoreError, match="needs migrations"):
            snaps.ensure()
        assert list(snaps.folder.iterdir()) == []  # the unusable copy is gone
    finally:
        snaps.close()
