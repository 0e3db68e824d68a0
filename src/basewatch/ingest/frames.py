"""Helpers shared by the raw Mode S readers (Beast, AVR, JSON lines)."""

from __future__ import annotations

import numpy as np

from ..schema import _mix


def frame_keys(frames: list[str], stamp: np.ndarray) -> np.ndarray:
    """Stable id of one reception: the frame's bits mixed with the receiver's own timestamp.

    Overlapping captures of one feed share both, so their rows collide and are stored once.
    """
    folded = np.array([_fold(f) for f in frames], dtype=np.uint64)
    with np.errstate(over="ignore"):
        s = np.round(np.asarray(stamp, dtype=np.float64) * 1e6).astype(np.int64).view(np.uint64)
        return _mix(_mix(folded) ^ s)


def _fold(hexframe: str) -> int:
    try:
        v = int(hexframe, 16)
    except ValueError:
        return 0
    return (v ^ (v >> 64)) & 0xFFFFFFFFFFFFFFFF
