"""Pages follow a live writer: ``basewatch live`` reads a simulated Beast feed replayed on
127.0.0.1 into the store the server serves (the service holds the store for writing all the
while); in Debian's chromium, the watch page shows the new landing at Khmeimim, the watches
overview its new last movement and the feeds page the feed's messages, each without a reload,
and the banner gives the time of the new copy. The event stream itself is read over HTTP."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from live.replay import Receiver, beast_frames, paced, replay

from basewatch import api
from basewatch.web.snapshot import writer_holds

from .conftest import WATCH, start_server
from .test_browser import visit

LANDER = "RF-36074"  # the scenario's An-26 (Russian, state): it lands at Khmeimim


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    """The trap-low-pass day's Latakia Beast capture and its aircraft database."""
    out = tmp_path_factory.mktemp("sim-live")
    api.simulate("trap-low-pass", out, format="beast")
    capture = (out / "receivers" / "latakia" / "2025-10-26.beast").read_bytes()
    return [(c / 12e6, b) for c, b in beast_frames(capture)], out / "aircraft.csv"


def updates(url: str, n: int, timeout: float = 20) -> list[dict]:
    """The first ``n`` events of the server's event stream."""
    got = []
    with urllib.request.urlopen(url.rstrip("/") + "/api/updates", timeout=timeout) as resp:
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        event = None
        for raw in resp:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "update":
                got.append(json.loads(line[6:]))
                if len(got) == n:
                    return got
    return got


def wait_text(page, selector: str, text: str, timeout: float) -> None:
    """Wait until the element at ``selector`` shows ``text`` (asked from outside the page:
    the pages' CSP forbids the evaluated strings of ``wait_for_function``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in page.inner_text(selector):
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector} never showed {text!r}: {page.inner_text(selector)[:500]}")


def test_pages_follow_basewatch_live_without_reload(browser, feed, tmp_path, shots):
    frames, aircraft = feed
    db = tmp_path / "live.duckdb"
    api.import_aircraft(aircraft, db=db)  # identities: the An-26 counts for the watch
    server = start_server(db, tmp_path / "snapshots", "--refresh", "0.5")
    writer = None
    pages = []
    try:
        base = visit(browser, server, f"/watch/{WATCH}")
        overview = visit(browser, server, "/")
        feeds = visit(browser, server, "/feeds")
        news = visit(browser, server, "/news")  # a page that does not follow the store
        pages = [base, overview, feeds, news]
        assert LANDER not in base.page.inner_text("#map")
        assert "No live service" in feeds.page.inner_text("#feeds")
        for v in pages:  # a reload would lose this
            v.page.evaluate("window.__loaded_once = true")
        banner = base.page.inner_text("#updated")
        assert banner.startswith("updated ") and banner.endswith(" UTC")

        # 5 h 12 min of the feed in about 25 s; a step (flights, events, watches) every second
        with Receiver([replay(paced(frames, speed=750))]) as rx:
            writer = subprocess.Popen(
                [sys.executable, "-m", "basewatch", "live", "--db", str(db), "--feed", rx.uri,
                 "--format", "beast", "--step", "1", "--duration", "120"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            # the landing shows on the open watch page, while the service holds the store
            wait_text(base.page, "#map", LANDER, 90)
            assert writer.poll() is None and writer_holds(db)
            moves = base.page.inner_text("#map")
            assert "landing" in moves
            wait_text(overview.page, "#watches", LANDER, 30)
            wait_text(feeds.page, "#feeds", rx.uri, 30)
            row = feeds.page.inner_text("tr.feed")
            assert "beast" in row and "connected" in row, row
            for name, v in (("live-base", base), ("live-watches", overview), ("live-feeds", feeds)):
                v.page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            rx.done.wait(120)
            writer.send_signal(signal.SIGINT)
            out, err = writer.communicate(timeout=60)
            assert writer.returncode == 0, err
        for v in pages:
            assert v.page.evaluate("window.__loaded_once") is True  # never reloaded
            assert v.errors == [] and v.blocked == [], (v.errors, v.blocked)
        assert base.page.inner_text("#updated") != banner
        # the news page offers the newer copy instead of swapping parts in
        wait_text(news.page, "#updated", "newer data", 30)
        assert news.page.locator("#updated a").get_attribute("href").endswith("/news")
        news.page.screenshot(path=str(shots / "live-news-newer.png"))
        # once the service stops, the feeds page says so
        wait_text(feeds.page, "#feeds", "not running", 30)
        assert "stopped" in feeds.page.inner_text("tr.feed")
    finally:
        for v in pages:
            v.page.context.close()
        if writer is not None and writer.poll() is None:
            writer.kill()
            writer.wait()
        assert server.stop() == 0


def test_event_stream_says_when_a_new_copy_is_taken(web_store, tmp_path):
    from .conftest import copy_store

    db = copy_store(web_store, tmp_path / "store")
    server = start_server(db, tmp_path / "snapshots", "--refresh", "0.3")
    try:
        (first,) = updates(server.url, 1)
        assert first["version"] == 1 and first["writer"] is False and first["live_at"] is None
        assert first["taken_at"].endswith("Z")
        # a real writer changes the store: the stream's next event is the next copy
        done = subprocess.run(
            [sys.executable, "-m", "basewatch", "watch", "--db", str(db)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = updates(server.url, 1)[0]
            if now["version"] > first["version"]:
                break
            time.sleep(0.3)
        assert now["version"] > first["version"] and now["taken_at"] >= first["taken_at"]
        status, live = server.json("/api/live")
        assert status == 200 and live["found"] is False
        # Ctrl-C with a page open (its stream reading): the server stops at once
        reading = threading.Thread(target=updates, args=(server.url, 1000, 60), daemon=True)
        reading.start()
        time.sleep(1.0)
        assert reading.is_alive()
        assert server.stop() == 0
        # the stream ended when told to stop; uvicorn did not wait out its grace time for it
        assert "graceful shutdown exceeded" not in server.proc.stderr.read()
        reading.join(5)
        assert not reading.is_alive()
    finally:
        server.stop()
