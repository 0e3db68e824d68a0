"""Tell an input's format from its content (the name is only a tie-breaker)."""

from __future__ import annotations

import re

from ..errors import FormatError

FORMATS = (
    "beast",
    "avr",
    "sbs",
    "aircraft_json",
    "trace_full",
    "globe_tar",
    "opensky_csv",
    "opensky_parquet",
    "frames_jsonl",
    "traffic_json",
)
STREAM_FORMATS = ("beast", "avr", "sbs")

_AVR_LINE = re.compile(rb"^[*@<:][0-9A-Fa-f]{14,}")
_SBS_LINE = re.compile(rb"^(MSG|SEL|ID|AIR|STA|CLK),")


def detect(head: bytes, name: str = "") -> str | None:
    """The format of content starting with ``head`` (decompressed), or None if unknown."""
    if not head:
        return None
    if len(head) > 262 and head[257:262] == b"ustar":
        return "globe_tar"
    if head[:4] == b"PAR1":
        return "opensky_parquet"
    if head[0] == 0x1A and len(head) > 1 and head[1] in b"1234":
        return "beast"
    text = head.lstrip()
    if text[:1] in (b"{", b"["):
        if b'"trace"' in head:
            return "trace_full"
        if b'"aircraft"' in head and b'"now"' in head:
            return "aircraft_json"
        if b'"frame"' in head and b'"timestamp"' in head:
            return "frames_jsonl"
        if name.endswith(".json") and b'"icao"' in head:
            return "trace_full"
        if b'"latitude"' in head and b'"icao24"' in head and b'"groundspeed"' in head:
            return "traffic_json"
        return None
    first = text.split(b"\n", 1)[0].strip()
    if _AVR_LINE.match(first):
        return "avr"
    if _SBS_LINE.match(first):
        return "sbs"
    low = first.lower()
    if b"icao24" in low and (b"time" in low or b"last_contact" in low):
        return "opensky_csv"
    second = text.split(b"\n", 2)[1:2]
    if second and _SBS_LINE.match(second[0].strip()):
        return "sbs"  # a capture that starts mid-line
    if 0x1A in head[:64] and re.search(rb"\x1a[\x31-\x33]", head):
        return "beast"  # a capture that starts mid-frame
    return None


def check_format(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    f = fmt.replace("-", "_").lower()
    aliases = {
        "trace": "trace_full",
        "globe_history": "globe_tar",
        "opensky": "opensky_csv",
        "parquet": "opensky_parquet",
        "jsonl": "frames_jsonl",
        "jet1090": "frames_jsonl",
        "basestation": "sbs",
        "raw": "avr",
        "aircraft": "aircraft_json",
        "traffic": "traffic_json",
    }
    f = aliases.get(f, f)
    if f not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return f
