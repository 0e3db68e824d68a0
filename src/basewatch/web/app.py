"""The ASGI application: pages and ``/api`` over a copy of the store (see ``snapshot.py``).

Every request borrows a read-only handle on the newest copy; a query that runs past the time
limit is interrupted and answered 503. Caller mistakes answer 400 and unknown ids 404, as a
page or as JSON under ``/api``. Every response carries a Content-Security-Policy that allows
no inline script and nothing from another origin.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import duckdb
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from ..api import UnknownId
from ..errors import BasewatchError, StoreError
from .snapshot import Reader, Snapshots

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HERE = Path(str(resources.files("basewatch") / "web"))


@dataclass(frozen=True, slots=True)
class Settings:
    db: str
    refresh_s: float = 5.0
    query_timeout_s: float = 10.0
    snapshot_dir: str | None = None
    watches: tuple[str, ...] = ()
    # warm each new copy before serving it (BASEWATCH_SERVE_WARM=0 turns it off, to measure)
    warm: bool = True


class QueryTimeout(Exception):
    pass


def create_app(settings: Settings) -> FastAPI:
    def warm(copy) -> None:
        from .. import api
        from .pages import warm as warm_pages

        t0 = time.perf_counter()
        with Reader(copy, max(60.0, settings.query_timeout_s)) as r:
            warm_pages(r, api.watch_list(list(settings.watches)), list(settings.watches))
        log.info("warmed copy %d in %.2f s", copy.version, time.perf_counter() - t0)

    warming = settings.warm and os.environ.get("BASEWATCH_SERVE_WARM", "1") != "0"
    snapshots = Snapshots(
        settings.db, settings.refresh_s, settings.snapshot_dir, warm if warming else None
    )
    closing = threading.Event()  # set when the server is told to stop: event streams end

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        for name in templates.env.list_templates():  # compiled once, before any request
            templates.env.get_template(name)
        try:
            snapshots.refresh()
        except (OSError, duckdb.Error) as exc:
            log.warning("could not copy the store yet: %s", exc)
        snapshots.start()
        yield
        closing.set()
        snapshots.close()

    app = FastAPI(
        title="basewatch",
        summary="Military air bases watched from open air-traffic data and news.",
        description=(
            "JSON over the basewatch store, read-only. Ids are 16 hex digits (strings); times "
            "are UTC (ISO 8601 with Z). Lists take `limit` and `offset` and say whether more "
            "follow (`next`). Filters have the CLI's names."
        ),
        version=_version(),
        docs_url=None,  # the Swagger and ReDoc pages load scripts from a CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.snapshots = snapshots
    app.state.closing = closing
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    _filters(templates)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def headers(request: Request, call_next):
        t0 = time.perf_counter()
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}"
        return response

    def error(request: Request, status: int, message: str):
        if request.url.path.startswith("/api"):
            return JSONResponse({"error": {"status": status, "message": message}}, status)
        return templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )

    @app.exception_handler(UnknownId)
    async def unknown(request: Request, exc: UnknownId):
        return error(request, 404, str(exc))

    @app.exception_handler(StoreError)
    async def busy(request: Request, exc: StoreError):
        return error(request, 503, str(exc))

    @app.exception_handler(BasewatchError)
    async def mistake(request: Request, exc: BasewatchError):
        return error(request, 400, str(exc))

    @app.exception_handler(QueryTimeout)
    async def slow(request: Request, exc: QueryTimeout):
        return error(request, 503, str(exc))

    @app.exception_handler(duckdb.InterruptException)
    async def interrupted(request: Request, exc: duckdb.InterruptException):
        return error(request, 503, _too_slow(settings.query_timeout_s))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {e.get('msg', 'invalid')}")
        return error(request, 400, "bad parameter: " + "; ".join(parts))

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page at {request.url.path}"
        return error(request, exc.status_code, message)

    from .api_routes import router as api_router
    from .live import router as live_router
    from .pages import router as page_router

    app.include_router(live_router)
    app.include_router(api_router)
    app.include_router(page_router)
    return app


def reading(request: Request) -> Iterator[Reader]:
    """A FastAPI dependency: a read-only handle on the newest copy, for one request."""
    app = request.app
    copy = app.state.snapshots.ensure()
    limit = app.state.settings.query_timeout_s
    with Reader(copy, limit) as reader:
        try:
            yield reader
        except duckdb.InterruptException as exc:
            raise QueryTimeout(_too_slow(limit)) from exc


def _too_slow(limit: float) -> str:
    return (
        f"the query took longer than {limit:g} s and was stopped; narrow the filters "
        "(a shorter time span, a base or an aircraft)"
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("basewatch")
    except PackageNotFoundError:
        return "0"


def _filters(templates: Jinja2Templates) -> None:
    from .render import filters

    templates.env.filters.update(filters())
    templates.env.globals["csp"] = CSP
