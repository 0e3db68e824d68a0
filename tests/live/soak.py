"""The live soak: ``basewatch live`` as its own process over three Beast feeds served by real TCP
servers on 127.0.0.1 at a fixed message rate, with the faults a receiver has: a restart every
``restart_s`` (the connection closed with half a frame in flight, the 12 MHz counter starting
again near zero), one 30 s stall (connection open, nothing sent), garbage bursts. Then checks:

- no crash: the process exits 0 after SIGTERM, no traceback, no feed failed;
- every whole frame the servers sent was counted once, and the positions stored are exactly
  those a batch ingest of the same frames (written as sent) stores: same reports, same number;
- the process's RSS stays within 10 % of its level at the end of the warm-up;
- flights, airfield events and the alerts standing at the end equal batch processing of the
  stored positions (an alert later retracted is followed by its retraction).

Retractions are counted, of probable alerts and of observed ones apart. The feeds run some
8,000 times faster than real time and their clocks drift apart by hours (each replays other
days), so one step can judge a flight before another feed's positions of the same aircraft
arrive: late data, which real-time feeds do not have, and which may retract even an
observed landing (recomputed with the late positions, its flight and event get new ids).

Feeds: a simulated receiver at Latakia, its days one after the other (landings at OSLK, so
alerts), each feed starting a third of the way further into them (the same aircraft, never
the same report at the same time). The shipped real rs1090 capture is not used: repeated, its
aircraft would jump from where it landed back to where it took off, which the decoder handles
differently in one large batch and in a stream's small ones (see the live results). Used by ``tests/live/test_soak.py``
(a short run) and ``benchmarks/live_soak.py`` (the hour).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .replay import Receiver, beast_frames


@dataclass
class SoakParams:
    duration_s: float = 3600.0
    rate: float = 2100.0  # messages per second over all feeds
    restart_s: float = 300.0  # each receiver restarts this often (the feeds staggered)
    stall_at_s: float | None = None  # when the second feed stalls (default: a third in)
    stall_s: float = 30.0
    garbage_every_s: float = 60.0
    garbage_bytes: int = 2000
    warmup_s: float = 600.0  # RSS is compared with its level at this time …
    rss_growth: float = 0.10  # … and may not grow by more than this after it
    step_s: float = 5.0


# --- frame sources: (seconds on the receiver's clock, Beast payload: type, signal, message) ----


def _payload(sent: bytes) -> bytes:
    body = sent[2:].replace(b"\x1a\x1a", b"\x1a")
    return sent[1:2] + body[6:]


def sim_days(files: list[Path], start: float = 0.0) -> Iterator[tuple[float, bytes]]:
    """Simulated daily captures (a file's modification time is its last frame's), from
    ``start`` (a fraction) of the way into them, one day after the other, round and round
    (each round later by a whole number of days), read a day at a time."""

    def frames(f: Path) -> list[tuple[float, bytes]]:
        got = list(beast_frames(f.read_bytes()))
        end, last = f.stat().st_mtime, got[-1][0]
        return [(end - (last - c) / 12e6, _payload(b)) for c, b in got]

    first = frames(files[0])[0][0]
    cycle = (frames(files[-1])[-1][0] - first) // 86400 * 86400 + 86400
    at = start * len(files)
    i, skip = int(at), at - int(at)
    k = 0
    while True:
        for j, f in enumerate(files[i:] if k == 0 else files):
            day = frames(f)
            if k == 0 and j == 0:
                day = day[int(skip * len(day)) :]
            for t, p in day:
                yield t - first + k * cycle, p
        k += 1


def beast(payload: bytes, counter: int) -> bytes:
    body = payload[0:1], counter.to_bytes(6, "big") + payload[1:]
    return b"\x1a" + body[0] + body[1].replace(b"\x1a", b"\x1a\x1a")


# --- a receiver that restarts, stalls and sends garbage ---------------------------------------


@dataclass
class SoakFeed:
    """One receiver's stream, served across connections: each connection runs until the next
    restart; the frames continue where the last connection stopped."""

    index: int
    frames: Iterator[tuple[float, bytes]]
    rate: float
    p: SoakParams
    t0: float  # wall clock (monotonic) of the soak's start
    sent_file: Path
    frames_sent: int = 0
    bursts: int = 0
    cut_frames: int = 0
    restarts: int = 0
    stalled: bool = False
    log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.out = self.sent_file.open("wb")
        self.base: float | None = None  # the counter's zero (its first frame; a restart)
        self.next_restart = self.p.restart_s * (1 + self.index / 3)
        self.next_garbage = self.p.garbage_every_s * (0.5 + self.index / 3)
        self.pending: tuple[float, bytes] | None = None
        self.ended = False

    def _next(self) -> tuple[float, bytes]:
        if self.pending is not None:
            item, self.pending = self.pending, None
            return item
        return next(self.frames)

    def _frame(self, t: float, p: bytes) -> bytes:
        if self.base is None:
            self.base = t
        return beast(p, max(0, round((t - self.base) * 12e6)))

    def script(self, rx: Receiver, conn: socket.socket) -> None:
        if self.ended:
            return
        per_tick = max(1, round(self.rate * 0.05))
        stall_at = self.p.stall_at_s if self.p.stall_at_s is not None else self.p.duration_s / 3
        while not rx.stopping.is_set():
            now = time.monotonic() - self.t0
            if now >= self.p.duration_s:
                self.ended = True
                self.out.close()
                rx.stopping.set()  # no more connections
                return
            if self.index == 1 and not self.stalled and now >= stall_at:
                self.stalled = True
                self.log.append(f"stall at {now:.0f} s")
                time.sleep(self.p.stall_s)
                continue
            if now >= self.next_restart:
                self.next_restart += self.p.restart_s
                self.restarts += 1
                t, p = self._next()
                whole = self._frame(t, p)
                rx.send(conn, whole[: len(whole) // 2])  # in flight when the receiver went
                self.cut_frames += 1
                self.base = t  # the restarted receiver counts from zero again
                self.log.append(f"restart at {now:.0f} s")
                return  # the connection closes; the client reconnects
            chunk = bytearray()
            if now >= self.next_garbage:
                self.next_garbage += self.p.garbage_every_s
                self.bursts += 1
                junk = os.urandom(self.p.garbage_bytes).replace(b"\x1a", b"\x20")
                chunk += junk
            good = bytearray()
            for _ in range(per_tick):
                t, p = self._next()
                good += self._frame(t, p)
            self.frames_sent += per_tick
            self.out.write(good)
            chunk += good
            rx.send(conn, bytes(chunk))
            due = self.t0 + (self.frames_sent / self.rate)
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)


# --- the run ----------------------------------------------------------------------------------

RULES = """
[[rule]]
name = "lands-at-oslk"
on = "movement"
watch = "oslk-any"
events = ["landing", "landing_inferred"]

