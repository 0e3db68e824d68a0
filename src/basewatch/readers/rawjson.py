"""Decoded JSON lines (``{"timestamp": …, "frame": "8d…", …}``) as jet1090 / rs1090 tools write.

Only the timestamp and the raw frame are read: basewatch decodes the frame itself, so
positions from these files and from Beast or AVR captures of the same traffic agree.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import orjson
import pyarrow as pa

from .base import FRAMES, ReadContext, Source, iter_lines
from .frames import frame_keys


def read_frames_jsonl(src: Source, ctx: ReadContext) -> Iterator[pa.Table]:
    lineno = 0
    for lines in iter_lines(src, ctx):
        ts: list[float] = []
        frames: list[str] = []
        for line in lines:
            lineno += 1
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
                t, f = rec["timestamp"], rec["frame"]
                if not isinstance(f, str) or isinstance(t, bool) or not isinstance(t, int | float):
                    raise TypeError
            except orjson.JSONDecodeError:
                ctx.rejects.add("bad_json", f"line {lineno}", line.decode("utf-8", "replace"))
                continue
            except (KeyError, TypeError):
                ctx.rejects.add("missing_field", f"line {lineno}", line.decode("utf-8", "replace"))
                continue
            ts.append(float(t))
            frames.append(f)
        if frames:
            t = np.array(ts)
            yield pa.table({"ts": t, "frame": frames, "key": frame_keys(frames, t)}, schema=FRAMES)
