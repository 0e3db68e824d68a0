"""Run the app under uvicorn; Ctrl-C stops it cleanly (requests finish, copies are removed)."""

from __future__ import annotations

import contextlib
import logging
import socket

import uvicorn

from ..errors import ConfigError
from .app import Settings, create_app

log = logging.getLogger(__name__)


class _Server(uvicorn.Server):
    """uvicorn's server that also tells open event streams to end when it is told to stop
    (else each open page would hold the shutdown for its grace time)."""

    closing = None

    def handle_exit(self, sig, frame) -> None:
        if self.closing is not None:
            self.closing.set()
        super().handle_exit(sig, frame)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8080, ready=None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM: requests in flight finish, the copies of
    the store are removed, and this returns). ``ready(url)`` is called once the socket
    listens."""
    app = create_app(settings)
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # listening before the first copy is taken and warmed: a browser that comes early
        # waits for its answer instead of being refused
        sock.listen(128)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror}); try another --port"
        ) from None
    config = uvicorn.Config(
        app, log_level="warning", access_log=False, timeout_graceful_shutdown=5, lifespan="on"
    )
    server = _Server(config)
    server.closing = app.state.closing
    if ready is not None:
        shown = f"[{host}]" if ":" in host else host
        ready(f"http://{shown}:{sock.getsockname()[1]}/")
    # uvicorn shuts down gracefully on SIGINT / SIGTERM, then raises the signal again
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
