"""The live service: feeds in, positions stored every few seconds, flights, airfield events,
watches and alerts brought up to date every few seconds, until told to stop.

reads:   receiver feeds (Beast, AVR, SBS over TCP; aircraft.json polled)
writes:  position_rows, sources, aircraft_observed, rejects (through the ingest writer), then
         through the stages: flights, airfield_events, the watches' tables, alerts

Every ``flush_s`` what the feeds decoded is written (a kill loses at most that much). Every
``step_s`` the feeds' current segments are closed as sources and ``process`` recomputes only
the aircraft they touched; the watches and alerts follow. Alerts go out through a
``Deliverer`` (one thread per sink), so a dead webhook never holds up the positions. A stop
(SIGINT, SIGTERM, ``stop`` set, ``duration_s`` passed) ends the feeds, stores everything they
read and runs a last step; a restart picks up from the store.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..alerts import AlertReport, Deliverer, Rule, Sink, deliver_pending, raise_alerts
from ..alerts import record_deliveries as _record
from ..readers.base import stream_id
from ..readers.pipeline import PositionWriter, insert_aircraft
from ..stages.process import process
from ..store import Store, append
from ..store.runs import Report
from ..update import run_watches
from ..watches import Watch
from .feeds import FeedParams, FeedSpec, FeedThread
from .retention import retain_positions
from .status import write_status

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveParams:
    flush_s: float = 2.0  # positions stored at least this often: a kill loses at most this
    step_s: float = 5.0  # flights, events, watches and alerts brought up to date this often
    duration_s: float | None = None  # stop after this long (None: until a signal)
    feed: FeedParams = FeedParams()
    sink_rest_s: float = 30.0  # a sink that failed is tried again after this long
    stop_wait_s: float = 10.0  # the longest a stop waits for the feeds and sinks to finish
    keep_positions_s: float | None = None  # positions older than this no finding rests on go
    retain_every_s: float = 3600.0  # how often retention runs (and at the first step)


@dataclass
class LiveReport(Report):
    run_id: str
    feeds: list[dict] = field(default_factory=list)
    rows_read: int = 0
    rows_added: int = 0
    steps: int = 0
    flights: int = 0  # flights written by the steps (recomputed ones counted again)
    events: int = 0
    alerts_new: int = 0
    alerts_sent: int = 0
    alerts_failed: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    positions_deleted: int = 0  # by retention (--keep-positions)
    decoder_state: int = 0  # entries the feeds' decoders hold at the end (bounded by expiry)
    seconds: float = 0.0
    stopped_by: str = ""

    def summary(self) -> str:
        feeds = "; ".join(
            f"{f['uri']} {f['messages']:,} messages, {f['reconnects']} reconnects"
            for f in self.feeds
        )
        rej = sum(self.rejects.values())
        return (
            f"live: {len(self.feeds)} feeds ({feeds}); {self.rows_read:,} positions read, "
            f"{self.rows_added:,} new, {rej:,} rejected; {self.steps} steps; alerts "
            f"{self.alerts_new} new, {self.alerts_sent} delivered"
            + (f", {self.alerts_failed} failed" if self.alerts_failed else "")
            + (
                f"; {self.positions_deleted:,} old positions deleted"
                if self.positions_deleted
                else ""
            )
            + f"; stopped by {self.stopped_by or 'end'} after {self.seconds:.0f} s"
        )


class LiveService:
    """One run of the service over one open store (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        feeds: list[FeedSpec],
        watches: list[Watch],
        rules: list[Rule],
        sinks: list[Sink],
        run_id: str,
        params: LiveParams = LiveParams(),
        status_file: Path | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.store, self.watches, self.rules, self.params = store, watches, rules, params
        self.status_file = status_file
        self.stop = stop or threading.Event()
        self.report = LiveReport(run_id=run_id)
        self.queue: queue.Queue = queue.Queue()
        self.threads = [
            FeedThread(i, f, self.queue, self.stop, run_id, params.feed)
            for i, f in enumerate(feeds)
        ]
        self.deliverer = Deliverer(sinks, rest_s=params.sink_rest_s) if rules else None
        self.writer = PositionWriter(store)
        self.segments: dict[int, dict] = {}  # feed → its open segment's sources row
        # feed → (its connection count, the latest position time it handed over): the next
        # segment on the same connection covers the time since (see ``_segment``)
        self.reached: dict[int, tuple[int, datetime]] = {}
        self.closed: list[dict] = []  # segments whose rows are all written
        self.rejects: list[pa.Table] = []
        self.aircraft: list[dict] = []
        self.started = time.time()
        self.last_step: float | None = None
        self.last_retain: float | None = None
        self.state = "starting"

    # --- the loop ------------------------------------------------------------------------

    def run(self) -> LiveReport:
        t0 = time.monotonic()
        p = self.params
        for t in self.threads:
            t.start()
        self.state = "running"
        next_flush, next_step = t0 + p.flush_s, t0 + p.step_s
        done = 0
        try:
            while done < len(self.threads):
                now = time.monotonic()
                if p.duration_s is not None and now - t0 >= p.duration_s and not self.stop.is_set():
                    self.report.stopped_by = self.report.stopped_by or "duration"
                    self.stop.set()
                if self.stop.is_set() and self.state == "running":
                    self.state = "stopping"
                    log.info("stopping: storing what the feeds read, then a last step")
                done += self._take(timeout=max(0.0, min(next_flush, next_step) - now))
                now = time.monotonic()
                if now >= next_step:
                    self._step()
                    next_step = now + p.step_s
                    next_flush = now + p.flush_s
                elif now >= next_flush:
                    self._flush()
                    next_flush = now + p.flush_s
                    self._write_status()
        finally:
            self.stop.set()
            for t in self.threads:
                t.join(p.stop_wait_s)
            while True:  # whatever the feeds handed over while stopping
                try:
                    self._handle(*self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._step(final=True)
            finally:
                self.writer.release()
                if self.deliverer is not None:
                    self.deliverer.close()
                self.state = "stopped"
                self.report.seconds = time.monotonic() - t0
                self.report.feeds = [t.status.as_dict() for t in self.threads]
                self.report.decoder_state = sum(t.status.decoder_state for t in self.threads)
                self._write_status()
        return self.report

    def _take(self, timeout: float) -> int:
        """Handle what the feeds handed over, waiting up to ``timeout`` for the first item;
        returns how many feeds ended."""
        ended = 0
        try:
            item = self.queue.get(timeout=timeout)
        except queue.Empty:
            return 0
        while True:
            ended += item[0] == "done"
            self._handle(*item)
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return ended

    def _handle(self, kind: str, index: int, payload) -> None:
        if kind == "rows":
            seg = self._segment(index)
            seg["rows_read"] += payload.num_rows
            last = pc.max(payload.column("ts")).as_py()
            if last is not None:
                connects = self.threads[index].status.connects
                was = self.reached.get(index)
                if was is None or was[0] != connects or last > was[1]:
                    self.reached[index] = (connects, last)
            self.report.rows_read += payload.num_rows
            self.writer.stage(payload, seg["source_id"])
        elif kind == "rejects":
            seg = self._segment(index)
            seg["rejects"] += int(sum(payload.column("n").to_pylist()))
            self.rejects.append(
                payload.set_column(
                    payload.schema.get_field_index("source_id"),
                    "source_id",
                    pa.array([seg["source_id"]] * payload.num_rows, pa.string()),
                )
            )
            for reason, n in zip(
                payload.column("reason").to_pylist(), payload.column("n").to_pylist(), strict=True
            ):
                self.report.rejects[reason] += n
        elif kind == "aircraft":
            sid = self._segment(index)["source_id"]
            self.aircraft += [dict(a, source_id=sid) for a in payload]

    def _segment(self, index: int) -> dict:
        """The feed's open segment: a source of its own, closed at the next step. On the
        connection the last segment came over, it covers the time since that segment's last
        position (``data_start``): the receiver was listening, as a capture file's span says
        for the quiet stretches inside it. A quiet feed is not a gap in the data."""
        seg = self.segments.get(index)
        if seg is None:
            spec = self.threads[index].spec
            now = datetime.now(UTC)
            was = self.reached.get(index)
            same = was is not None and was[0] == self.threads[index].status.connects
            seg = self.segments[index] = {
                "source_id": stream_id(spec.uri, now.isoformat()),
                "uri": spec.uri,
                "format": spec.format,
                "bytes": None,
                "run_id": self.report.run_id,
                "ingested_at": now,
                "rows_read": 0,
                "rows_added": 0,
                "rejects": 0,
                "complete": False,
                "data_start": was[1] if same else None,
                "_stored": False,
            }
        return seg

    # --- writing -------------------------------------------------------------------------

    def _flush(self) -> None:
        """Store what was handed over: a segment's sources row goes in before its first
        positions, so a kill never leaves positions that no source owns."""
        con = self.store.con
        new = [s for s in self.segments.values() if not s["_stored"]]
        if new:
            append(con, "sources", [_source_row(s) for s in new])
            for s in new:
                s["_stored"] = True
        self.writer.flush(final=True)
        for rows in self.rejects:
            append(con, "rejects", rows)
        self.rejects = []
        if self.aircraft:
            insert_aircraft(self.store, self.aircraft)
            self.aircraft = []

    def _close_segments(self) -> None:
        con = self.store.con
        for seg in self.segments.values():
            seg["rows_added"] = self.writer.added.get(seg["source_id"], 0)
            con.execute(
                "UPDATE sources SET rows_read = ?, rows_added = ?, rejects = ?, complete = true, "
                "ingested_at = ? WHERE source_id = ?",
                [seg["rows_read"], seg["rows_added"], seg["rejects"], datetime.now(UTC),
                 seg["source_id"]],
            )  # fmt: skip
        self.segments = {}

    def _step(self, final: bool = False) -> None:
        """Close the segments, bring the derived tables up to date, raise and send alerts."""
        t0 = time.perf_counter()
        self._flush()
        self._close_segments()
        self.report.rows_added = sum(self.writer.added.values())
        t1 = time.perf_counter()
        pr = process(self.store, run_id=self.report.run_id)
        t2 = time.perf_counter()
        if pr.new_sources:
            self.report.flights += pr.flights
            self.report.events += pr.events
            if self.watches:
                run_watches(self.store, self.watches)
        keep = self.params.keep_positions_s
        if keep is not None and (
            self.last_retain is None or time.time() - self.last_retain >= self.params.retain_every_s
        ):
            self.last_retain = time.time()
            self.report.positions_deleted += retain_positions(self.store, keep, self.watches)
        t3 = time.perf_counter()
        self.report.steps += 1
        self.last_step = time.time()
        if self.deliverer is not None:
            ar = AlertReport()
            if pr.new_sources:
                self.report.alerts_new += raise_alerts(
                    self.store, self.rules, self.watches, backfill=True
                )[0]
            deliver_pending(self.store, self.deliverer)
            wait = self.params.stop_wait_s if final else 0.0
            _record(self.store, self.deliverer, self.deliverer.collect(wait_s=wait), ar)
            self.report.alerts_sent += ar.sent
            self.report.alerts_failed += ar.failed
        self._write_feeds()
        log.debug(
            "step: store %.2f s, process %.2f s (%s), watches %.2f s, alerts %.2f s",
            t1 - t0, t2 - t1, pr.summary(), t3 - t2, time.perf_counter() - t3,
        )  # fmt: skip
        self._write_status()

    def _write_feeds(self) -> None:
        """Each feed's state in ``live_feeds``, one row per feed and run, rewritten each step:
        what a page reading the store shows (the status file says the same between steps)."""
        now = datetime.now(UTC)
        step = datetime.fromtimestamp(self.last_step, UTC) if self.last_step else None
        rows = []
        for i, t in enumerate(self.threads):
            f = t.status.as_dict()
            seen = f["last_message_at"]
            rows.append(
                {
                    "run_id": self.report.run_id, "feed": i, "uri": f["uri"],
                    "format": f["format"], "state": f["state"], "connects": f["connects"],
                    "reconnects": f["reconnects"], "stalls": f["stalls"],
                    "messages": f["messages"], "rate_per_s": f["rate_per_s"],
                    "positions": f["positions"],
                    "last_message_at": datetime.fromtimestamp(seen, UTC) if seen else None,
                    "error": f["error"], "last_step_at": step, "updated_at": now,
                }
            )  # fmt: skip
        con = self.store.con
        con.execute("DELETE FROM live_feeds WHERE run_id = ?", [self.report.run_id])
        append(con, "live_feeds", rows)

    def _write_status(self) -> None:
        if self.status_file is None:
            return
        status = {
            "pid": os.getpid(),
            "state": self.state,
            "run_id": self.report.run_id,
            "started_at": self.started,
            "updated_at": time.time(),
            "last_step_at": self.last_step,
            "positions_read": self.report.rows_read,
            "positions_added": sum(self.writer.added.values()),
            "steps": self.report.steps,
            "alerts": {
                "new": self.report.alerts_new,
                "sent": self.report.alerts_sent,
                "failed": self.report.alerts_failed,
            },
            "rejects": dict(self.report.rejects),
            "positions_deleted": self.report.positions_deleted,
            "feeds": [t.status.as_dict() for t in self.threads],
        }
        try:
            write_status(self.status_file, status)
        except OSError as exc:  # the status is a courtesy: never the reason a run stops
            log.warning("cannot write the live status %s: %s", self.status_file, exc)


def _source_row(seg: dict) -> dict:
    return {k: v for k, v in seg.items() if not k.startswith("_")}


@contextmanager
def stop_on_signals(stop: threading.Event, report: LiveReport):
    """SIGINT and SIGTERM set ``stop`` (a graceful stop) while the service runs; a second
    one stops at once. Only the main thread can take signals: elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    seen = []

    def handler(signum, frame):
        name = signal.Signals(signum).name
        if seen:
            raise KeyboardInterrupt
        seen.append(name)
        report.stopped_by = name
        log.warning("%s: stopping (again to stop at once)", name)
        stop.set()

    old = {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
