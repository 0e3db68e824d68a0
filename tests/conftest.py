"""Shared fixtures: a fresh store per test, paths to shipped samples and test data."""

from __future__ import annotations

import json
import os
import shutil
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from basewatch.demo import sample_path

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.duckdb"


@pytest.fixture
def samples():
    return sample_path


@pytest.fixture
def data_dir() -> Path:
    return DATA


CHROMIUM = os.environ.get("BASEWATCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install -e '.[test]'"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM}: apt-get install chromium (or set BASEWATCH_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright (never a downloaded browser); in CI (``CI``
    set) a missing browser fails the tests instead of skipping them."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


class _Hook(BaseHTTPRequestHandler):
    """A webhook: keeps each JSON body POSTed in ``server.received`` and answers
    ``server.status`` (with ``server.location`` as Location when set)."""

    def do_POST(self):  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append(json.loads(body))
        self.send_response(self.server.status)
        if self.server.location:
            self.send_header("Location", self.server.location)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def hook():
    """A real HTTP server on 127.0.0.1 taking alert webhooks: set ``hook.status`` (and
    ``hook.location``) to what it should answer; ``hook.received`` holds what came."""
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    server.received, server.status, server.location = [], 200, ""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