[[sink]]
type = "jsonl"
path = "{sink}"
"""
WATCH = '[[watch]]\nname = "oslk-any"\ntitle = "Any aircraft at Khmeimim"\nbase = "OSLK"\n'


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run_soak(work: Path, sim_files: list[Path], p: SoakParams) -> dict:
    """Serve the three feeds for ``p.duration_s``, run the live process over them, stop it with
    SIGTERM once everything sent is stored; returns the figures (see ``check``)."""
    work.mkdir(parents=True, exist_ok=True)
    db, sink = work / "live.duckdb", work / "alerts.jsonl"
    (work / "rules.toml").write_text(RULES.format(sink=sink))
    (work / "watch.toml").write_text(WATCH)
    t0 = time.monotonic()
    sources = [sim_days(sim_files, i / 3) for i in range(3)]
    feeds = [
        SoakFeed(i, src, p.rate / 3, p, t0, work / f"feed{i}.beast")
        for i, src in enumerate(sources)
    ]
    rxs = [Receiver([f.script], repeat=True) for f in feeds]
    for rx in rxs:
        rx.__enter__()
    cmd = [sys.executable, "-m", "basewatch", "live", "--format", "beast", "--db", str(db)]
    for rx in rxs:
        cmd += ["--feed", rx.uri]
    cmd += ["--rules", str(work / "rules.toml"), "--watches", str(work / "watch.toml")]
    cmd += ["--watch", "oslk-any", "--step", str(p.step_s)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss: list[tuple[float, int]] = []
    status = db.with_name(db.name + ".live.json")
    try:
        while not all(f.ended for f in feeds) and proc.poll() is None:
            time.sleep(5.0)
            kib = _rss_kib(proc.pid)
            if kib is not None:
                rss.append((time.monotonic() - t0, kib))
        sent = [f.frames_sent for f in feeds]
        # wait until every frame sent has been counted, and the positions stop growing
        last, stable, waited = -1, 0, 0.0
        while stable < 3 and waited < 300 and proc.poll() is None:
            time.sleep(2.0)
            waited += 2.0
            try:
                st = json.loads(status.read_text())
            except (OSError, ValueError):
                continue
            counted = [fd["messages"] for fd in st["feeds"]]
            done = all(c >= s for c, s in zip(counted, sent, strict=True))
            stable = stable + 1 if done and st["positions_added"] == last else 0
            last = st["positions_added"]
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            proc.kill()
        for rx in rxs:
            rx.__exit__()
    return {
        "work": work,
        "db": db,
        "sink": sink,
        "returncode": proc.returncode,
        "stdout": out,
        "stderr": err,
        "feeds": feeds,
        "rss": rss,
        "seconds": time.monotonic() - t0,
        "params": p,
        "uris": [rx.uri for rx in rxs],
    }


def _batch_ingest(work: Path, live_db: Path, files: list[Path], uris: list[str]) -> Path:
    """The frames as sent, ingested as files, each dated as the live feed dated it: a report
    heard twice within 0.5 s is one (``readers/ids.py``), so where a second begins must be the
    same in both. A first ingest finds each file's offset from the live feed's times."""
    from rows import query

    from basewatch import api

    first = "SELECT min(epoch(p.ts)) FROM positions p JOIN sources s USING (source_id) WHERE "
    probe, ref = work / "probe.duckdb", work / "batch.duckdb"
    for i, (f, uri) in enumerate(zip(files, uris, strict=True)):
        start = datetime(2024, 7, 6 + 3 * i, 7, tzinfo=UTC)
        api.ingest([f], db=probe, format="beast", start=start.isoformat())
        (was,) = query(probe, first + "s.uri = ?", [str(f)])[0]
        (live,) = query(live_db, first + "s.uri = ?", [uri])[0]
        at = start + timedelta(seconds=live - was)
        api.ingest([f], db=ref, format="beast", start=at.isoformat())
    return ref


def check(run: dict) -> dict:
    """The soak's figures, against a batch ingest of the frames as sent and a batch process of
    the positions stored."""
    from rows import query

    from basewatch import api

    work, db, p = run["work"], run["db"], run["params"]
    feeds: list[SoakFeed] = run["feeds"]
    st = json.loads(db.with_name(db.name + ".live.json").read_text())
    ref = _batch_ingest(work, db, [f.sent_file for f in feeds], run["uris"])
    reports = "SELECT icao24, lat_deg, lon_deg, alt_baro_ft, count(*) FROM positions GROUP BY ALL"
    live_rows, batch_rows = set(query(db, reports)), set(query(ref, reports))
    reasons = "SELECT reason, sum(n) FROM rejects GROUP BY 1"
    live_rej, batch_rej = dict(query(db, reasons)), dict(query(ref, reasons))
    fault = ("beast_resync", "truncated_frame")

    # batch processing of the stored positions: flights, events and the alerts they give
    copy = work / "batch_process.duckdb"
    shutil.copy(db, copy)
    api.process(copy, full=True)
    flights = (
        "SELECT icao24, first_seen, last_seen, n_points, origin, destination, takeoff_ts, "
        "landing_ts FROM flights ORDER BY ALL"
    )
    events = "SELECT icao24, event_type, airfield, ts, confidence FROM airfield_events ORDER BY ALL"
    from basewatch.store import open_store

    with open_store(copy) as store:
        store.con.execute("DELETE FROM alert_deliveries")
        store.con.execute("DELETE FROM alerts")
    batch_sink = work / "batch_alerts.jsonl"
    (work / "batch_rules.toml").write_text(RULES.format(sink=batch_sink))
    api.alert(
        copy, rules=work / "batch_rules.toml", watches=work / "watch.toml", names=["oslk-any"],
        backfill=True,
    )  # fmt: skip
    live_alerts = (
        [json.loads(x) for x in run["sink"].read_text().splitlines()]
        if run["sink"].exists()
        else []
    )
    batch_alerts = (
        [json.loads(x) for x in batch_sink.read_text().splitlines()]
        if (batch_sink.exists())
        else []
    )

    # a probable (inferred) alert may be retracted by later data, by design: what stands at
    # the end must be what batch processing raises, and nothing observed may be retracted
    raised = [a["alert_id"] for a in live_alerts if a["kind"] != "retraction"]
    retracted = {a["evidence"]["alert_id"] for a in live_alerts if a["kind"] == "retraction"}
    batch_ids = {a["alert_id"] for a in batch_alerts}
    rss = run["rss"]
    at_warmup = [k for t, k in rss if t >= p.warmup_s][:1]
    after = [k for t, k in rss if t >= p.warmup_s]
    return {
        "seconds": round(run["seconds"]),
        "returncode": run["returncode"],
        "traceback": "Traceback" in run["stderr"],
        "feed_states": [fd["state"] for fd in st["feeds"]],
        "frames_sent": [f.frames_sent for f in feeds],
        "messages_counted": [fd["messages"] for fd in st["feeds"]],
        "rate_sent_per_s": round(sum(f.frames_sent for f in feeds) / p.duration_s),
        "restarts": [f.restarts for f in feeds],
        "reconnects": [fd["reconnects"] for fd in st["feeds"]],
        "stalls_served": [f.stalled for f in feeds],
        "garbage_bursts": [f.bursts for f in feeds],
        "cut_frames": sum(f.cut_frames for f in feeds),
        "positions_live": sum(r[-1] for r in live_rows),
        "positions_batch": sum(r[-1] for r in batch_rows),
        "reports_only_live": len(live_rows - batch_rows),
        "reports_only_batch": len(batch_rows - live_rows),
        "rejects_live": {k: int(v) for k, v in sorted(live_rej.items())},
        "rejects_batch": {k: int(v) for k, v in sorted(batch_rej.items())},
        "rejects_same_but_faults": {k: v for k, v in live_rej.items() if k not in fault}
        == {k: v for k, v in batch_rej.items() if k not in fault},
        "rss_kib_first": rss[0][1] if rss else None,
        "rss_kib_at_warmup": at_warmup[0] if at_warmup else None,
        "rss_kib_max_after_warmup": max(after) if after else None,
        "rss_kib_min_after_warmup": min(after) if after else None,
        "rss_growth_after_warmup": round(max(after) / at_warmup[0] - 1, 3) if after else None,
        "rss_flat": bool(after) and max(after) <= (1 + p.rss_growth) * at_warmup[0],
        "flights_equal_batch": query(db, flights) == query(copy, flights),
        "events_equal_batch": query(db, events) == query(copy, events),
        "flights": len(query(db, flights)),
        "alerts_live": len(raised),
        "alerts_batch": len(batch_ids),
        "retractions": len(retracted),
        "retracted_not_probable": len(
            [
                a
                for a in live_alerts
                if a["alert_id"] in retracted and not a["kind"].endswith("_inferred")
            ]
        ),
        "alerts_equal_batch": set(raised) - retracted == batch_ids,
        "live": run["stdout"].strip().splitlines()[-1] if run["stdout"].strip() else "",
        "events_log": [line for f in feeds for line in f.log],
    }


def passed(fig: dict) -> list[str]:
    """What failed, in words (empty: every property holds)."""
    bad = []
    if fig["returncode"] != 0 or fig["traceback"] or "failed" in fig["feed_states"]:
        bad.append("crash")
    if fig["messages_counted"] != fig["frames_sent"]:
        bad.append("frames counted differ from frames sent")
    if (
        fig["positions_live"] != fig["positions_batch"]
        or fig["reports_only_live"]
        or fig["reports_only_batch"]
    ):
        bad.append("stored positions differ from the batch ingest")
    if not fig["rejects_same_but_faults"]:
        bad.append("rejects differ from the batch ingest")
    if not fig["rss_flat"]:
        bad.append("RSS grew more than allowed after the warm-up")
    if not (fig["flights_equal_batch"] and fig["events_equal_batch"]):
        bad.append("flights or events differ from batch processing")
    if not fig["alerts_equal_batch"]:
        bad.append("alerts differ from batch processing")
    return bad


def counts(c: Counter) -> dict:
    return dict(sorted(c.items()))
