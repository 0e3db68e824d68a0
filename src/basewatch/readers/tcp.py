"""A TCP client for receiver feeds (Beast 30005, AVR 30002, SBS 30003) that reconnects.

The stream yields bytes as they arrive, and ``None`` where a connection broke, so a reader
can reject the frame that was cut and start clean on the next connection.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import urlparse

from ..errors import InputError
from .base import Source

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 1.0
BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)


def parse_address(uri: str) -> tuple[str, int]:
    u = urlparse(uri)
    if u.scheme != "tcp" or not u.hostname or not u.port:
        raise InputError(f"{uri}: expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:30005")
    return u.hostname, u.port


def tcp_stream(
    host: str, port: int, duration: float | None = None, max_reconnects: int | None = None
) -> Iterator[bytes | None]:
    """Bytes from host:port until ``duration`` seconds pass (forever if None), reconnecting."""
    deadline = None if duration is None else time.monotonic() + duration
    failures = 0
    connects = 0
    while deadline is None or time.monotonic() < deadline:
        try:
            sock = socket.create_connection((host, port), timeout=CONNECT_TIMEOUT_S)
        except OSError as exc:
            failures += 1
            if connects == 0 and failures == 1:
                log.warning("cannot connect to %s:%s (%s); retrying", host, port, exc)
            if max_reconnects is not None and failures > max_reconnects:
                if connects == 0:
                    raise InputError(f"tcp://{host}:{port}: cannot connect ({exc})") from exc
                return
            time.sleep(BACKOFF_S[min(failures - 1, len(BACKOFF_S) - 1)])
            continue
        connects += 1
        failures = 0
        sock.settimeout(READ_TIMEOUT_S)
        try:
            while deadline is None or time.monotonic() < deadline:
                try:
                    data = sock.recv(65536)
                except TimeoutError:
                    continue
                except KeyboardInterrupt:  # Ctrl-C ends a live read cleanly; what was read is kept
                    log.warning("interrupted: stopping the feed")
                    return
                except OSError as exc:
                    log.warning("%s:%s: %s; reconnecting", host, port, exc)
                    break
                if not data:
                    log.info("%s:%s closed the connection; reconnecting", host, port)
                    break
                yield data
        finally:
            sock.close()
        yield None  # connection boundary
        if max_reconnects is not None and connects > max_reconnects:
            return


def tcp_source(
    uri: str, duration: float | None = None, max_reconnects: int | None = None
) -> Source:
    host, port = parse_address(uri)
    return Source(uri=uri, stream=lambda: tcp_stream(host, port, duration, max_reconnects))
