"""Live feeds: a real TCP server on 127.0.0.1 that cuts a connection mid-frame, then serves again."""

from __future__ import annotations

import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import framing as F
import pytest

from basewatch import api
from basewatch.errors import FormatError, InputError
from basewatch.readers import tcp

OTHER = "4ca123"  # the second connection's frames are re-addressed to this aircraft


class FeedServer:
    """Serves one list of byte chunks per accepted connection, then closes that connection."""

    def __init__(self, connections: list[list[bytes]], pause: float = 0.02) -> None:
        self.connections = connections
        self.pause = pause
        self.served = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._run, daemon=True)

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _run(self) -> None:
        for chunks in self.connections:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                for chunk in chunks:
                    conn.sendall(chunk)
                    time.sleep(self.pause)
            self.served += 1

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()  # still listening until now: later connects wait in the backlog
        self.thread.join(2)


@pytest.fixture(autouse=True)
def quick_reads(monkeypatch):
    # the client re-checks its deadline after every read timeout: keep tests short
    monkeypatch.setattr(tcp, "READ_TIMEOUT_S", 0.1)


def split(data: bytes, *cuts: int) -> list[bytes]:
    edges = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(edges, edges[1:], strict=False) if b > a]


def first_conn_lines():
    return F.window(1800, 20)


def second_conn_lines():
    """20 s of DF17 from later in the flight, re-addressed: a second, independent aircraft."""
    return [dict(d, frame=F.with_icao(d["frame"], OTHER)) for d in F.window(2400, 20, dfs={17})]


def file_reference(tmp_path, name: str, data: bytes, fmt: str) -> set[tuple]:
    """(icao24, lat, lon, alt) of the positions of the same bytes read from a file (their
    times are the file's, a feed's are its arrival times)."""
    path = F.write(tmp_path / name, data)
    db = tmp_path / f"{name}.duckdb"
    api.ingest([path], db=db, format=fmt, start="2024-07-06T07:00:00Z")
    return stored(db)


def stored(db) -> set[tuple]:
    return set(F.query(db, "SELECT icao24, lat_deg, lon_deg, alt_baro_ft FROM positions"))


def test_beast_feed_cut_mid_frame_then_reconnect(db, tmp_path):
    one, two = first_conn_lines(), second_conn_lines()
    t0 = one[0]["timestamp"]
    frames1 = [
        F.beast_frame(F.wire_frame(d["frame"]), F.counter_12mhz(d["timestamp"], t0, 0)) for d in one
    ]
    data1 = b"".join(frames1[:-1])
    cut_frame = frames1[-1][:9]  # the connection drops 9 bytes into the last frame
    data2 = F.beast_stream(two, two[0]["timestamp"], base=0x1000)
    ref = file_reference(tmp_path, "beast_one.bin", data1, "beast")
    ref |= file_reference(tmp_path, "beast_two.bin", data2, "beast")
    assert {v[0] for v in ref} == {F.ICAO, OTHER}
    assert len(ref) > 60

    # chunks that end mid-frame, so frames arrive in pieces
    conns = [split(data1 + cut_frame, 1001, 4097, len(data1) + 3), split(data2, 777)]
    t_start = datetime.now(UTC)
    with FeedServer(conns) as server:
        t0 = time.monotonic()
        report = api.ingest([server.uri], db=db, format="beast", duration=1.0)
        elapsed = time.monotonic() - t0
        assert server.served == 2
    t_end = datetime.now(UTC)
    assert elapsed < 4.0  # stops near its 1 s duration (slack for a loaded machine)

    assert dict(report.rejects) == {"truncated_frame": 1}
    assert F.query(db, "SELECT excerpt FROM rejects") == [(cut_frame.hex(),)]
    assert report.counters["frames"] == len(one) - 1 + len(two)
    assert stored(db) == ref
    # a live feed has no file clock: each connection's first frame is anchored at the wall
    # clock, or where the feed's time had got to if that is later (this replay runs faster
    # than real time: the first connection's 20 s end ahead of the wall clock), and its 20 s
    # of frames follow on from there
    lo, hi = F.query(db, "SELECT min(ts), max(ts) FROM positions WHERE icao24 = ?", [OTHER])[0]
    assert t_start <= lo and hi <= t_end + timedelta(seconds=40)
    assert (hi - lo).total_seconds() == pytest.approx(
        (max(F.golden(two)) - min(F.golden(two))) / 1e6, abs=2.0
    )
    src = F.query(db, "SELECT uri, format, bytes, rows_added FROM sources")
    assert src == [(server.uri, "beast", None, len(ref))]  # frames heard twice: stored once


def test_avr_feed_cut_mid_line_then_reconnect(db, tmp_path):
    one, two = first_conn_lines(), second_conn_lines()

    def text(lines):
        t0 = lines[0]["timestamp"]
        return "".join(
            F.avr_line(F.wire_frame(d["frame"]), F.counter_12mhz(d["timestamp"], t0, 0)) + "\n"
            for d in lines
        ).encode()

    data1, data2 = text(one[:-1]), text(two)
    cut_line = text(one)[len(data1) :][:20]
    ref = file_reference(tmp_path, "avr_one.txt", data1, "avr")
    ref |= file_reference(tmp_path, "avr_two.txt", data2, "avr")
    assert len(ref) > 60

    conns = [split(data1 + cut_line, 333, 5000), split(data2, 1234)]
    with FeedServer(conns) as server:
        report = api.ingest([server.uri], db=db, format="avr", duration=1.0)
        assert server.served == 2
    assert dict(report.rejects) == {"truncated_line": 1}
    assert F.query(db, "SELECT location, excerpt FROM rejects") == [
        ("connection closed", cut_line.decode())
    ]
    assert report.counters["frames"] == len(one) - 1 + len(two)
    assert stored(db) == ref


def test_feed_needs_a_stream_format(db):
    with pytest.raises(FormatError, match="a live feed needs --input-format beast, avr or sbs"):
        api.ingest(["tcp://127.0.0.1:9"], db=db, format="trace_full")


def test_bad_address():
    with pytest.raises(InputError, match="expected tcp://HOST:PORT"):
        tcp.parse_address("tcp://127.0.0.1")
    assert tcp.parse_address("tcp://localhost:30005") == ("localhost", 30005)
