"""Beast binary (dump1090 / readsb port 30005): files and live feeds.

A frame: 0x1a, type ('1' Mode A/C, '2' Mode S short, '3' Mode S long), a 6-byte receiver
timestamp, a signal byte, then 2, 7 or 14 bytes; every 0x1a inside is sent twice. Bytes that
are not a frame (a capture cut mid-frame, line noise) are skipped up to the next frame start
and rejected as ``beast_resync``; a frame cut by the end of the input is ``truncated_frame``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from .base import BATCH_ROWS, FRAMES, ReadContext, Source, iter_bytes
from .frames import ReceiverClock, frame_keys

_DATA = rb"(?:[^\x1a]|\x1a\x1a)"
_FRAME = re.compile(rb"\x1a(?:1(" + _DATA + rb"{9})|2(" + _DATA + rb"{14})|3(" + _DATA + rb"{21}))")
_MAX_ESCAPED = 2 + 2 * 21  # longest frame with every byte escaped


class BeastParser:
    """Incremental: feed bytes, get (counter, frame hex) lists; garbage goes to rejects."""

    def __init__(self, ctx: ReadContext) -> None:
        self.ctx = ctx
        self.tail = b""
        self.offset = 0  # stream offset of tail[0]

    def feed(self, data: bytes) -> tuple[list[int], list[str]]:
        buf = self.tail + data
        counters: list[int] = []
        frames: list[str] = []
        pos = 0
        mode_ac = 0
        for m in _FRAME.finditer(buf):
            if m.start() > pos:
                self._garbage(buf[pos : m.start()], self.offset + pos)
            pos = m.end()
            body = m.group(1) or m.group(2) or m.group(3)
            if b"\x1a\x1a" in body:
                body = body.replace(b"\x1a\x1a", b"\x1a")
            if m.group(1) is not None:
                mode_ac += 1  # Mode A/C replies carry no address: not positions
                continue
            counters.append(int.from_bytes(body[:6], "big"))
            frames.append(body[7:].hex())
        rest = buf[pos:]
        if len(rest) > _MAX_ESCAPED:
            # whatever lies before the last possible frame start is not a frame
            cut = rest.rfind(b"\x1a", len(rest) - _MAX_ESCAPED)
            cut = len(rest) - _MAX_ESCAPED if cut < 0 else cut
            self._garbage(rest[:cut], self.offset + pos)
            pos += cut
            rest = rest[cut:]
        self.offset += pos
        self.tail = rest
        if mode_ac:
            self.ctx.counters["mode_ac"] += mode_ac
        return counters, frames

    def close(self, reason: str = "truncated_frame") -> None:
        """End of input or of a connection: a leftover partial frame is rejected."""
        if self.tail:
            self.ctx.truncated(
                reason, f"byte {self.offset}", self.tail
            ) if reason == "truncated_frame" else self.ctx.rejects.add(
                reason, f"byte {self.offset}", self.tail
            )
        self.offset += len(self.tail)
        self.tail = b""

    def _garbage(self, chunk: bytes, offset: int) -> None:
        if chunk:
            self.ctx.rejects.add(
                "beast_resync", f"byte {offset} ({len(chunk)} bytes skipped)", chunk
            )


def read_beast(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    """Frames from a Beast capture or feed, with receiver-clock times made absolute."""
    live = src.stream is not None
    clock = ReceiverClock.for_source(ctx, live, src.uri, "a Beast capture")
    parser = BeastParser(ctx)
    pend_c: list[int] = []
    pend_f: list[str] = []

    def batch() -> pa.Table:
        c = np.array(pend_c, dtype=np.int64)
        ts = clock.to_epoch(c, fallback=time.time())
        stamp = clock.seconds(c) if c.any() else ts
        t = pa.table({"ts": ts, "frame": pend_f, "key": frame_keys(pend_f, stamp)}, schema=FRAMES)
        ctx.counters["time_from_arrival" if live else "time_from_start"] += len(pend_f)
        pend_c.clear()
        pend_f.clear()
        return t

    for data in iter_bytes(src, ctx):
        if data is None:  # connection broke: the cut frame is lost, the next one re-anchors
            parser.close("truncated_frame")
            ctx.complete = True
            if pend_f:
                yield batch()
            clock.reset()
            continue
        c, f = parser.feed(data)
        pend_c.extend(c)
        pend_f.extend(f)
        if len(pend_f) >= BATCH_ROWS or (live and (pend_f or not data)):
            yield batch()  # live: also when the feed is quiet, so the decoder can flush
    parser.close()
    if pend_f:
        yield batch()
