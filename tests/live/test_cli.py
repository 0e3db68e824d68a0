"""``basewatch live`` as a process, stopped by SIGTERM (everything received is stored and
processed) or killed by SIGKILL (at most the last flush interval is lost; a restart picks up),
and ``basewatch status`` reading what it left."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

from rows import query

from basewatch import api
from basewatch.live import read_status, status_path

from .replay import Receiver, paced, replay
from .test_service import capture, frames_of  # noqa: F401  (the module's fixture)


def _start(db, uri, *extra) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "basewatch", "live", "--feed", uri, "--format", "beast"]
    return subprocess.Popen(
        [*cmd, "--db", str(db), "--step", "1", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_stored(db, rx: Receiver, want: int, timeout: float = 120.0) -> dict:
    """Wait until the receiver has sent everything and the service says it stored ``want``."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        time.sleep(0.3)
        if rx.done.is_set() and status_path(db).exists():
            st = read_status(status_path(db))
            if st["positions_added"] >= want:
                return st
    raise AssertionError(f"not stored within {timeout} s")


def _reference(tmp_path, items) -> int:
    f = tmp_path / "capture.bin"
    f.write_bytes(b"".join(b for _, b in items))
    ref = tmp_path / "ref.duckdb"
    api.ingest([f], db=ref, format="beast", start="2024-07-06T07:00:00Z")  # counts only
    return query(ref, "SELECT count(*) FROM positions")[0][0]


def test_sigterm_stores_and_processes_everything(tmp_path, capture):  # noqa: F811
    items = frames_of(capture)[:3000]
    want = _reference(tmp_path, items)
    db = tmp_path / "live.duckdb"
    with Receiver([replay(paced(items, speed=5000))]) as rx:
        proc = _start(db, rx.uri)
        try:
            _wait_stored(db, rx, 1)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped by SIGTERM" in out and "Traceback" not in err
    assert query(db, "SELECT count(*) FROM positions")[0][0] == want
    assert api.pending(db) == 0  # the last step ran
    assert query(db, "SELECT status FROM runs WHERE command = 'live'") == [("ok",)]
    shown = subprocess.run(
        [sys.executable, "-m", "basewatch", "status", "--db", str(db)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "live: not running (stopped)" in shown
    assert f"{rx.uri} (beast): stopped" in shown and "3,000 messages" in shown
    as_json = subprocess.run(
        [sys.executable, "-m", "basewatch", "status", "--db", str(db), "--json"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert json.loads(as_json)["feeds"][0]["messages"] == 3000


def test_sigkill_loses_at_most_the_last_flush_and_restart_picks_up(tmp_path, capture):  # noqa: F811
    items = frames_of(capture)[:3000]
    want = _reference(tmp_path, items)
    db = tmp_path / "live.duckdb"
    with Receiver([replay(paced(items, speed=5000))]) as rx:
        proc = _start(db, rx.uri)
        try:
            st = _wait_stored(db, rx, want)
        finally:
            proc.kill()  # SIGKILL: no chance to flush
            proc.wait(30)
    assert st["running"]
    # what the status said was stored is in the store
    assert query(db, "SELECT count(*) FROM positions")[0][0] >= st["positions_added"] == want
    # a restart (the receiver is gone: the feed retries) processes what was left pending
    again = _start(db, "tcp://127.0.0.1:9", "--duration", "3")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert api.pending(db) == 0 and query(db, "SELECT count(*) FROM flights")[0][0] > 0
