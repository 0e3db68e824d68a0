"""Read news into articles: RSS / Atom feeds, HTML pages (files or HTTP), plain text, Markdown.

reads:   files, http(s):// addresses, feeds
writes:  nothing (the pipeline stores the articles)
rejects: fetch_failed, timeout, too_large, not_text, bad_front_matter, empty_text, bad_feed

A Markdown or text file may start with TOML front matter between two ``+++`` lines giving
``url``, ``outlet``, ``title``, ``published`` and ``language``; the command line can give the
publication date and address of a file that cannot tell them itself.
"""

from __future__ import annotations

import http.client
import logging
import re
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from .. import ids
from ..errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a news page is well under 1 MB; 5 MB leaves room for markup
USER_AGENT = "basewatch-news/0.1 (+https://pypi.org/project/basewatch/)"
_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|ocid|cmpid|ref|src)$", re.I)


@dataclass(frozen=True, slots=True)
class Article:
    article_id: str
    url: str | None
    outlet: str | None
    title: str | None
    published_at: datetime | None
    text: str
    language: str
    source_uri: str

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True, slots=True)
class Reject:
    uri: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class Given:
    """What the caller says about inputs that cannot tell it themselves."""

    published: datetime | None = None
    url: str | None = None
    outlet: str | None = None
    language: str = "en"


# --- ids ----------------------------------------------------------------------------------


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme and host, no fragment, no tracking parameters, no trailing slash."""
    if not url:
        return None
    parts = urllib.parse.urlsplit(url.strip())
    if not parts.scheme or not parts.netloc:
        return url.strip()
    host = parts.netloc.lower()
    if host.startswith("www."):
        host = host[4:]
    query = urllib.parse.urlencode(
        sorted(
            (k, v)
            for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        )
    )
    path = parts.path.rstrip("/") or "/"
    return urllib.parse.urlunsplit((parts.scheme.lower(), host, path, query, ""))


def article_id(url: str | None, text: str) -> str:
    """Id of the canonical URL, else of the text with whitespace folded: 16 hex digits
    (``ids.of_text``, as every other id)."""
    canon = canonical_url(url)
    return ids.of_text("url", canon) if canon else ids.of_text("text", " ".join(text.split()))


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urllib.parse.urlsplit(url).netloc.lower()
    return host[4:] if host.startswith("www.") else host or None


def make_article(
    text: str,
    source_uri: str,
    given: Given,
    url: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
    published: datetime | None = None,
    language: str | None = None,
) -> Article:
    url = given.url or url
    published = given.published or published
    if published is not None and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return Article(
        article_id=article_id(url, text),
        url=canonical_url(url),
        outlet=given.outlet or outlet or outlet_from_url(url),
        title=(title or "").strip() or None,
        published_at=published,  # kept in its own zone: "on Wednesday" counts from its day
        text=text,
        language=language or given.language,
        source_uri=source_uri,
    )


def parse_published(value, where: str = "published") -> datetime | None:
    """An ISO 8601 date or time (TOML may already have parsed it) → aware datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if hasattr(value, "year") and hasattr(value, "month"):  # a TOML date
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        dt = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise ConfigError(
            f"{where} {value!r}: expected an ISO date or time, e.g. 2025-10-30T09:15:00+03:00"
        ) from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


# --- text and Markdown ---------------------------------------------------------------------

_FRONT = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    """TOML front matter between two ``+++`` lines → (fields, body). No front matter → ({}, text).

    Raises ValueError when the front matter is there but is not valid TOML.
    """
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta = tomllib.loads(m.group(1))
    return meta, text[m.end() :]


def clean_body(body: str) -> str:
    """Body text for extraction: line endings normalised, leading blank lines dropped."""
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return body.strip("\n").rstrip()


