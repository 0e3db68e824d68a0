"""AVR raw text (port 30002): ``*8D…;`` or, with a 12 MHz receiver timestamp, ``@<12 hex>8D…;``
(``<`` adds a signal byte after the timestamp). Files and live feeds."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from .base import FRAMES, ReadContext, Source, iter_lines
from .frames import ReceiverClock, frame_keys

_LINE = re.compile(
    rb"^\s*(?:\*([0-9A-Fa-f]+)|@([0-9A-Fa-f]{12})([0-9A-Fa-f]+)|<([0-9A-Fa-f]{12})[0-9A-Fa-f]{2}([0-9A-Fa-f]+));\s*$"
)


def read_avr(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    live = src.stream is not None
    clock = ReceiverClock.for_source(ctx, live, src.uri, "an AVR capture")
    lineno = 0
    untimed = 0
    for lines in iter_lines(src, ctx):
        now = time.time()
        counters: list[int] = []
        frames: list[str] = []
        timed: list[bool] = []
        for line in lines:
            lineno += 1
            if not line.strip():
                continue
            m = _LINE.match(line)
            if m is None:
                ctx.rejects.add("bad_avr_line", f"line {lineno}", line.decode("utf-8", "replace"))
                continue
            if m.group(1) is not None:
                frames.append(m.group(1).decode())
                counters.append(0)
                timed.append(False)
            else:
                stamp, frame = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
                frames.append(frame.decode())
                counters.append(int(stamp, 16))
                timed.append(True)
        if not frames:
            if live and not lines:  # a quiet feed: an empty batch lets the decoder flush
                yield pa.table({"ts": [], "frame": [], "key": []}, schema=FRAMES)
            continue
        c = np.array(counters, dtype=np.int64)
        has = np.array(timed)
        # lines without a receiver timestamp: their arrival time, or --start for a file
        ts = np.full(len(c), now if live else ctx.start_ts, dtype=np.float64)
        if has.any():
            ts[has] = clock.to_epoch(c[has], fallback=now)
        ctx.counters["time_from_arrival" if live else "time_from_start"] += len(frames)
        untimed += int((~has).sum())
        stamp = np.where(has, clock.seconds(c), ts)
        yield pa.table({"ts": ts, "frame": frames, "key": frame_keys(frames, stamp)}, schema=FRAMES)
    if untimed and not live:
        ctx.counters["avr_untimed"] += untimed
