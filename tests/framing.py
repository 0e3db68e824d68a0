"""Test-side framing: real Mode S frames from the shipped rs1090 sample, wrapped as Beast or AVR.

Everything here is written independently of the code under test (its own CRC-24, its own
escaping), so a test built on it checks the readers rather than agreeing with them.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path

from rows import query  # noqa: F401  (re-exported for the tests that use F.query)

from basewatch.demo import sample_path

JSONL = "rs1090_full_flight_short.jsonl.gz"
RECEIVER = (49.0097, 2.5479)  # Paris-CDG, where the rs1090 sample was received
ICAO = "393322"
SHORT_DF = {0, 4, 5, 11}


@cache
def jsonl_lines() -> tuple[dict, ...]:
    """Every line of the rs1090 sample, parsed, in file order."""
    with gzip.open(sample_path(JSONL), "rt") as fh:
        return tuple(json.loads(line) for line in fh)


def us(ts: float) -> int:
    """Epoch seconds → integer microseconds, as the store keeps them."""
    return round(ts * 1e6)


def df_of(frame: str) -> int:
    return int(frame[:2], 16) >> 3


def wire_frame(frame: str) -> str:
    """The frame as a receiver sends it: 56-bit replies unpadded (the sample pads some)."""
    return frame[:14] if df_of(frame) in SHORT_DF else frame


def window(t_from: float, seconds: float, dfs: set[int] | None = None) -> list[dict]:
    """Sample lines with ``t_from <= ts < t_from + seconds`` (seconds after the first line)."""
    lines = jsonl_lines()
    t0 = lines[0]["timestamp"] + t_from
    return [
        d
        for d in lines
        if t0 <= d["timestamp"] < t0 + seconds and (dfs is None or df_of(d["frame"]) in dfs)
    ]


def golden(lines: list[dict]) -> dict[int, tuple[float, float]]:
    """rs1090's own decoded position for each line that has one, by microsecond timestamp."""
    return {us(d["timestamp"]): (d["latitude"], d["longitude"]) for d in lines if "latitude" in d}


# --- CRC-24 (bit by bit, the textbook way) -----------------------------------------------------

_POLY = 0x1FFF409  # generator polynomial with its x^24 term


def crc24(data: bytes) -> int:
    reg = 0
    for byte in data:
        reg ^= byte << 16
        for _ in range(8):
            reg <<= 1
            if reg & 0x1000000:
                reg ^= _POLY
    return reg & 0xFFFFFF


def with_icao(frame: str, icao: str) -> str:
    """A DF17/18 frame re-addressed to ``icao``, with its parity recomputed."""
    body = bytes.fromhex(frame[:2] + icao + frame[8:22])
    return (body + crc24(body).to_bytes(3, "big")).hex()


def flip_bit(frame: str, bit: int) -> str:
    v = int(frame, 16) ^ (1 << (len(frame) * 4 - 1 - bit))
    return f"{v:0{len(frame)}x}"


# --- Beast ---------------------------------------------------------------------------------------

_BEAST_TYPE = {2: b"1", 7: b"2", 14: b"3"}


def beast_escape(data: bytes) -> bytes:
    return data.replace(b"\x1a", b"\x1a\x1a")


def beast_frame(frame: str, counter: int, signal: int = 0x60) -> bytes:
    """One Beast frame: 0x1a, type, 6-byte timestamp, signal, message; 0x1a inside doubled."""
    msg = bytes.fromhex(frame)
    body = counter.to_bytes(6, "big") + bytes([signal]) + msg
    return b"\x1a" + _BEAST_TYPE[len(msg)] + beast_escape(body)


def counter_12mhz(ts: float, t0: float, base: int) -> int:
    """12 MHz counter for ``ts``, counting from ``base`` at ``t0`` (whole microseconds)."""
    return base + 12 * (us(ts) - us(t0))


def gps_counter(ts: float) -> int:
    """GPS-mode timestamp: seconds of the UTC day in the top 18 bits, nanoseconds in the low 30."""
    micros = us(ts)
    sod = (micros // 1_000_000) % 86_400
    return (sod << 30) | (micros % 1_000_000) * 1000


def beast_stream(lines: list[dict], t0: float, base: int = 0x1000, clock: str = "12mhz") -> bytes:
    """Lines of the rs1090 sample as one Beast capture."""
    out = []
    for d in lines:
        c = (
            gps_counter(d["timestamp"])
            if clock == "gps"
            else counter_12mhz(d["timestamp"], t0, base)
        )
        out.append(beast_frame(wire_frame(d["frame"]), c))
    return b"".join(out)


# --- AVR -----------------------------------------------------------------------------------------


def avr_line(frame: str, counter: int | None = None, signal: int | None = None) -> str:
    """``*hex;``, ``@<12 hex>hex;`` or, with a signal level, ``<<12 hex><2 hex>hex;``."""
    frame = frame.upper()
    if counter is None:
        return f"*{frame};"
    if signal is None:
        return f"@{counter:012X}{frame};"
    return f"<{counter:012X}{signal:02X}{frame};"


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data)
    else:
        path.write_bytes(data)
    return path


# --- reading the store back ------------------------------------------------------------------


def rejects(db: Path) -> dict[str, int]:
    """Rejects in the store, summed by reason."""
    return dict(query(db, "SELECT reason, sum(n)::BIGINT FROM rejects GROUP BY 1 ORDER BY 1"))


def position_times(db: Path) -> list[int]:
    """Every stored position's time in epoch microseconds, ordered."""
    return [r[0] for r in query(db, "SELECT epoch_us(ts) FROM positions ORDER BY ts, icao24")]


def positions_by_time(db: Path) -> dict[int, tuple[float, float]]:
    return {
        t: (lat, lon)
        for t, lat, lon in query(db, "SELECT epoch_us(ts), lat_deg, lon_deg FROM positions")
    }
