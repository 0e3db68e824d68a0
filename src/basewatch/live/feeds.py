"""Feeds of the live service: one thread per feed, each reconnecting on its own.

A TCP feed (Beast, AVR, SBS) is read through the same readers and decoder as ``ingest``; a
polled feed reads a readsb / dump1090 ``aircraft.json`` from a URL or a folder every few
seconds. Each thread hands position tables to the service through one queue and keeps its own
``FeedStatus`` (state, messages, rate, last message, reconnects), which the service writes to
the status file.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa

from ..errors import ConfigError
from ..readers.base import ReadContext, RejectLog, Source
from ..readers.frames import rebatch
from ..readers.modes import DecodeParams, ModeSDecoder, decode_frames
from ..readers.pipeline import drop_untimed, reader_for

log = logging.getLogger(__name__)

STREAM_FORMATS = ("beast", "avr", "sbs")
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 0.5  # how often a quiet feed wakes up (to flush, to see a stop)
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # after 1, 2, ... failed connects in a row
RATE_WINDOW_S = 10.0  # the message rate is counted over this much time


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed: ``tcp://host:port`` with its format, or an aircraft.json to poll."""

    uri: str
    format: str  # beast | avr | sbs | aircraft_json

    @classmethod
    def tcp(cls, uri: str, fmt: str) -> FeedSpec:
        u = urlparse(uri)
        if u.scheme != "tcp" or not u.hostname or not u.port:
            raise ConfigError(f"{uri}: expected tcp://HOST:PORT, e.g. tcp://127.0.0.1:30005")
        if fmt not in STREAM_FORMATS:
            raise ConfigError(f"{uri}: --input-format must be one of {', '.join(STREAM_FORMATS)}")
        return cls(uri, fmt)

    @classmethod
    def poll(cls, where: str) -> FeedSpec:
        if where.startswith(("http://", "https://")):
            return cls(where, "aircraft_json")
        p = Path(where)
        if p.is_dir():
            p = p / "aircraft.json"
        if not p.parent.is_dir():
            raise ConfigError(f"--poll {where}: neither an http(s) URL nor a folder")
        return cls(str(p), "aircraft_json")


