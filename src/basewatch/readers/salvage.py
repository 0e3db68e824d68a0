"""Reading what can be read from damaged JSON: bounded nesting, element by element salvage.

The readers parse a whole document at once (orjson, DuckDB's JSON reader, the compiled trace
scan). When that fails, the salvage path here splits the document's record array into its
elements without parsing it, parses each element on its own, and hands back the ones that
parse; each one that does not is rejected with its byte offset. One stray byte then costs
the record it sits in (two, if it breaks the boundary between them), never the file.

Nesting is bounded before any parser that recurses sees the bytes: DuckDB's JSON reader
crashes the process near 10,000 levels, orjson stops at 1,024 and ``orjson.dumps`` at 255.
No supported format nests deeper than four levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import orjson
from numba import njit

from .base import EXCERPT_CHARS, ReadContext

MAX_DEPTH = 64  # deeper than any real record by far; far below what breaks a parser


@njit(cache=True, _nrt=False)
def _depth(buf, state):
    """Walk JSON bytes tracking nesting outside strings; ``state`` carries (depth, in string,
    escaped, deepest) from one chunk to the next. A control byte ends a string (JSON has
    none inside one), so a stray quote cannot hide the brackets after the line it is on."""
    depth, in_str, esc, deepest = state[0], state[1], state[2], state[3]
    for i in range(buf.shape[0]):
        c = buf[i]
        if in_str:
            if esc:
                esc = 0
            elif c == 92:
                esc = 1
            elif c == 34 or c < 32:
                in_str = 0
        elif c == 34:
            in_str = 1
        elif c == 91 or c == 123:  # noqa: SIM109 (plain compares for numba)
            depth += 1
            if depth > deepest:
                deepest = depth
        elif c == 93 or c == 125:  # noqa: SIM109
            depth -= 1
    state[0], state[1], state[2], state[3] = depth, in_str, esc, deepest


class DepthScan:
    """The deepest nesting of a JSON text fed in chunks."""

    def __init__(self) -> None:
        self.state = np.zeros(4, np.int64)

    def feed(self, chunk: bytes) -> None:
        if chunk:
            _depth(np.frombuffer(chunk, np.uint8), self.state)

    @property
    def deepest(self) -> int:
        return int(self.state[3])


def max_depth(chunks: Iterable[bytes]) -> int:
    """The deepest nesting in a JSON text given as one or more chunks (strings excluded)."""
    scan = DepthScan()
    for chunk in chunks:
        scan.feed(chunk)
    return scan.deepest


def excerpt(value: object) -> str:
    """A parsed JSON value as text for a reject row, whatever its nesting."""
    try:
        return orjson.dumps(value).decode()[:EXCERPT_CHARS]
    except (orjson.JSONEncodeError, TypeError, RecursionError):
        return f"{type(value).__name__} nested more than {MAX_DEPTH} deep"


def text(raw: bytes) -> str:
    return raw[:EXCERPT_CHARS].decode("utf-8", "replace")


# the boundary between two elements of an array of objects / of arrays
_BOUNDARY = {dict: re.compile(rb"\}\s*,\s*\{"), list: re.compile(rb"\]\s*,\s*\[")}
_CLOSER = {dict: b"}", list: b"]"}
_OPENER = {dict: b"{", list: b"["}


@dataclass
class Salvaged:
    """The elements that parsed, and where the array ended (None: the text is cut short)."""

    elements: list = field(default_factory=list)
    end: int | None = None  # index just after the array's closing bracket
    bad: int = 0


def _parse(piece: bytes, kind: type) -> tuple[object | None, str]:
    """(the value, "") or (None, the reason it is not one of ``kind``)."""
    if max_depth((piece,)) > MAX_DEPTH:
        return None, "too_deep"
    try:
        value = orjson.loads(piece)
    except orjson.JSONDecodeError:
        return None, "bad_json"
    return (value, "") if isinstance(value, kind) else (None, "bad_json")


def split_array(data: bytes, start: int, kind: type, ctx: ReadContext, location: str) -> Salvaged:
    """The elements (all of type ``kind``) of the array whose first element starts at or
    after ``start``; every piece that does not parse is rejected with its byte offset."""
    out = Salvaged()
    closer, opener = _CLOSER[kind], _OPENER[kind]
    pos = data.find(opener, start)
    close_at = _array_close(data, start)
    if pos < 0 or (close_at is not None and pos > close_at):  # an empty array
        out.end = None if close_at is None else close_at + 1
        return out
    for m in _BOUNDARY[kind].finditer(data, pos):
        _keep(data, pos, m.start() + 1, kind, out, ctx, location)
        pos = m.end() - 1
    # the last element runs to one of the last closers; what follows it closes the array
    end = len(data)
    for _ in range(16):
        cut = data.rfind(closer, pos, end)
        if cut < 0:
            break
        value, _ = _parse(data[pos : cut + 1], kind)
        if value is not None:
            out.elements.append(value)
            after = _array_close(data, cut + 1)
            out.end = None if after is None else after + 1
            return out
        end = cut
    # no closer makes it parse: the rest is one damaged element (or a cut)
    after = _array_close(data, pos)
    if after is None:
        out.end = None  # cut short: the caller says so
    else:
        out.end = after + 1
        _keep(data, pos, after, kind, out, ctx, location)
    return out


def _array_close(data: bytes, at: int) -> int | None:
    """Index of the ``]`` that closes the array when only whitespace (and maybe a ``}``)
    follows it: the document's end. None when the text stops before."""
    tail = data[at:].rstrip()
    if tail.endswith(b"}"):
        tail = tail[:-1].rstrip()
    if tail.endswith(b"]"):
        return at + len(tail) - 1
    return None


# where an element that ran on into the next may have ended: the next one's start
_NEXT = {dict: re.compile(rb",\s*\{"), list: re.compile(rb",\s*\[")}
_NEXT_TRIES = 64  # starts tried inside one damaged piece
_NEXT_MAX_BYTES = 1 << 20  # past this a piece is not one record run on: no tries (each parses it)


def _keep(data, lo, hi, kind, out: Salvaged, ctx, location) -> None:
    value, reason = _parse(data[lo:hi], kind)
    if value is not None:
        out.elements.append(value)
        return
    # an element whose closer was damaged runs on into the next: keep the next one
    tail = _next_element(data, lo, hi, kind)
    ctx.rejects.add(reason, f"{location} byte {lo}", text(data[lo : tail[0] if tail else hi]))
    out.bad += 1
    if tail is not None:
        out.elements.append(tail[1])


def _next_element(data, lo, hi, kind) -> tuple[int, object] | None:
    """(start, value) of the first element start inside ``data[lo:hi]`` from which the rest
    parses as one element of ``kind``, or None."""
    if hi - lo > _NEXT_MAX_BYTES:
        return None
    for k, m in enumerate(_NEXT[kind].finditer(data, lo + 1, hi)):
        if k == _NEXT_TRIES:
            break
        value, _ = _parse(data[m.end() - 1 : hi], kind)
        if value is not None:
            return m.end() - 1, value
    return None


def lines(data: bytes, ctx: ReadContext, location: str) -> Iterator[tuple[int, dict]]:
    """(byte offset, object) of each line of a JSON-lines text that parses to an object;
    the other non-blank lines are rejected (``bad_json``, ``too_deep``) with their offset."""
    pos = 0
    for line in data.split(b"\n"):
        at = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if max_depth((line,)) > MAX_DEPTH:
            ctx.rejects.add("too_deep", f"{location} byte {at}", text(line))
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            yield at, value
        else:
            ctx.rejects.add("bad_json", f"{location} byte {at}", text(line))