def read_text(text: str, source_uri: str, given: Given = Given()) -> Article:
    """Plain text or Markdown, with optional TOML front matter."""
    try:
        meta, body = split_front_matter(text)
    except tomllib.TOMLDecodeError as exc:
        raise _Rejected("bad_front_matter", str(exc)) from exc
    body = clean_body(body)
    if not body.strip():
        raise _Rejected("empty_text", "no body text")
    try:
        published = parse_published(meta.get("published"), f"{source_uri}: published")
    except ConfigError as exc:
        raise _Rejected("bad_front_matter", str(exc)) from exc
    title = meta.get("title")
    if not title:
        first = body.lstrip().split("\n", 1)[0]
        title = first.lstrip("# ").strip() if first.startswith("#") else None
    return make_article(
        body,
        source_uri,
        given,
        url=meta.get("url"),
        outlet=meta.get("outlet"),
        title=title,
        published=published,
        language=meta.get("language"),
    )


# --- HTML ----------------------------------------------------------------------------------


def read_html(
    html: str, source_uri: str, given: Given = Given(), url: str | None = None
) -> Article:
    """An HTML page → its main text and metadata through trafilatura. Markup never leaks."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html,
        url=given.url or url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise _Rejected("empty_text", "no main text found in the page")
    meta_date = getattr(doc, "date", None)
    published = None
    if meta_date:
        try:
            published = parse_published(meta_date)
        except ConfigError:
            published = None
    return make_article(
        clean_body(text),
        source_uri,
        given,
        url=getattr(doc, "url", None) or url,
        outlet=getattr(doc, "sitename", None),
        title=getattr(doc, "title", None),
        published=published,
        language=getattr(doc, "language", None),
    )


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment (a feed entry's content): tags dropped, entities decoded."""
    import lxml.html

    if "<" not in fragment:
        import html as _html

        return _html.unescape(fragment).strip()
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on broken markup
        return re.sub(r"<[^>]*>", " ", fragment).strip()
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for br in root.xpath("//br|//p|//div|//li"):
        br.tail = ("\n" if br.tag == "br" else "\n\n") + (br.tail or "")
    text = root.text_content()
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+", " ", text)).strip()


# --- feeds ---------------------------------------------------------------------------------


def read_feed(data: bytes, source_uri: str, given: Given = Given()) -> Iterator[Article | Reject]:
    """RSS or Atom: one article per entry, from its content, else its summary."""
    import feedparser

    feed = feedparser.parse(data)
    if not feed.entries:
        reason = "bad_feed" if feed.bozo else "empty_text"
        detail = str(feed.get("bozo_exception", "no entries"))
        yield Reject(source_uri, reason, detail[:200])
        return
    outlet = given.outlet or feed.feed.get("title")
    for i, entry in enumerate(feed.entries):
        html = ""
        if entry.get("content"):
            html = max((c.get("value", "") for c in entry.content), key=len)
        html = html or entry.get("summary", "")
        text = html_to_text(html)
        where = f"{source_uri}#entry{i + 1}"
        if not text:
            yield Reject(where, "empty_text", entry.get("title", "")[:200])
            continue
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*stamp[:6], tzinfo=UTC) if stamp else None
        entry_given = replace(given, url=None, outlet=None)
        yield make_article(
            text,
            where,
            entry_given,
            url=entry.get("link"),
            outlet=outlet,
            title=entry.get("title"),
            published=given.published or published,
        )


# --- telling the kind of content -----------------------------------------------------------


