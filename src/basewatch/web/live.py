"""Live updates: ``/api/updates`` streams (server-sent events) each new copy of the store the
server takes and each rewrite of the live service's status file; ``static/live.js`` fetches
the open page's live sections again when one comes. ``/api/live`` is what ``basewatch status``
prints.

Server-sent events rather than polling from the page: one open request per page instead of one
every few seconds, the page hears of a copy as soon as it is taken, and the browser reconnects
by itself (after a restart of the server too). The stream looks at the server's own state once
a second (no query, no store: the copy's number and the status file's time), so an open page
costs the server next to nothing, and the stream ends when the server shuts down.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from .. import api
from ..errors import StoreError

router = APIRouter(prefix="/api", tags=["api"])
TICK_S = 1.0  # how often a stream looks for news
KEEPALIVE_S = 15.0  # a comment line this often keeps proxies from closing a quiet stream
RETRY_MS = 3000  # the browser reconnects after this long when the stream breaks


def live_status(db) -> dict:
    """The live service's last status (``api.live_status``), or ``{"found": False}`` when no
    live service has written one beside this store. Times are UTC datetimes."""
    try:
        st = api.live_status(db)
    except StoreError:
        return {"found": False, "running": False, "feeds": []}
    st["found"] = True
    for key in ("started_at", "updated_at", "last_step_at"):
        st[key] = _when(st.get(key))
    for f in st.get("feeds", []):
        for key in list(f):
            if key.endswith("_at"):
                f[key] = _when(f[key])
    return st


def _when(epoch):
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(float(epoch), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def status_time(db) -> float | None:
    """When the live service last rewrote its status (epoch seconds; None: there is none)."""
    try:
        return api.live_status(db).get("updated_at")
    except StoreError:
        return None


def state(app) -> dict:
    """What a page needs to know to decide whether to fetch itself again."""
    snaps = app.state.snapshots
    copy = snaps.current
    return {
        "version": None if copy is None else copy.version,
        "taken_at": None if copy is None else copy.taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "writer": bool(snaps.writer),
        "live_at": status_time(app.state.settings.db),
    }


@router.get(
    "/updates",
    summary="Server-sent events: a new copy of the store, or a new live status",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def updates(request: Request) -> StreamingResponse:
    """``event: update`` with ``{version, taken_at, writer, live_at}`` at once and whenever
    one of them changes: ``version`` numbers the copies of the store the server took,
    ``taken_at`` is when (UTC), ``writer`` whether another process writes the store,
    ``live_at`` when ``basewatch live`` last rewrote its status (epoch seconds, or null)."""
    app = request.app
    closing: threading.Event = app.state.closing

    async def stream():
        yield f"retry: {RETRY_MS}\n\n"
        last, quiet = None, time.monotonic()
        while not closing.is_set():
            now = state(app)
            if now != last:
                last = now
                quiet = time.monotonic()
                yield f"event: update\ndata: {json.dumps(now)}\n\n"
            elif time.monotonic() - quiet > KEEPALIVE_S:
                quiet = time.monotonic()
                yield ": still here\n\n"
            if await request.is_disconnected():
                return
            await asyncio.sleep(TICK_S)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get("/live", summary="What `basewatch live` is doing: feeds, rates, last messages")
def live(request: Request) -> dict:
    """The live service's status as ``basewatch status --json`` gives it (read from the file it
    rewrites every few seconds beside the store; the store is not opened), with ``found``
    false when no live service has written one."""
    try:
        st = api.live_status(request.app.state.settings.db)
    except StoreError:
        return {"found": False, "running": False, "feeds": []}
    return {"found": True, **st}
