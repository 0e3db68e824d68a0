"""Test-side receivers: real TCP servers on 127.0.0.1 that replay captures as dump1090 / readsb
would serve them (Beast on 30005, AVR on 30002, SBS on 30003), paced by the capture's own
clock, with the faults a real feed has: restarts, stalls, garbage, frames cut in half.

The Beast framing here is parsed independently of the code under test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

LENGTHS = {0x31: 2, 0x32: 7, 0x33: 14}  # payload bytes by Beast frame type


def beast_frames(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(12 MHz counter, the frame's bytes as sent, escapes kept) for each frame of a capture."""
    i, n = 0, len(data)
    while i < n:
        if data[i] != 0x1A or i + 1 >= n or data[i + 1] not in LENGTHS:
            i += 1
            continue
        want = 6 + 1 + LENGTHS[data[i + 1]]
        j, body = i + 2, bytearray()
        while len(body) < want and j < n:
            if data[j] == 0x1A:
                if j + 1 < n and data[j + 1] == 0x1A:
                    body.append(0x1A)
                    j += 2
                    continue
                break
            body.append(data[j])
            j += 1
        if len(body) == want:
            yield int.from_bytes(body[:6], "big"), data[i:j]
        i = j


def lines_at(text: bytes, seconds: Callable[[bytes], float | None]) -> list[tuple[float, bytes]]:
    """(capture seconds, line with its newline) for a line format; untimed lines follow the
    previous one."""
    out, t = [], 0.0
    for line in text.splitlines(keepends=True):
        s = seconds(line)
        t = t if s is None else s
        out.append((t, line))
    return out


def paced(items: list[tuple[float, bytes]], speed: float, chunk_s: float = 0.05):
    """Chunks of ``items`` (capture seconds, bytes) with the wall time each is due at, for a
    replay ``speed`` times real time; items due within ``chunk_s`` of each other go together."""
    if not items:
        return []
    t0 = items[0][0]
    out: list[tuple[float, bytearray]] = []
    for t, b in items:
        due = (t - t0) / speed
        if out and due - out[-1][0] < chunk_s:
            out[-1][1].extend(b)
        else:
            out.append((due, bytearray(b)))
    return [(due, bytes(b)) for due, b in out]


Script = Callable[["Receiver", socket.socket], None]


def replay(chunks: list[tuple[float, bytes]]) -> Script:
    """A script sending ``chunks`` (due second, bytes) on time."""

    def script(rx: Receiver, conn: socket.socket) -> None:
        t0 = time.monotonic()
        for due, data in chunks:
            if rx.stopping.is_set():
                return
            wait = due - (time.monotonic() - t0)
            if wait > 0:
                time.sleep(wait)
            rx.send(conn, data)

    return script


class Receiver:
    """A TCP server that runs one script per accepted connection (``script(rx, conn)``), in
    order; the last script repeats for later connections when ``repeat`` is set."""

    def __init__(self, scripts: list[Script], repeat: bool = False):
        self.scripts, self.repeat = scripts, repeat
        self.accepted = 0
        self.sent = 0  # bytes handed to the socket
        self.first_sent: float | None = None  # wall clock of the first bytes sent
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.done = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _run(self) -> None:
        k, threads = 0, []
        while not self.stopping.is_set():
            if k >= len(self.scripts) and not self.repeat:
                break
            try:
                conn, _ = self.sock.accept()
            except OSError:
                break
            self.accepted += 1
            script = self.scripts[min(k, len(self.scripts) - 1)]
            k += 1
            # each connection in its own thread: a stalled one does not hold up the next accept
            t = threading.Thread(target=self._serve, args=(script, conn), daemon=True)
            t.start()
            threads.append(t)
        for t in threads:
            t.join()
        self.done.set()

    def _serve(self, script: Script, conn: socket.socket) -> None:
        try:
            with conn:
                script(self, conn)
        except OSError:
            pass

    def send(self, conn: socket.socket, data: bytes) -> None:
        if self.first_sent is None:
            self.first_sent = time.time()
        conn.sendall(data)
        self.sent += len(data)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.sock.close()
        self.thread.join(5)