def sniff(data: bytes, content_type: str = "", name: str = "") -> str:
    """'feed', 'html', 'text' or 'binary' from the content type, the name and the first bytes."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    ct = content_type.lower()
    if b"\x00" in data[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    if any(t in ct for t in ("rss", "atom")) or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return "feed"
    if head.startswith(b"<?xml"):
        return "feed" if re.search(rb"<(rss|feed|rdf:rdf)\b", head) else "html"
    if "html" in ct or head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    if ct and not ct.startswith("text/") and "xml" not in ct and "json" not in ct:
        return "binary"
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return "html"
    if name.lower().endswith((".rss", ".atom", ".xml")):
        return "feed"
    return "text"


def decode(data: bytes, charset: str | None = None) -> str:
    """Bytes → text: the declared charset, else UTF-8, else cp1252; undecodable bytes replaced."""
    for enc in (charset, "utf-8"):
        if not enc:
            continue
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


def read_bytes(
    data: bytes, source_uri: str, given: Given, content_type: str = "", url: str | None = None
) -> Iterator[Article | Reject]:
    kind = sniff(data, content_type, source_uri)
    if kind == "binary":
        yield Reject(source_uri, "not_text", f"content type {content_type or 'binary'}")
        return
    if kind == "feed":
        yield from read_feed(data, source_uri, given)
        return
    m = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    text = decode(data, m.group(1) if m else None)
    try:
        if kind == "html":
            yield read_html(text, source_uri, given, url=url)
        else:
            yield read_text(text, source_uri, replace(given, url=given.url or url))
    except _Rejected as exc:
        yield Reject(source_uri, exc.reason, exc.detail[:200])


# --- HTTP ------------------------------------------------------------------------------------


class _Deadline:
    """One time limit for a whole fetch: connecting, every redirect, the headers and every read
    of the body. Each socket's timeout is set to the time left before it blocks, so a server
    that sends one byte every few seconds cannot hold the fetch past the limit."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.sockets: list = []

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise _Rejected("timeout", f"not complete within {self.seconds:g} s")
        return left

    def arm(self) -> None:
        left = self.left()
        for sock in self.sockets:
            if sock is not None:
                sock.settimeout(left)

    def opener(self) -> urllib.request.OpenerDirector:
        deadline = self

        def timed(base):
            class Connection(base):
                def connect(self) -> None:
                    self.timeout = deadline.left()
                    super().connect()
                    deadline.sockets.append(self.sock)

            return Connection

        http_conn = timed(http.client.HTTPConnection)
        https_conn = timed(http.client.HTTPSConnection)

        class Http(urllib.request.HTTPHandler):
            def http_open(self, req):
                return self.do_open(http_conn, req)

        class Https(urllib.request.HTTPSHandler):
            def https_open(self, req):
                return self.do_open(https_conn, req, context=self._context)

        return urllib.request.build_opener(Http, Https)


def fetch_url(
    url: str, timeout_s: float = DEFAULT_TIMEOUT_S, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[bytes, str, str]:
    """GET ``url`` → (body, content type, final address), all within ``timeout_s`` seconds in
    total. Raises _Rejected on any failure."""
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    deadline = _Deadline(timeout_s)
    try:
        with deadline.opener().open(req, timeout=timeout_s) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _Rejected("too_large", f"{length} bytes, over the {max_bytes} byte cap")
            chunks, size = [], 0
            while True:
                deadline.arm()
                chunk = resp.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    raise _Rejected("too_large", f"over the {max_bytes} byte cap")
            return b"".join(chunks), resp.headers.get("Content-Type", ""), resp.geturl()
    except _Rejected:
        raise
    except TimeoutError as exc:
        raise _Rejected("timeout", f"not complete within {timeout_s:g} s") from exc
    except urllib.error.HTTPError as exc:
        raise _Rejected("fetch_failed", f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise _Rejected("timeout", f"not complete within {timeout_s:g} s") from exc
        if isinstance(exc.reason, _Rejected):
            raise exc.reason from exc
        raise _Rejected("fetch_failed", str(exc.reason)) from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise _Rejected("fetch_failed", str(exc)) from exc


class _Rejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def is_url(item: str) -> bool:
    return bool(re.match(r"^https?://", item, re.I))


def read_inputs(
    inputs: list[str],
    given: Given = Given(),
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article | Reject]:
    """Each input (file, folder, http(s) address of a page or feed) → articles and rejects."""
    from ..errors import InputError

    for item in inputs:
        item = str(item)
        if is_url(item):
            try:
                data, ctype, final = fetch_url(item, timeout_s, max_bytes)
            except _Rejected as exc:
                yield Reject(item, exc.reason, exc.detail[:200])
                continue
            yield from read_bytes(data, item, given, ctype, url=final)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        elif path.is_file():
            files = [path]
        else:
            raise InputError(f"{item}: no such file, folder or http(s) address")
        for f in files:
            size = f.stat().st_size
            if size > max_bytes:
                yield Reject(str(f), "too_large", f"{size} bytes, over the {max_bytes} byte cap")
                continue
            yield from read_bytes(f.read_bytes(), str(f), given)
