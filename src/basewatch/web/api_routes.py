"""``/api``: JSON mirroring the Python API. Filters have the CLI's names; lists are pages with
``items``, ``limit``, ``offset`` and ``next`` (the address of the next page, or null)."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from .. import api
from ..api import MAX_LIMIT, MAX_TRACK_POINTS, Page
from .app import reading
from .convert import one, rows
from .pages import overview
from .snapshot import Reader

router = APIRouter(prefix="/api", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows in a page (1–{MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]
Since = Annotated[str | None, Query(description="from this UTC time (ISO 8601)")]
Until = Annotated[str | None, Query(description="before this UTC time (ISO 8601)")]
Base = Annotated[str | None, Query(description="ICAO code or name of a base or airfield")]
Icao = Annotated[str | None, Query(description="6 hex digits", pattern="^[0-9a-fA-F]{6}$")]
Read = Annotated[Reader, Depends(reading)]


def _next(request: Request, page: Page) -> str | None:
    if not page.more:
        return None
    params = dict(request.query_params)
    params["offset"] = str(page.offset + page.limit)
    params["limit"] = str(page.limit)
    return str(request.url.replace_query_params(**params))


def _page(request: Request, page: Page) -> dict:
    return {
        "items": rows(page.rows),
        "limit": page.limit,
        "offset": page.offset,
        "next": _next(request, page),
    }


def _slice(request: Request, data, limit: int, offset: int) -> dict:
    """A page of a small, whole list the API returns at once."""
    items = rows(data)
    chunk = items[offset : offset + limit]
    more = offset + limit < len(items)
    page = Page(None, limit, offset, more)  # type: ignore[arg-type]
    return {
        "items": chunk,
        "limit": limit,
        "offset": offset,
        "total": len(items),
        "next": _next(request, page),
    }


def _watches(request: Request) -> list[str]:
    return list(request.app.state.settings.watches)


@router.get("/status", summary="The copy of the store being served")
def status(request: Request, r: Read) -> dict:
    snaps = request.app.state.snapshots
    return {
        "store": str(snaps.db),
        "copy_taken_at": one({"t": r.copy.taken_at})["t"],
        "writer_active": snaps.writer,
        "query_timeout_s": request.app.state.settings.query_timeout_s,
        "max_limit": MAX_LIMIT,
    }


@router.get("/watches", summary="One overview row per watch")
def watches(request: Request, r: Read) -> dict:
    chosen = api.watch_list(_watches(request))
    return {"items": r.memo(("overview-json",), lambda: rows(overview(r, chosen)))}


@router.get("/watches/{name}/movements", summary="A watch's latest qualifying movements")
def watch_movements(
    request: Request, name: str, r: Read, since: Since = None, until: Until = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> dict:  # fmt: skip
    w = _watch(request, name)
    return {"items": rows(api.watch_movements(r.store, w, since, until, limit))}


def _watch(request: Request, name: str):
    found = api.watch_list(_watches(request))
    if name not in found:
        raise api.UnknownId(f"no watch {name!r}; known: {', '.join(sorted(found))}")
    return found[name]


@router.get("/changes", summary="Changes found by the watches (bw.changes)")
def changes(
    request: Request, r: Read, watch: str | None = None,
    kind: Annotated[str | None, Query(description="gap, resumption, stop, surge, drop or unobserved")] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> dict:  # fmt: skip
    found = r.memo(("changes", watch, kind), lambda: api.changes(r.copy.path, watch, kind))
    return _slice(request, found, limit, offset)


@router.get("/changes/{change_id}", summary="One change with the flights that make it")
def change(change_id: str, r: Read) -> dict:
    return one(api.change(r.store, change_id))


@router.get("/activity", summary="Movements per base and day (bw.activity)")
def activity(
    request: Request, r: Read, base: Annotated[str, Query(description="ICAO code or name")],
    since: Since = None, until: Until = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 400, offset: Offset = 0,
) -> dict:  # fmt: skip
    found = r.memo(
        ("activity", base, since, until), lambda: api.activity(r.copy.path, base, since, until)
    )
    return _slice(request, found, limit, offset)


@router.get("/routes", summary="Origin → base → destination chains, newest first (bw.routes)")
def routes(
    request: Request, r: Read, watch: str | None = None, since: Since = None,
    until: Until = None, limit: Limit = 50, offset: Offset = 0,
) -> dict:  # fmt: skip
    return _page(request, api.routes_page(r.store, watch, since, until, limit, offset))


@router.get("/flights", summary="Flights, newest first (bw.flights, a page at a time)")
def flights(
    request: Request, r: Read, base: Base = None, since: Since = None, until: Until = None,
    icao24: Icao = None, military: bool | None = None, state: bool | None = None,
    type: Annotated[str | None, Query(description="ICAO type designator, e.g. A124")] = None,
    country: Annotated[str | None, Query(description="ISO code of the address block")] = None,
    all: Annotated[bool, Query(description="include stays on the ground")] = False,
    limit: Limit = 50, offset: Offset = 0,
) -> dict:  # fmt: skip
    page = api.flights_page(
        r.store, base, since, until, icao24, military, state, type, country, all,
        limit=limit, offset=offset,
    )  # fmt: skip
    return _page(request, page)


@router.get("/flights/{flight_id}", summary="One flight with its airfield events")
def flight(flight_id: str, r: Read) -> dict:
    return one(api.flight(r.store, flight_id))


@router.get("/flights/{flight_id}/positions", summary="The positions of a flight")
def positions(
    request: Request, flight_id: str, r: Read,
    limit: Annotated[int, Query(ge=1, le=MAX_TRACK_POINTS)] = MAX_TRACK_POINTS,
    offset: Offset = 0,
) -> dict:  # fmt: skip
    return _page(request, api.flight_positions(r.store, flight_id, limit, offset))


@router.get(
    "/flights/{flight_id}/track.geojson",
    summary="The flight as GeoJSON (received track, inferred stretches, airfield events)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def track(flight_id: str, r: Read) -> Response:
    body = json.dumps(api.flight_track(r.store, flight_id), default=str)
    return Response(body, media_type="application/geo+json")


@router.get("/events", summary="Airfield events, newest first (bw.events)")
def events(
    request: Request, r: Read, base: Base = None, since: Since = None, until: Until = None,
    icao24: Icao = None,
    type: Annotated[str | None, Query(description="takeoff, landing, …")] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> dict:  # fmt: skip
    return _page(request, api.events_page(r.store, base, since, until, icao24, type, limit, offset))


@router.get("/events/{event_id}", summary="The flight an airfield event belongs to")
def event(event_id: str, r: Read) -> dict:
    fid = api.event_flight(r.store, event_id)
    info = api.flight(r.store, fid)
    match = [e for e in info["events"] if e["event_id"] == event_id.lower()]
    return {**one(match[0]), "flight_id": fid}


@router.get("/aircraft", summary="Identities of aircraft as the store keeps them (bw.aircraft)")
def aircraft_list(
    request: Request, r: Read, icao24: Icao = None, registration: str | None = None,
    military: bool | None = None, limit: Limit = 50, offset: Offset = 0,
) -> dict:  # fmt: skip
    page = api.aircraft_page(r.store, icao24, registration, military, limit, offset)
    return _page(request, page)


@router.get("/aircraft/{icao24}", summary="One aircraft: identity and the watches it counts for")
def aircraft(request: Request, icao24: str, r: Read) -> dict:
    icao = api.icao_text(icao24)
    found = r.memo(("aircraft-json", icao), lambda: rows([api.aircraft_identity(r.store, icao)]))
    ws = api.watch_list(_watches(request)).values()
    return {**found[0], "watches": api.watches_of(r.store, icao24, ws)}


@router.get("/news", summary="News events with their sentence and source (bw.news_events)")
def news(
    request: Request, r: Read, since: Since = None, until: Until = None,
    actor: str | None = None, place: str | None = None,
    type: Annotated[str | None, Query(description="meeting, visit, statement, …")] = None,
    limit: Limit = 50, offset: Offset = 0,
) -> dict:  # fmt: skip
    return _page(request, api.news_page(r.store, since, until, actor, place, type, limit, offset))


@router.get("/news/{event_id}", summary="One news event with its article")
def news_event(event_id: str, r: Read) -> dict:
    return one(api.news_event(r.store, event_id))


@router.get("/timeline", summary="A watch's timeline, or a pair of countries' (bw.timeline)")
def timeline(
    request: Request, r: Read, watch: str | None = None,
    countries: Annotated[str | None, Query(description="two ISO codes, e.g. RU,SY")] = None,
    limit: Limit = 100, offset: Offset = 0,
) -> dict:  # fmt: skip
    found = r.memo(
        ("timeline", watch, countries), lambda: api.timeline(r.copy.path, watch, countries)
    )
    return _slice(request, found, limit, offset)


@router.get(
    "/brief",
    summary="The brief of a watch for a window, as JSON, Markdown or HTML (bw.brief)",
    response_class=Response,
)
def brief(
    request: Request, r: Read, watch: str | None = None, base: Base = None,
    from_: Annotated[str | None, Query(alias="from", description="from this UTC day")] = None,
    to: Annotated[str | None, Query(description="before this UTC day")] = None,
    format: Literal["json", "md", "html"] = "json",
    download: bool = False,
) -> Response:  # fmt: skip
    files = _watches(request) or None
    text = r.memo(
        ("brief", watch, base, from_, to, format),
        lambda: api.brief(r.copy.path, watch, base, from_, to, format, files),
    )
    media = {"json": "application/json", "md": "text/markdown", "html": "text/html"}[format]
    headers = {}
    if download:
        name = f"brief-{watch or base}-{from_ or 'start'}-{to or 'end'}.{format}"
        safe = "".join(c if c.isalnum() or c in "-._" else "_" for c in name)
        headers["Content-Disposition"] = f'attachment; filename="{safe}"'
    return Response(text, media_type=f"{media}; charset=utf-8", headers=headers)


@router.get("/search", summary="Aircraft, bases, watches, ids and news actors matching q")
def search(
    r: Read, q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict:  # fmt: skip
    return {"items": api.search(r.store, q, limit)}


@router.get("", include_in_schema=False)
def index() -> JSONResponse:
    return JSONResponse({"openapi": "/openapi.json", "see": "/api-docs"})
