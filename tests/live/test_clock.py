"""A feed whose own clock steps back (a receiver restarted, a clock set back) over a real TCP
feed on 127.0.0.1: every position is kept, decoded at the same place as without the step, at
the time the feed gave it; the step is counted on the feed. A feed dated by the data (a Beast
feed in GPS-clock mode, SBS) is the one a step reaches: a 12 MHz counter is anchored on
arrival and re-anchored where it jumps back."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from rows import query

from basewatch import api
from basewatch.errors import StoreError
from basewatch.live import read_status, status_path

from .replay import Receiver, replay
from .test_service import capture, frames_of  # noqa: F401  (the module's fixture)

REPORTS = "SELECT icao24, epoch(ts), lat_deg, lon_deg, alt_baro_ft FROM positions ORDER BY ALL"
DAY_S = 10 * 3600.0  # the replay's first frame, seconds into today (UTC)


def _gps_frame(seconds: float, sent: bytes) -> bytes:
    """``sent`` (a Beast frame as captured) stamped with GPS time of day ``seconds``."""
    body = sent[2:].replace(b"\x1a\x1a", b"\x1a")
    sod = seconds % 86400
    stamp = ((int(sod) << 30) | int(round((sod % 1) * 1e9))).to_bytes(6, "big")
    return sent[:2] + (stamp + body[6:]).replace(b"\x1a", b"\x1a\x1a")


def _run(db, scripts, formats, **kw):
    """The live service over ``scripts``, stopped once the server has sent everything and the
    feed's count has stood still for 2 s (a stop any earlier would cut the feed mid-line)."""
    stop = threading.Event()

    def watch(rx):
        t0, last, since = time.monotonic(), -1, time.monotonic()
        while time.monotonic() - t0 < 120:
            time.sleep(0.3)
            try:
                n = read_status(status_path(db))["feeds"][0]["messages"]
            except (OSError, ValueError, KeyError, IndexError, StoreError):
                continue
            if n != last:
                last, since = n, time.monotonic()
            elif rx.done.is_set() and time.monotonic() - since > 2.0:
                break
        stop.set()

    with Receiver(scripts) as rx:
        threading.Thread(target=watch, args=(rx,), daemon=True).start()
        return api.live_watch(
            [rx.uri], db=db, formats=formats, stop=stop, flush_s=0.5, step_s=1.0, duration=120,
            **kw,
        )  # fmt: skip


def _moved(rows, after: float, back: float):
    """The reference rows, those from ``after`` on dated ``back`` seconds earlier."""
    return sorted((r[0], r[1] - back if r[1] >= after else r[1], *r[2:]) for r in rows)


@pytest.mark.parametrize(("back", "restart"), [(30.0, False), (7200.0, True), (3.0, False)])
def test_beast_gps_clock_stepping_back_keeps_every_position(tmp_path, capture, back, restart):  # noqa: F811
    items = frames_of(capture)[:4000]
    half = len(items) // 2
    t0 = items[0][0]

    def feed(step: float) -> list[bytes]:
        return [
            _gps_frame(t - t0 + DAY_S - (step if i >= half else 0.0), b)
            for i, (t, b) in enumerate(items)
        ]

    ref, db = tmp_path / "ref.duckdb", tmp_path / "live.duckdb"
    plain = feed(0.0)
    plain_report = _run(ref, [replay([(0.0, b"".join(plain))])], "beast", beast_clock="gps")
    stepped = feed(back)
    a, b = b"".join(stepped[:half]), b"".join(stepped[half:])
    scripts = [replay([(0.0, a)]), replay([(0.0, b)])] if restart else [replay([(0.0, a + b)])]
    report = _run(db, scripts, "beast", beast_clock="gps")

    want = query(ref, REPORTS)
    assert len(want) > 1500
    # the capture's first reply comes before its aircraft's first squitter: unverifiable
    assert report.rejects == plain_report.rejects == {"crc_unverified": 1}
    assert report.rows_added == report.rows_read == len(want)
    # where the step is in the reference: the first frame after it, dated as there
    midnight = query(ref, "SELECT floor(epoch(min(ts)) / 86400) * 86400 FROM positions")[0][0]
    after = midnight + DAY_S + items[half][0] - t0 - 1e-4
    assert query(db, REPORTS) == _moved(want, after, back)
    steps = report.feeds[0]["clock_steps_back"]
    assert steps == (0 if back <= 3.0 else 1)  # within the slack: arrival jitter, sorted in


def test_sbs_clock_stepping_back_within_one_connection(tmp_path):
    """SBS lines whose time goes 30 s back mid-stream: before, positions after the
    step were rejected as impossible speeds (sorted in among those before it)."""
    out = tmp_path / "sim"
    api.simulate("trap-low-pass", out, format="sbs")
    (path,) = (out / "receivers" / "latakia").glob("*.sbs")
    lines = path.read_bytes().splitlines(keepends=True)[:6000]
    times = [_sbs_time(x) for x in lines]
    half = next(i for i in range(len(lines) // 2, len(lines)) if times[i] > times[i - 1])

    def stepped(line: bytes, back: float) -> bytes:
        f = line.decode().split(",")
        for d, t in ((6, 7), (8, 9)):
            at = datetime.strptime(f"{f[d]} {f[t]}", "%Y/%m/%d %H:%M:%S.%f") - timedelta(
                seconds=back
            )
            f[d], f[t] = at.strftime("%Y/%m/%d"), at.strftime("%H:%M:%S.%f")[:-3]
        return ",".join(f).encode()

    ref, db = tmp_path / "ref.duckdb", tmp_path / "live.duckdb"
    _run(ref, [replay([(0.0, b"".join(lines))])], "sbs")
    body = b"".join(lines[:half]) + b"".join(stepped(x, 30.0) for x in lines[half:])
    report = _run(db, [replay([(0.0, body)])], "sbs")
    want = query(ref, REPORTS)
    assert len(want) > 500
    assert report.rejects == {}
    assert report.rows_added == len(want)
    assert query(db, REPORTS) == _moved(want, times[half] - 1e-4, 30.0)
    assert report.feeds[0]["clock_steps_back"] == 1


def _sbs_time(line: bytes) -> float:
    f = line.decode().split(",")
    at = datetime.strptime(f"{f[6]} {f[7]}", "%Y/%m/%d %H:%M:%S.%f")
    return at.replace(tzinfo=UTC).timestamp()
