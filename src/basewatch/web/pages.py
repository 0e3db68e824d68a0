"""The pages: watches, a base's watch, flight, aircraft, change, news, search, live feeds.
Server-rendered (Jinja2, autoescaped); the only scripts are ``static/map.js`` (pan and zoom of
the maps) and ``static/live.js`` (sections marked ``data-live`` are fetched again when the
server takes a new copy of the store, see ``/api/updates``)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from .. import api
from ..api import MAX_LIMIT
from .app import reading
from .convert import records
from .live import live_status, status_time
from .render import query
from .snapshot import Reader

router = APIRouter(include_in_schema=False)
Read = Annotated[Reader, Depends(reading)]
Offset = Annotated[int, Query(ge=0)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
MAP_FLIGHTS = 20  # recent qualifying flights drawn on a base's map
MAP_ROUTES = 30  # latest routes listed on a base's page (all of them: /api/routes)


def _page(request: Request, r: Reader, name: str, **context) -> HTMLResponse:
    snaps = request.app.state.snapshots
    context.update(
        copy_taken_at=r.copy.taken_at, copy_version=r.copy.version, writer_active=snaps.writer
    )
    return request.app.state.templates.TemplateResponse(request, name, context)


def warm(r: Reader, watches: dict, files: list[str]) -> None:
    """Compute on a new copy what the watches overview and each watch's page draw (maps,
    charts, changes, timelines, briefs), so the first requests after a copy find them."""
    overview(r, watches)
    for w in watches.values():
        _watch_data(r, w, None, None, files)


def overview(r: Reader, watches: dict) -> list[dict]:
    """The watches overview (kept with the copy; pages and /api/watches share it)."""
    return r.memo(("overview",), lambda: api.watch_overview(r.store, watches.values()))


def _watch_files(request: Request) -> list[str]:
    return list(request.app.state.settings.watches)


def _watches(request: Request) -> dict:
    return api.watch_list(_watch_files(request))


@router.get("/", response_class=HTMLResponse)
def index(request: Request, r: Read):
    rows = overview(r, _watches(request))
    return _page(request, r, "index.html", title="Watches", rows=rows, live_page="copy")


@router.get("/base/{code}")
def base(request: Request, code: str, r: Read):
    icao = api.base_code(code)
    found = [w for w in _watches(request).values() if w.base == icao]
    if not found:
        raise api.UnknownId(f"no watch on {icao}: add one in a watch file (--watches)")
    return RedirectResponse(f"/watch/{found[0].name}", status_code=307)


@router.get("/watch/{name}", response_class=HTMLResponse)
def watch(
    request: Request, name: str, r: Read,
    since: Annotated[str | None, Query(alias="from")] = None,
    until: Annotated[str | None, Query(alias="to")] = None,
):  # fmt: skip
    found = _watches(request)
    if name not in found:
        raise api.UnknownId(f"no watch {name!r}; known: {', '.join(sorted(found))}")
    w = found[name]
    t0, t1 = api.parse_time(since, "from"), api.parse_time(until, "to")
    if t0 and t1 and t1 <= t0:
        raise api.ConfigError(f"to {until} is not after from {since}")
    key = (w.name, since, until)
    # the page as a whole is kept with the copy (it changes with the copy alone, and with
    # whether a writer is at work, which its footer says): about 0.4 MB of HTML, rendered in
    # 50-100 ms on a year of data, then served as it is
    writer = bool(request.app.state.snapshots.writer)
    body = r.memo(("watch-page", *key, writer), lambda: _watch_page(request, r, w, since, until))
    return HTMLResponse(body)


def _watch_data(r: Reader, w, since: str | None, until: str | None, files: list[str]) -> dict:
    """What a watch's page shows for a window, each piece kept with the copy."""
    t0, t1 = api.parse_time(since, "from"), api.parse_time(until, "to")
    db = r.copy.path
    key = (w.name, since, until)
    moves = r.memo(
        ("moves", *key),
        lambda: api.watch_movements(r.store, w, since, until, MAP_FLIGHTS).to_pylist(),
    )
    flight_ids = list(dict.fromkeys(m["flight_id"] for m in moves))
    map_svg = r.memo(("map", *key), lambda: api.map_svg(r.store, flight_ids, w.base))
    title = f"{w.title or w.name}: movements per day (UTC)"
    chart = r.memo(("chart", *key), lambda: api.activity_svg(r.store, w, since, until, title))
    # the keys of /api/changes, /api/timeline and /api/brief: one piece for both
    changes = r.memo(("changes", w.name, None), lambda: api.changes(db, w.name))
    in_window = changes
    if t0 is not None:
        in_window = in_window[in_window["end_ts"].isna() | (in_window["end_ts"] >= t0)]
    if t1 is not None:
        in_window = in_window[in_window["start_ts"] < t1]
    timeline = r.memo(("timeline", w.name, None), lambda: api.timeline(db, w.name))
    if t0 is not None:
        timeline = timeline[timeline["ts"] >= t0]
    if t1 is not None:
        timeline = timeline[timeline["ts"] < t1]
    routes = r.memo(
        ("routes", *key), lambda: api.routes_page(r.store, w.name, since, until, MAP_ROUTES)
    )
    brief = json.loads(
        r.memo(
            ("brief", w.name, None, since, until, "json"),
            lambda: api.brief(db, w.name, None, since, until, "json", files or None),
        )
    )
    return dict(
        map_svg=map_svg, chart=chart, moves=moves, changes=records(in_window),
        routes=routes.rows.to_pylist(), routes_more=routes.more, timeline=records(timeline),
        brief=brief,
    )  # fmt: skip


