"""Imported once by the fork server of ``process --jobs``: the stages, the airfield grid and
the kernels loaded by deriving a short made-up track, so every worker forked from it starts
warm."""

from __future__ import annotations

import numpy as np

from .process import _grid, derive
from .tracks import Tracks


def warm() -> None:
    n = 120
    t = 1_735_689_600_000_000 + np.arange(n, dtype=np.int64) * 10_000_000
    f = np.linspace(0.0, 1.0, n)
    tr = Tracks(
        icao=np.full(n, 0xABCDEF, np.int64),
        t=t,
        lat=35.40 + f * 0.5,
        lon=35.95 + f * 0.5,
        alt=np.concatenate([np.zeros(10), np.linspace(0, 20000, n - 10)]),
        gs=np.full(n, 250.0),
        trk=np.full(n, 45.0),
        vr=np.zeros(n),
        gnd=np.concatenate([np.ones(10, np.int8), np.zeros(n - 10, np.int8)]),
        leg=np.zeros(n, np.bool_),
        cs=np.zeros(n, np.uint64),
        callsigns={},
    )
    derive(tr, _grid(), np.array([[t[0], t[-1]]], np.int64))


warm()
