"""Small pieces the templates use: UTC times, id links, sparklines."""

from __future__ import annotations

import math
from datetime import date, datetime
from urllib.parse import quote, urlencode

import pandas as pd
from markupsafe import Markup, escape

from .. import api

REF_PAGES = {
    "flight": "/flight/",
    "event": "/event/",
    "change": "/change/",
    "news": "/news/",
    "aircraft": "/aircraft/",
}


def utc(v, seconds: bool = False) -> Markup:
    """A time as ``2025-10-24 04:47Z`` (UTC, labelled), a day as ``2025-10-24``; kept on one
    line."""
    text = _utc(v, seconds)
    return Markup('<span class="t">{}</span>').format(text) if text else Markup("")


def _utc(v, seconds: bool = False) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
        return ""
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    if isinstance(v, str):
        return v
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%SZ" if seconds else "%Y-%m-%d %H:%MZ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def ref_url(ref: str) -> str | None:
    """``flight:0a36…`` → ``/flight/0a36…`` (None for a ref of no known kind)."""
    kind, _, key = str(ref).partition(":")
    page = REF_PAGES.get(kind)
    return f"{page}{quote(key)}" if page and key else None


def ref_link(ref: str) -> Markup:
    url = ref_url(ref)
    if url is None:
        return Markup("<code>{}</code>").format(ref)
    return Markup('<a class="ref" href="{}"><code>{}</code></a>').format(url, ref)


def id_link(v, kind: str) -> Markup:
    """A link to the page of the flight, event, change or news event with id ``v``."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return Markup("")
    key = api.id_hex(v) if kind != "aircraft" else str(v)
    return ref_link(f"{kind}:{key}")


def ids(v) -> list:
    """A list of ids (a list, an array or nothing) as a plain list."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    return list(v)


def web_url(u) -> str | None:
    """An article's address if it is an http(s) one (anything else is shown, not linked)."""
    return u if isinstance(u, str) and u.lower().startswith(("https://", "http://")) else None


def num(v, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    try:
        return f"{float(v):,.{digits}f}"
    except (TypeError, ValueError):
        return str(v)


def sparkline(counts: list[int], width: int = 160, height: int = 28) -> Markup:
    """Movements per week as a small SVG (bars; a hover title per week)."""
    if not counts:
        return Markup("")
    top = max(1, max(counts))
    bw = width / len(counts)
    bars = []
    for i, c in enumerate(counts):
        h = 0 if c == 0 else max(1.5, (height - 2) * c / top)
        bars.append(
            f'<rect x="{i * bw:.1f}" y="{height - h:.1f}" width="{max(1.0, bw - 1):.1f}" '
            f'height="{h:.1f}"><title>week {i + 1 - len(counts)}: {c} movements</title></rect>'
        )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="movements per week, last {len(counts)} weeks, peak {top}">'
        f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" class="axis"/>'
        + "".join(bars)
        + "</svg>"
    )


def query(params: dict, **change) -> str:
    """The query string of ``params`` with ``change`` applied (None drops a key)."""
    merged = {k: v for k, v in {**params, **change}.items() if v not in (None, "")}
    return ("?" + urlencode(merged)) if merged else ""


def filters() -> dict:
    return {
        "utc": utc,
        "idhex": api.id_hex,
        "ref_url": ref_url,
        "ref_link": ref_link,
        "id_link": id_link,
        "ids": ids,
        "web_url": web_url,
        "num": num,
        "sparkline": sparkline,
        "e": escape,
    }