def _watch_page(request: Request, r: Reader, w, since: str | None, until: str | None) -> bytes:
    data = _watch_data(r, w, since, until, _watch_files(request))
    params = {"watch": w.name, "from": since, "to": until}
    return _page(
        request, r, "watch.html", title=w.title or w.name, w=w, since=since or "",
        until=until or "", live_page="copy", **data,
        downloads={f: "/api/brief" + query(params, format=f, download="true") for f in ("md", "html", "json")},
    ).body  # fmt: skip


@router.get("/flight/{flight_id}", response_class=HTMLResponse)
def flight(request: Request, flight_id: str, r: Read):
    info = api.flight(r.store, flight_id)
    map_svg = api.map_svg(r.store, [info["flight_id"]], info["destination"] or info["origin"] or "")
    return _page(
        request, r, "flight.html", title=f"Flight {info['flight_id']}", f=info, map_svg=map_svg
    )  # fmt: skip


@router.get("/event/{event_id}")
def event(event_id: str, r: Read):
    fid = api.event_flight(r.store, event_id)
    return RedirectResponse(f"/flight/{fid}#e-{event_id.lower()}", status_code=307)


@router.get("/change/{change_id}", response_class=HTMLResponse)
def change(request: Request, change_id: str, r: Read):
    c = api.change(r.store, change_id)
    return _page(request, r, "change.html", title=f"Change {c['change_id']}", c=c)


@router.get("/aircraft/{icao24}", response_class=HTMLResponse)
def aircraft(request: Request, icao24: str, r: Read, offset: Offset = 0, limit: Limit = 50):
    icao = api.icao_text(icao24)
    ident = r.memo(("aircraft", icao), lambda: api.aircraft_identity(r.store, icao))
    flights = api.flights_page(
        r.store, icao24=icao, include_ground=True, limit=limit, offset=offset
    )
    ws = api.watches_of(r.store, icao, _watches(request).values())
    label = " ".join(x for x in (ident.get("registration"), ident.get("type_code"), icao) if x)
    return _page(
        request, r, "aircraft.html", title=f"Aircraft {label}", a=ident, flights=flights,
        watches=ws, prev=query({}, offset=max(0, offset - limit)) if offset else None,
        next=query({}, offset=offset + limit) if flights.more else None,
    )  # fmt: skip


@router.get("/news", response_class=HTMLResponse)
def news(
    request: Request, r: Read, actor: str | None = None, place: str | None = None,
    type: str | None = None, since: str | None = None, until: str | None = None,
    offset: Offset = 0, limit: Limit = 50,
):  # fmt: skip
    params = {"actor": actor, "place": place, "type": type, "since": since, "until": until}
    page = api.news_page(r.store, since, until, actor, place, type or None, limit, offset)
    return _page(
        request, r, "news.html", title="News", page=page.rows.to_pylist(), params=params,
        types=api.news_types(),
        prev=query(params, offset=max(0, offset - limit)) if offset else None,
        next=query(params, offset=offset + limit) if page.more else None,
    )  # fmt: skip


@router.get("/news/{event_id}", response_class=HTMLResponse)
def news_event(request: Request, event_id: str, r: Read):
    n = api.news_event(r.store, event_id)
    return _page(request, r, "news_event.html", title=f"News event {n['event_id']}", n=n)


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, r: Read, q: Annotated[str, Query(max_length=100)] = ""):
    hits = api.search(r.store, q) if q.strip() else []
    return _page(request, r, "search.html", title="Search", q=q, hits=hits)


@router.get("/feeds", response_class=HTMLResponse)
def feeds(request: Request, r: Read):
    """What ``basewatch live`` says it is doing (its status file beside the store)."""
    db = request.app.state.settings.db
    st = live_status(db)
    return _page(
        request, r, "feeds.html", title="Live feeds", st=st, live_page="status",
        live_at=status_time(db),
    )  # fmt: skip


@router.get("/api-docs", response_class=HTMLResponse)
def api_docs(request: Request, r: Read):
    spec = request.app.openapi()
    ops = [
        (path, method.upper(), op.get("summary", ""), [p["name"] for p in op.get("parameters", [])])
        for path, item in spec["paths"].items()
        for method, op in item.items()
    ]
    return _page(request, r, "api_docs.html", title="JSON API", ops=ops)
