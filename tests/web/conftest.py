"""The web server for tests: ``basewatch serve`` in a subprocess on a free 127.0.0.1 port, over
a copy of the demo store (built once per session; about a minute) with a few hostile articles
added, so every test talks to the real server over HTTP."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from basewatch import api
from basewatch.demo import run_demo

WATCH = "oslk-russian-state"

# Articles written to break a page that forgets to escape (our own text).
HOSTILE = {
    "hostile-a.md": """+++
url = 'https://hostile.example/a?x="><script>window.__pwned=1</script>'
outlet = 'Hostile <b>Wire</b>'
title = '<script>window.__pwned=2</script> "Title" <i>'
published = "2025-10-27T08:00:00+00:00"
+++

Russian Defence Minister Andrei Belousov said on October 26 that "<script>window.__pwned=3</script> the flights to Khmeimim go on <img src=x onerror=window.__pwned=4>", Hostile Wire reported.
""",
    "hostile-b.md": """+++
url = 'javascript:window.__pwned=5'
outlet = 'Evil <Agency>'
published = "2025-10-28T09:00:00+00:00"
+++

Syrian President Ahmed al-Sharaa said on October 27 that "the <a href='javascript:window.__pwned=6'>road</a> to Moscow is open", Evil Agency reported.
""",
}


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    """Where the browser tests put their screenshots: ``$BASEWATCH_SCREENSHOTS``, else a
    temporary folder."""
    folder = os.environ.get("BASEWATCH_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def web_store(tmp_path_factory) -> Path:
    """The demo store plus the hostile articles, watched again (read by the servers only)."""
    work = tmp_path_factory.mktemp("web-demo")
    text = "\n".join(run_demo(workdir=str(work)))
    db = work / "demo.duckdb"
    (work / "demo.txt").write_text(text)
    folder = work / "hostile"
    folder.mkdir()
    for name, body in HOSTILE.items():
        (folder / name).write_text(body, encoding="utf-8")
    api.news_add([folder], db=db)
    api.watch(db)
    return db


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    db: Path
    snapshots: Path

    def get(self, path: str, accept: str | None = None) -> tuple[int, dict, bytes]:
        req = urllib.request.Request(self.url.rstrip("/") + path)
        if accept:
            req.add_header("Accept", accept)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def json(self, path: str) -> tuple[int, dict]:
        status, _, body = self.get(path)
        return status, json.loads(body)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode


def start_server(db: Path, snapshots: Path, *args: str, wait_ready: bool = True) -> Server:
    """``basewatch serve`` on a free port; returns once it answers (or has printed its URL)."""
    snapshots.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "basewatch", "serve", "--db", str(db), "--port", "0",
           "--snapshot-dir", str(snapshots), *args]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if "serving" not in line:
        proc.kill()
        raise RuntimeError(f"server did not start: {line!r} {proc.stderr.read()}")
    url = line.split("serving ", 1)[1].split()[0]
    server = Server(url, proc, db, snapshots)
    if wait_ready:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _, _ = server.get("/api/status")
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
    return server


@pytest.fixture(scope="session")
def server(web_store, tmp_path_factory):
    s = start_server(web_store, tmp_path_factory.mktemp("snapshots"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def demo_text(web_store) -> str:
    return (web_store.parent / "demo.txt").read_text()


def hold_store(db: Path) -> subprocess.Popen:
    """Another process that holds the store open for writing (and writes nothing) until a
    line comes on its stdin; returns once it holds it."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         f"import duckdb, sys; c = duckdb.connect({str(db)!r}); print('held', flush=True);"
         " sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    return holder


def copy_store(db: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "store.duckdb"
    shutil.copyfile(db, target)
    return target
