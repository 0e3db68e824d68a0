"""Helpers shared by the raw Mode S readers (Beast, AVR, JSON lines)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..ids import mix


def frame_keys(frames: list[str], stamp: np.ndarray) -> np.ndarray:
    """Stable id of one reception: the frame's bits mixed with the receiver's own timestamp.

    Overlapping captures of one feed share both, so their rows collide and are stored once.
    """
    folded = np.array([_fold(f) for f in frames], dtype=np.uint64)
    with np.errstate(over="ignore"):
        s = np.round(np.asarray(stamp, dtype=np.float64) * 1e6).astype(np.int64).view(np.uint64)
        return mix(mix(folded) ^ s)


def _fold(hexframe: str) -> int:
    try:
        v = int(hexframe, 16)
    except ValueError:
        return 0
    return (v ^ (v >> 64)) & 0xFFFFFFFFFFFFFFFF


class ReceiverClock:
    """Turns a receiver's 48-bit timestamps into UTC epoch seconds.

    ``12mhz``: a free-running 12 MHz counter (dump1090, readsb, Beast); ``gps``: the Radarcape /
    GPS mode, seconds of the day in the top 18 bits and nanoseconds in the low 30.

    A counter only gives time differences, so it is anchored: at ``start`` (the first frame's
    time, which a file needs: ``--start``), or, live, at the wall clock when the first frame
    arrived. (``end``, the last frame's time, anchors a file whose end time is known.) A counter that jumps back
    (receiver restart) re-anchors on the time reached so far.
    """

    def __init__(
        self,
        mode: str = "12mhz",
        start: float | None = None,
        end: float | None = None,
        last_counter: int | None = None,
    ) -> None:
        if mode not in ("12mhz", "gps"):
            raise ValueError(mode)
        self.mode = mode
        self.start = start
        self.end = end
        self.last_counter = last_counter
        self._anchor: tuple[float, int] | None = None  # (epoch, counter)
        self._prev: tuple[float, int] | None = None
        self._day: float | None = None  # gps: epoch of the current frame's UTC midnight
        self._prev_sod = 0.0
        self._reached = 0.0  # the latest time given so far (12 MHz mode)

    @classmethod
    def for_source(cls, ctx, live: bool, uri: str, what: str) -> ReceiverClock:
        """The clock for one source: a live feed's frames are stamped with their arrival time
        (the run report says so); a file's receiver clock counts from an arbitrary point (or,
        in GPS mode, gives no date), so a file needs ``--start``, the UTC time of its first
        frame. A file's modification time is not used: a copy or a download changes it."""
        if live:
            return cls(ctx.beast_clock)
        if ctx.start_ts is None:
            raise InputError(
                f"{uri}: {what} carries no date or time of its own; give the UTC time of its "
                "first frame with --start (e.g. --start 2024-07-06T07:00:00Z)"
            )
        return cls(ctx.beast_clock, start=ctx.start_ts)

    def seconds(self, counter: np.ndarray) -> np.ndarray:
        """Receiver-relative seconds (the stable part used in reception ids)."""
        c = np.asarray(counter, dtype=np.int64)
        if self.mode == "gps":
            return (c >> 30).astype(np.float64) + (c & 0x3FFFFFFF).astype(np.float64) * 1e-9
        return c.astype(np.float64) / 12e6

    def to_epoch(self, counter: np.ndarray, fallback: float) -> np.ndarray:
        c = np.asarray(counter, dtype=np.int64)
        if len(c) == 0:
            return np.zeros(0)
        if self.mode == "gps":
            return self._gps_epoch(c, fallback)
        out = np.empty(len(c))
        if self._anchor is None:
            if self.start is not None:
                self._anchor = (self.start, int(c[0]))
            elif (
                self.end is not None and self.last_counter is not None and self.last_counter >= c[0]
            ):
                self._anchor = (self.end - (self.last_counter - int(c[0])) / 12e6, int(c[0]))
            else:  # live: now, or where the feed's time had got to when it runs ahead of
                # the wall clock (a replay faster than real time), so it never runs backwards
                self._anchor = (max(fallback, self._reached), int(c[0]))
        # split where the counter jumps back (restart), re-anchor each run
        cuts = np.flatnonzero(np.diff(c) < 0) + 1
        lo = 0
        for hi in [*cuts.tolist(), len(c)]:
            if lo > 0:
                t_prev = out[lo - 1]
                self._anchor = (t_prev, int(c[lo]))
            a_t, a_c = self._anchor
            out[lo:hi] = a_t + (c[lo:hi] - a_c) / 12e6
            lo = hi
        self._reached = max(self._reached, float(out[-1]))
        return out

    def _gps_epoch(self, c: np.ndarray, fallback: float) -> np.ndarray:
        """GPS time of day → epoch: the day comes from the anchor, then counts midnights."""
        sod = self.seconds(c)
        if self._day is None:
            if self.start is not None:  # --start: its UTC day is the first frame's day
                day = np.floor(self.start / 86400)
            elif self.end is not None:  # the first frame was received before the file was written
                day = np.floor((self.end - sod[0]) / 86400)
            else:  # live: the frame was received about now
                day = np.round((fallback - sod[0]) / 86400)
            self._day, self._prev_sod = float(day) * 86400.0, float(sod[0])
        # past midnight the seconds of the day start again, also between batches
        back = np.diff(np.concatenate([[self._prev_sod], sod])) < -43_200
        wraps = np.cumsum(back)
        out = self._day + sod + 86400.0 * wraps
        self._day += 86400.0 * float(wraps[-1])
        self._prev_sod = float(sod[-1])
        return out

    def reset(self) -> None:
        """A new connection: the next frame anchors afresh."""
        self._anchor = None
        self._day = None


LIVE_BATCH_S = 5.0  # a live feed is decoded in batches of at most this many seconds


def rebatch(
    tables: Iterator[pa.Table], rows: int = 65_536, seconds: float = LIVE_BATCH_S
) -> Iterator[pa.Table]:
    """Gather small frame tables (a live feed yields one per network read) into decode batches.

    Fewer batch boundaries mean fewer CPR pairs and surface references split across them.
    """
    pending: list[pa.Table] = []
    n = 0
    last = time.monotonic()
    for t in tables:
        pending.append(t)
        n += t.num_rows
        if n >= rows or time.monotonic() - last >= seconds:
            yield pa.concat_tables(pending)
            pending, n, last = [], 0, time.monotonic()
    if pending:
        yield pa.concat_tables(pending)
