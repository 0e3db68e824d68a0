"""A landing flown dark, live: the aircraft vanishes low and descending toward Khmeimim, the
feed goes on (quiet for minutes at a time, as a small receiver is), and the live path raises a
probable landing (inferred), as batch processing of the same frames does.

It raised nothing before: each step's feed segment was a source of its own, so minutes without
a frame split the data windows, the vanished aircraft stood at a window's edge ("the data
ended here"), and no landing was inferred. A segment on the connection the last one came over
now covers the quiet time since, as a capture file's span does.
"""

from __future__ import annotations

import csv
import json
import threading
from datetime import datetime

import numpy as np
import pyarrow as pa
import pytest

from basewatch import api
from basewatch.readers.modes import crc_syndrome, hex_matrix

from .replay import Receiver, beast_frames, paced, replay
from .soak import RULES, WATCH
from .test_service import live, stop_after

DARK_S = 300.0  # the aircraft is not heard for this long before its touchdown, nor after
QUIET_S = 60.0  # nor anything else, until this long after it (a quiet receiver)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _address(sent: bytes) -> int:
    """The aircraft address of a Beast frame: in the frame (DF11/17/18) or its parity."""
    body = sent[2:].replace(b"\x1a\x1a", b"\x1a")[7:]
    if len(body) < 7:
        return -1
    m = hex_matrix(pa.array([body.hex()]), len(body))
    df = body[0] >> 3
    if df in (11, 17, 18):
        return int.from_bytes(body[1:4], "big")
    return int(crc_syndrome(m)[0])


@pytest.fixture(scope="module")
def dark_feed(tmp_path_factory):
    """The trap-low-pass day's Latakia capture around its first landing at Khmeimim, with the
    landing aircraft's frames cut from ``DARK_S`` before its touchdown on, and every frame
    until ``QUIET_S`` after it (nothing else in range: six quiet minutes)."""
    out = tmp_path_factory.mktemp("sim")
    api.simulate("trap-low-pass", out, format="beast")
    path = out / "receivers" / "latakia" / "2025-10-26.beast"
    got = list(beast_frames(path.read_bytes()))
    end, last = path.stat().st_mtime, got[-1][0]
    first = end - (last - got[0][0]) / 12e6
    with (out / "truth_movements.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    passes = {r["icao24"] for r in rows if r["kind"] in ("low_pass", "go_around")}
    # a plain landing with 20 minutes of data before it and 15 after
    land = next(
        r
        for r in rows
        if r["airfield"] == "OSLK" and r["kind"] == "landing" and r["icao24"] not in passes
        and first + 1200 <= _epoch(r["ts"]) <= end - 900
    )  # fmt: skip
    touch = _epoch(land["ts"])
    icao = int(land["icao24"], 16)
    items = [
        (end - (last - c) / 12e6, b)
        for c, b in got
        if touch - 1200 <= end - (last - c) / 12e6 < touch + 900
        and not (end - (last - c) / 12e6 >= touch - DARK_S and _address(b) == icao)
        and not (touch - DARK_S <= end - (last - c) / 12e6 < touch + QUIET_S)
    ]
    gaps = np.diff([t for t, _ in items])
    assert gaps.max() > 300  # minutes without a frame: the case that split the windows
    return land["icao24"], items


def test_a_landing_flown_dark_raises_a_probable_alert(tmp_path, dark_feed):
    icao, items = dark_feed
    sink = tmp_path / "alerts.jsonl"
    (tmp_path / "rules.toml").write_text(RULES.format(sink=sink))
    (tmp_path / "watch.toml").write_text(WATCH)
    db = tmp_path / "live.duckdb"
    stop = threading.Event()
    with Receiver([replay(paced(items, speed=100))]) as rx:  # 35 minutes in 21 s
        stop_after([rx], stop)
        live(
            db, [rx.uri], stop, rules=tmp_path / "rules.toml", watches=tmp_path / "watch.toml",
            names=["oslk-any"],
        )  # fmt: skip
    alerts = [json.loads(x) for x in sink.read_text().splitlines()] if sink.exists() else []
    dark = [a for a in alerts if a["kind"] == "landing_inferred" and icao in a["summary"]]
    assert len(dark) == 1, alerts
    assert (
        dark[0]["certainty"] == "probable" and "probable landing (inferred)" in dark[0]["summary"]
    )
    assert not [a for a in alerts if a["kind"] == "retraction"]
    # one data window: the feed's quiet minutes are not gaps in the data
    (n,) = api_query(db, "SELECT count(*) FROM data_windows")[0]
    assert n == 1
    # what a page reading the store shows: one row per feed and run, its last state and step
    feeds = api_query(
        db, "SELECT uri, state, messages, last_step_at IS NOT NULL, updated_at FROM live_feeds"
    )
    assert [(u, s, m, step) for u, s, m, step, _ in feeds] == [
        (rx.uri, "stopped", len(items), True)
    ]


def api_query(db, sql):
    from rows import query

    return query(db, sql)
