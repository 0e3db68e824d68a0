"""Reading news: files, pages and feeds over a real HTTP server on localhost, the size cap,
timeouts, bad encodings, content that is not text, hostile markup, duplicates."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

from basewatch import api
from basewatch.errors import InputError
from basewatch.news.fetch import (
    Given,
    Reject,
    article_id,
    canonical_url,
    read_inputs,
    read_text,
    sniff,
)
from basewatch.store import open_store

DATA = Path(__file__).parent / "data"

PAGE = b"""<!doctype html><html><head><title>Ministers meet</title>
<meta property="og:site_name" content="Page Wire">
<script>document.write("<p>injected by script</p>")</script>
<style>p { color: red }</style></head>
<body><nav>Home | World | Sport</nav><article><h1>Ministers meet</h1>
<p>Russian Defence Minister Andrei Belousov met his Syrian counterpart Murhaf Abu Qasra in
Moscow on October 28, the ministry said in a statement published on its website.</p>
<p>The two ministers discussed military cooperation between their countries, the ministry said,
and agreed to keep meeting. &lt;b&gt;This text shows markup as text&lt;/b&gt; and stays text.</p>
<p>A Russian Il-62M landed at the Khmeimim air base two days earlier, according to Bloomberg,
after a six-month break in such flights to the base near Latakia.</p>
</article><footer>Copyright</footer></body></html>"""

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Feed Wire</title><link>https://feed.example/</link>
<item><title>Flights resume</title><link>https://feed.example/a1?utm_source=rss</link>
<pubDate>Thu, 30 Oct 2025 06:00:00 GMT</pubDate>
<description>&lt;p&gt;Russian military aircraft resumed flights to Khmeimim on October 24,
according to Bloomberg.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description></item>
<item><title>Ministers meet</title><link>https://feed.example/a2</link>
<pubDate>Thu, 30 Oct 2025 07:00:00 GMT</pubDate>
<description>Andrei Belousov met Murhaf Abu Qasra in Moscow on Tuesday.</description></item>
</channel></rss>"""


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, body: bytes, ctype: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/page":
            self._send(PAGE, "text/html; charset=utf-8")
        elif self.path == "/feed":
            self._send(FEED, "application/rss+xml")
        elif self.path == "/slow":
            time.sleep(2)
            self._send(b"late", "text/plain")
        elif self.path.startswith("/drip"):  # a byte every 0.4 s: no read waits long
            body = b"x" * int(self.path.partition("?n=")[2] or 40)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(0.4)
        elif self.path == "/big":
            self._send(b"<html><body>" + b"x" * 300_000 + b"</body></html>", "text/html")
        elif self.path == "/image":
            self._send(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        elif self.path == "/latin1":
            body = "Le ministre a d\xe9clar\xe9 que les vols vers Khmeimim ont repris mardi.\n"
            self._send(body.encode("latin-1"), "text/plain")
        else:
            self._send(b"not here", "text/plain", 404)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True  # a handler still dripping to a client that gave up is not waited for

    def handle_error(self, request, client_address):  # a client that gave up (timeout, cap)
        pass


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _read(urls, **kw):
    return list(read_inputs(urls, Given(), **kw))


def test_page_over_http_keeps_text_drops_markup(server):
    (art,) = _read([f"{server}/page"])
    assert "Andrei Belousov met" in art.text
    assert "injected by script" not in art.text and "color: red" not in art.text
    assert "<b>This text shows markup as text</b>" in art.text  # escaped markup stays text
    assert "Home | World" not in art.text
    assert art.url.startswith("http://127.0.0.1") and art.title == "Ministers meet"


def test_feed_over_http_one_article_per_entry(server):
    arts = _read([f"{server}/feed"])
    assert [a.title for a in arts] == ["Flights resume", "Ministers meet"]
    assert arts[0].url == "https://feed.example/a1"  # tracking parameter dropped
    assert arts[0].outlet == "Feed Wire"
    assert arts[0].published_at.isoformat() == "2025-10-30T06:00:00+00:00"
    assert "alert(1)" not in arts[0].text and "<p>" not in arts[0].text


def test_timeout_size_cap_not_text_and_missing_are_rejects(server):
    out = _read(
        [f"{server}/slow", f"{server}/big", f"{server}/image", f"{server}/missing"],
        timeout_s=0.5,
        max_bytes=100_000,
    )
    assert [(r.reason) for r in out] == ["timeout", "too_large", "not_text", "fetch_failed"]
    assert all(isinstance(r, Reject) for r in out)


def test_timeout_is_for_the_whole_fetch(server):
    t0 = time.monotonic()
    (out,) = _read([f"{server}/drip"], timeout_s=1.0)
    took = time.monotonic() - t0
    assert isinstance(out, Reject) and out.reason == "timeout", out
    assert took < 2.0, took  # the server would take 16 s to send its 40 bytes


def test_a_slow_but_complete_page_within_the_timeout_is_read(server):
    (out,) = _read([f"{server}/drip?n=4"], timeout_s=30.0)
    assert not isinstance(out, Reject) and out.text == "x" * 4


def test_bad_encoding_is_decoded_not_fatal(server):
    (art,) = list(read_inputs([f"{server}/latin1"], Given(published=None)))
    assert "déclaré" in art.text


def test_front_matter_and_given_values(tmp_path):
    art = read_text((DATA / "belousov_meeting.md").read_text(), "x.md")
    assert art.outlet == "Test Wire" and art.title == "Defence ministers meet in Moscow"
    assert art.published_at.utcoffset().total_seconds() == 3 * 3600
    assert art.text.startswith("MOSCOW —")
    assert art.article_id == article_id("https://wire.example/2025/10/30/ministers-meet", "")
    bad = tmp_path / "bad.md"
    bad.write_text("+++\nurl = \n+++\nbody text here\n")
    (rej,) = list(read_inputs([str(bad)]))
    assert rej.reason == "bad_front_matter"


def test_ids_and_sniffing():
    assert canonical_url("HTTPS://WWW.Example.org/a/?utm_medium=x&b=1#top") == (
        "https://example.org/a?b=1"
    )
    assert article_id(None, "same  text") == article_id(None, "same text")
    assert sniff(b"<rss version='2.0'>") == "feed"
    assert sniff(b"\x00\x01binary") == "binary"
    assert sniff(b"plain words") == "text"


def test_missing_input_is_a_typed_error():
    with pytest.raises(InputError, match="no such file"):
        list(read_inputs(["/nonexistent/article.md"]))


def test_duplicates_counted_not_added(db):
    path = str(DATA / "belousov_meeting.md")
    first = api.news_add([path], db=db)
    again = api.news_add([path, path], db=db)
    assert (first.articles_added, first.duplicates) == (1, 0)
    assert (again.articles_added, again.duplicates) == (0, 2)
    with open_store(db, read_only=True) as store:
        assert store.scalar("SELECT duplicates FROM articles") == 2
        assert store.scalar("SELECT count(*) FROM news_events") == first.events


def test_given_published_for_plain_text(db):
    report = api.news_add(
        [str(DATA / "plain_note.txt")],
        db=db,
        published="2025-10-30T12:00:00+03:00",
        url="https://note.example/1",
        outlet="Note",
    )
    assert report.articles_added == 1
    df = api.news_events(db=db, type="flight")
    assert df.iloc[0]["date_start"] == "2025-10-25"  # "on Saturday" before Thursday 30 October
    assert df.iloc[0]["place"] == "HL69"
