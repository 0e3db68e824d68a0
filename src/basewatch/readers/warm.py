"""Imported once by the fork server of ``ingest --jobs``: the readers, and their compiled
kernels loaded by reading a small trace in memory, so every worker forked from it starts warm."""

from __future__ import annotations

import gzip
import json

from .base import ReadContext, RejectLog, Source
from .parallel import stored_form
from .pipeline import read_source

_TRACE = {
    "icao": "abcdef",
    "timestamp": 1735689600.0,
    "r": "WARM1",
    "t": "C130",
    "trace": [
        [0.0, 35.4, 35.9, 1200, 140.0, 90.0, 0, 0, {"flight": "WARM1   ", "squawk": "1200"}],
        [5.0, 35.41, 35.91, "ground", 10.0, 90.0, 0, None, None],
    ],
}


def warm() -> None:
    src = Source(uri="warm.json", data=gzip.compress(json.dumps(_TRACE).encode()))
    tables = list(read_source(src, "trace_full", ReadContext(rejects=RejectLog("warm"))))
    stored_form([("0" * 16, tables)])


warm()