@dataclass
class FeedStatus:
    """What a feed is doing, for the status file and the run report."""

    uri: str
    format: str
    state: str = "starting"  # connecting | connected | retrying | polling | stopped | failed
    connects: int = 0
    reconnects: int = 0  # connections made after the first
    stalls: int = 0  # connections dropped because nothing arrived for ``stall_s``
    messages: int = 0  # frames (Beast, AVR) or records (SBS, aircraft.json) received
    positions: int = 0  # positions decoded
    bytes: int = 0
    clock_steps_back: int = 0  # times the feed's own clock went back (its records are kept)
    decoder_state: int = 0  # entries its decoder holds (aircraft state, bounded by expiry)
    last_message_at: float | None = None  # epoch seconds, wall clock
    error: str = ""
    _samples: deque = field(default_factory=lambda: deque(maxlen=64), repr=False)

    def count(self, messages: int) -> None:
        now = time.time()
        self.messages += messages
        if messages:
            self.last_message_at = now
        self._samples.append((now, self.messages))

    def rate(self) -> float:
        """Messages per second over the last ``RATE_WINDOW_S``."""
        now = time.time()
        old = [(t, m) for t, m in list(self._samples) if now - t <= RATE_WINDOW_S]
        if not old:
            return 0.0
        t0, m0 = old[0]
        return (self.messages - m0) / max(now - t0, 1.0)

    def as_dict(self) -> dict:
        return {
            "uri": self.uri,
            "format": self.format,
            "state": self.state,
            "connects": self.connects,
            "reconnects": self.reconnects,
            "stalls": self.stalls,
            "messages": self.messages,
            "rate_per_s": round(self.rate(), 1),
            "positions": self.positions,
            "bytes": self.bytes,
            "clock_steps_back": self.clock_steps_back,
            "decoder_state": self.decoder_state,
            "last_message_at": self.last_message_at,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class FeedParams:
    flush_s: float = 2.0  # decoded positions are handed over at least this often
    stall_s: float = 180.0  # a connection silent this long is dropped and made again (readsb
    # and dump1090 send a Beast heartbeat every 60 s by default: three missed)
    poll_s: float = 5.0  # an aircraft.json is read this often
    beast_clock: str = "12mhz"
    decode: DecodeParams = DecodeParams()


class FeedThread(threading.Thread):
    """Reads one feed until ``stop`` is set; puts ``(kind, index, payload)`` on ``out``:
    ``rows`` (a position table), ``rejects`` (a rejects table), ``aircraft`` (identity rows)
    and, last, ``done``."""

    def __init__(
        self,
        index: int,
        spec: FeedSpec,
        out: queue.Queue,
        stop: threading.Event,
        run_id: str,
        params: FeedParams = FeedParams(),
    ) -> None:
        super().__init__(name=f"feed-{index}", daemon=True)
        self.index, self.spec, self.out, self.stop, self.params = index, spec, out, stop, params
        self.status = FeedStatus(spec.uri, spec.format)
        self.ctx = ReadContext(rejects=RejectLog(run_id), beast_clock=params.beast_clock)
        self.ctx.rejects.uri = spec.uri
        self.decoder: ModeSDecoder | None = None

    def run(self) -> None:
        try:
            if self.spec.format == "aircraft_json":
                self._poll()
            else:
                for table in self._tcp_tables():
                    self._hand_over(table)
            self.status.state = "stopped"
        except Exception as exc:  # a bug in one feed must not take the others down
            log.exception("feed %s failed", self.spec.uri)
            self.status.state, self.status.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            self._hand_over(None)
            self.out.put(("done", self.index, None))

    # --- TCP -----------------------------------------------------------------------------

    def _tcp_tables(self) -> Iterator[pa.Table]:
        src = Source(uri=self.spec.uri, stream=self._stream)
        reader, kind = reader_for(self.spec.format)
        tables = self._counted(reader(src, self.ctx))
        if kind == "frames":
            # quiet feeds yield empty batches (see the readers), so this flushes on time
            self.decoder = ModeSDecoder(self.ctx, self.params.decode)
            tables = decode_frames(
                rebatch(tables, seconds=self.params.flush_s), self.ctx, self.params.decode,
                self.decoder,
            )  # fmt: skip
        else:
            tables = self._positions_counted(tables)
        yield from tables

    def _counted(self, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
        frames = self.spec.format != "sbs"
        for t in tables:
            if frames:
                self.status.count(t.num_rows)
            yield t

    def _positions_counted(self, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
        for t in tables:
            self.status.count(t.num_rows)
            yield t

    def _stream(self) -> Iterator[bytes | None]:
        """Bytes as they arrive; ``b""`` when the feed is quiet; ``None`` where a connection
        ended. Reconnects with backoff until ``stop`` is set."""
        u = urlparse(self.spec.uri)
        st, failures = self.status, 0
        while not self.stop.is_set():
            st.state = "connecting"
            try:
                sock = socket.create_connection((u.hostname, u.port), timeout=CONNECT_TIMEOUT_S)
            except OSError as exc:
                failures += 1
                st.state, st.error = "retrying", f"cannot connect: {exc}"
                if failures == 1:
                    log.warning("%s: cannot connect (%s); retrying", self.spec.uri, exc)
                self.stop.wait(BACKOFF_S[min(failures, len(BACKOFF_S)) - 1])
                continue
            failures = 0
            st.connects += 1
            st.reconnects = st.connects - 1
            st.state, st.error = "connected", ""
            sock.settimeout(READ_TIMEOUT_S)
            last = time.monotonic()
            try:
                while not self.stop.is_set():
                    try:
                        data = sock.recv(65536)
                    except TimeoutError:
                        if time.monotonic() - last > self.params.stall_s:
                            st.stalls += 1
                            st.error = f"nothing for {self.params.stall_s:.0f} s: reconnecting"
                            log.warning("%s: %s", self.spec.uri, st.error)
                            break
                        yield b""
                        continue
                    except OSError as exc:
                        st.error = str(exc)
                        log.warning("%s: %s; reconnecting", self.spec.uri, exc)
                        break
                    if not data:
                        st.error = "closed by the peer"
                        log.info("%s closed the connection; reconnecting", self.spec.uri)
                        break
                    last = time.monotonic()
                    st.bytes += len(data)
                    yield data
            finally:
                sock.close()
            yield None  # connection boundary: a cut frame or line is rejected
            if not self.stop.is_set():
                st.state = "retrying"
                self.stop.wait(BACKOFF_S[0])

    # --- aircraft.json -------------------------------------------------------------------

    def _poll(self) -> None:
        reader, _ = reader_for("aircraft_json")
        st = self.status
        while not self.stop.is_set():
            t0 = time.monotonic()
            st.state = "polling"
            data = self._fetch()
            if data is not None:
                st.bytes += len(data)
                for table in reader(Source(uri=self.spec.uri, data=data), self.ctx):
                    st.count(table.num_rows)
                    self._hand_over(table)
            self._hand_over(None)
            self.stop.wait(max(0.0, self.params.poll_s - (time.monotonic() - t0)))

    def _fetch(self) -> bytes | None:
        st, uri = self.status, self.spec.uri
        try:
            if uri.startswith(("http://", "https://")):
                with urllib.request.urlopen(uri, timeout=CONNECT_TIMEOUT_S) as resp:
                    data = resp.read(64 << 20)
            else:
                data = Path(uri).read_bytes()
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            if not st.error:
                log.warning("%s: %s; trying again", uri, exc)
            st.state, st.error = "retrying", str(getattr(exc, "reason", exc))
            return None
        if not st.connects:
            st.connects = 1
        st.error = ""
        return data

    # --- hand-over -----------------------------------------------------------------------

    def _hand_over(self, table: pa.Table | None) -> None:
        """Positions (times checked), then whatever rejects and identity rows piled up."""
        self.status.clock_steps_back = self.ctx.counters["clock_step_back"]
        if self.decoder is not None:
            self.status.decoder_state = self.decoder.state_size()
        if table is not None and table.num_rows:
            table = drop_untimed(table, self.spec.uri, self.ctx.rejects)
            self.status.positions += table.num_rows
            self.out.put(("rows", self.index, table))
        if self.ctx.rejects.rows:
            self.out.put(("rejects", self.index, self.ctx.rejects.drain()))
        if self.ctx.aircraft:
            rows, self.ctx.aircraft[:] = list(self.ctx.aircraft), []
            self.out.put(("aircraft", self.index, rows))
