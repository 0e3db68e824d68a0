"""The server reads while another process writes the store: a real ``basewatch ingest`` and
``process`` run against the store the server serves; every answer meanwhile is whole and
correct for the copy the server holds (no lock error reaches the user), and once the writer is
done the server's copy catches up. Also: a writer holding the store at start-up, and Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import duckdb

from basewatch import api
from basewatch.web.snapshot import writer_holds

from .conftest import WATCH, copy_store, hold_store, start_server

NEW = "/api/flights?icao24=152fd0&since=2025-10-24T00:00Z&until=2025-10-24T12:00Z"


def test_pages_answer_while_an_ingest_writes(web_store, tmp_path):
    db = copy_store(web_store, tmp_path / "store")
    archive = tmp_path / "patchy"
    api.simulate("trap-patchy", archive)
    server = start_server(db, tmp_path / "snapshots", "--refresh", "0.5")
    try:
        status, before = server.json(NEW)
        assert status == 200 and before["items"] == []  # the patchy flight is not there yet
        _, first = server.json("/api/status")
        # a real writer: re-read the demo archive (all known, so nothing new, but it takes the
        # store for a while) and the new archive, then find the flights
        demo_archive = web_store.parent / "archive" / "globe_history"
        bw = [sys.executable, "-m", "basewatch"]
        writer = subprocess.Popen(
            [*bw, "ingest", str(demo_archive), str(archive / "globe_history"), "--db", str(db),
             "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        answers, held_while_answering, busy_seen = 0, 0, False
        while writer.poll() is None:
            for path in ("/api/flights?base=OSLK&limit=5", f"/watch/{WATCH}", "/api/status"):
                holding = writer_holds(db)
                status, _, body = server.get(path)
                text = body.decode()
                assert status == 200, (path, status, text[:300])
                assert "could not set lock" not in text.lower(), path
                assert "in use by another" not in text and "no copy of it" not in text
                answers += 1
                held_while_answering += holding and writer_holds(db)
                if path == "/api/status" and '"writer_active":true' in text.replace(" ", ""):
                    busy_seen = True
        out, err = writer.communicate()
        assert writer.returncode == 0, err
        assert held_while_answering >= 3, "the writer never held the store while we asked"
        assert busy_seen, "the server never noticed the writer"
        assert answers >= 6
        process = subprocess.run([*bw, "process", "--db", str(db)], capture_output=True, text=True)
        assert process.returncode == 0, process.stderr
        deadline = time.monotonic() + 30
        after = []
        while time.monotonic() < deadline:
            status, body = server.json(NEW)
            assert status == 200
            after = body["items"]
            if after:
                break
            time.sleep(0.3)
        assert after and {f["icao24"] for f in after} == {"152fd0"}
        _, last = server.json("/api/status")
        assert last["copy_taken_at"] > first["copy_taken_at"]
        assert last["writer_active"] is False
    finally:
        assert server.stop() == 0
    assert list(server.snapshots.iterdir()) == []  # the copies are gone with the server


def test_a_writer_holding_the_store_at_start_up(web_store, tmp_path):
    """A writer that keeps rewriting the main file (a checkpoint after each change) leaves no
    moment to copy it: the pages say so (503); once it stops, they answer. A writer that holds
    the store without changing its main file is copied at once."""
    db = copy_store(web_store, tmp_path / "store")
    churn = (
        "import duckdb, sys, threading; c = duckdb.connect(sys.argv[1]); stop = threading.Event();"
        " threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True)"
        ".start(); print('held', flush=True)\n"
        "while not stop.is_set():\n"
        "    c.execute('CREATE OR REPLACE TABLE churn AS SELECT range AS x FROM range(50000)')\n"
        "    c.execute('CHECKPOINT')\n"
        "c.execute('DROP TABLE churn')"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", churn, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    server = start_server(db, tmp_path / "snapshots", "--refresh", "0.3", wait_ready=False)
    try:
        time.sleep(1.0)
        status, body = server.json("/api/watches")
        assert status == 503
        assert "another process is writing the store" in body["error"]["message"]
        status, _, html = server.get("/")
        assert status == 503 and b"another process is writing" in html
        holder.communicate("\n", timeout=20)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and server.get("/api/watches")[0] != 200:
            time.sleep(0.2)
        status, body = server.json("/api/watches")
        assert status == 200 and body["items"]
    finally:
        holder.kill()
        server.stop()


def test_a_writer_that_holds_the_store_still_is_copied(web_store, tmp_path):
    db = copy_store(web_store, tmp_path / "store")
    holder = hold_store(db)
    server = start_server(db, tmp_path / "snapshots", "--refresh", "0.3")
    try:
        assert writer_holds(db)
        status, body = server.json("/api/watches")
        assert status == 200 and body["items"]
        _, st = server.json("/api/status")
        assert st["writer_active"] is True
    finally:
        holder.communicate("\n", timeout=10)
        server.stop()


def test_ctrl_c_stops_cleanly_and_the_store_is_untouched(web_store, tmp_path):
    db = copy_store(web_store, tmp_path / "store")
    before = db.read_bytes()
    server = start_server(db, tmp_path / "snapshots")
    assert server.get("/")[0] == 200
    assert server.get(f"/watch/{WATCH}")[0] == 200
    t0 = time.monotonic()
    assert server.stop(signal.SIGINT) == 0
    assert time.monotonic() - t0 < 10
    err = server.proc.stderr.read()
    assert "Traceback" not in err, err
    assert list(server.snapshots.iterdir()) == []
    assert db.read_bytes() == before  # read-only: not a byte changed
    con = duckdb.connect(str(db))  # and nobody holds it any more
    con.close()
