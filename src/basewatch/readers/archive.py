"""Tar archives read member by member, past damage: a header that fails its checksum is
skipped to the next valid header (the span in between is rejected with its byte range), a
member cut short is handed on as far as it goes, and no member may be larger than the
inflate cap.

The standard library's ``tarfile`` stops at the first bad header and says nothing of the
members after it; a globe_history day is tens of thousands of members, so one flipped bit
would cost most of the day.
"""

from __future__ import annotations

import bz2
import lzma
from collections.abc import Iterator
from dataclasses import dataclass

from .base import CHUNK_BYTES, ReadContext, Source, iter_bytes, max_inflate

BLOCK = 512
_REGULAR = (b"0", b"\0", b"7")  # regular file types (7: contiguous)
_MAGIC_AT = 257
SLACK = 4096  # how far from a member's declared end its next header is looked for


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    data: bytes
    offset: int  # byte offset of its header in the (decompressed) archive
    cut: bool = False  # the archive ends inside it
    damaged: bool = False  # its header failed its checksum (its name may be wrong)


class _Stream:
    """Bytes from an iterator of chunks, with look-ahead and absolute offsets."""

    def __init__(self, chunks: Iterator[bytes | None]) -> None:
        self.chunks = chunks
        self.buf = bytearray()
        self.pos = 0  # absolute offset of buf[0]
        self.eof = False

    def fill(self, n: int) -> bool:
        """At least ``n`` bytes buffered (False if the stream ends first)."""
        while len(self.buf) < n and not self.eof:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.eof = True
            else:
                self.buf += chunk
        return len(self.buf) >= n

    def take(self, n: int) -> bytes:
        self.fill(n)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        self.pos += len(out)
        return out

    def skip(self, n: int) -> int:
        """Drop ``n`` bytes without keeping them; returns how many there were."""
        done = 0
        while done < n:
            if not self.buf and not self.fill(1):
                break
            k = min(n - done, len(self.buf))
            del self.buf[:k]
            self.pos += k
            done += k
        return done


def _octal(field: bytes) -> int | None:
    text = field.rstrip(b"\0 ").lstrip(b" ")
    if field[:1] == b"\x80":  # GNU base-256 for large sizes
        return int.from_bytes(field[1:], "big")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        return None


def _checksum_ok(block: bytes) -> bool:
    want = _octal(block[148:156])
    if want is None:
        return False
    unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
    return want == unsigned


def _size(block: bytes) -> int | None:
    size = _octal(block[124:136])
    return None if size is None or size < 0 else size


def _padded(n: int) -> int:
    return -(-n // BLOCK) * BLOCK


def _name(block: bytes) -> str:
    name = block[:100].split(b"\0", 1)[0]
    if block[_MAGIC_AT : _MAGIC_AT + 5] == b"ustar":
        prefix = block[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "replace")


def _pax_path(data: bytes) -> str | None:
    for record in data.split(b"\n"):
        _, _, kv = record.partition(b" ")
        key, _, value = kv.partition(b"=")
        if key == b"path":
            return value.decode("utf-8", "replace")
    return None


def _header_at(buf: bytearray, frm: int) -> int | None:
    """Offset of the first valid header starting at or after ``frm`` in ``buf``, at any
    alignment: bytes inserted or lost earlier shift every header after them."""
    at = buf.find(b"ustar", frm + _MAGIC_AT)
    while at >= 0:
        head = at - _MAGIC_AT
        if _checksum_ok(bytes(buf[head : head + BLOCK])):
            return head
        at = buf.find(b"ustar", at + 1)
    return None


def _next_ok(buf: bytearray, at: int) -> bool:
    """Whether a valid header, the end-of-archive marker or the end of the data is at ``at``."""
    block = bytes(buf[at : at + BLOCK])
    return len(block) < BLOCK or block == bytes(BLOCK) or _checksum_ok(block)


def _resync(stream: _Stream, ctx: ReadContext, uri: str) -> None:
    """Move to the next valid header (or the end), rejecting what is passed."""
    start = stream.pos
    frm = 1  # the damaged block itself is never the answer
    while True:
        stream.fill(len(stream.buf) + CHUNK_BYTES)
        head = _header_at(stream.buf, frm)
        if head is not None:
            stream.skip(head)
            ctx.rejects.add(
                "bad_tar_header",
                f"{uri} bytes {start}-{stream.pos}",
                "no valid header: skipped to the next one",
            )
            return
        if stream.eof:
            end = start + stream.skip(len(stream.buf))
            ctx.rejects.add("bad_tar_header", f"{uri} bytes {start}-{end}", "no valid header after")
            return
        stream.skip(max(len(stream.buf) - BLOCK, 1))  # keep what may hold a header's start
        frm = 0


def _member_data(
    stream: _Stream, size: int, ctx: ReadContext, uri: str, name: str
) -> tuple[bytes, bool]:
    """(a member's bytes, whether the archive ends inside it), its header passed. When the
    next header is not where the size says (bytes were inserted or lost inside the member),
    the member runs to a valid header found within ``SLACK`` bytes of there, or else to the
    first valid header inside it (bytes were lost), and the mismatch is rejected; a header
    that is a stray copy (``_stray``) is not taken for the next one. Farther away, the next
    header is more likely damaged than the member this much longer, unless the member's
    padding is not there either (its content goes on past its size: bytes were inserted):
    then it runs to the next valid header (or the end of the archive) at any distance up to
    the inflate cap. Valid headers inside the member so found (copies of headers from
    elsewhere, as when a span of the archive was copied into it) are rejected with their
    byte range and left out of its bytes."""
    nxt = _padded(size)
    stream.fill(nxt + 2 * SLACK)
    if len(stream.buf) < size:
        return stream.take(size), True
    head = None if _next_ok(stream.buf, nxt) else _next_header(stream, max(nxt - SLACK, 1))
    if head is not None and head - nxt > SLACK:
        head = None  # too far to be this member's end: a damaged header of the next one
    if head is None and not _next_ok(stream.buf, nxt):
        head = _next_header(stream, 1)  # one inside it: bytes were lost
        if head is not None and head >= nxt - SLACK:
            head = None
    if head is None and _grown(stream.buf, size, nxt):
        head = _header_after(stream, nxt)
    if head is None:  # as the header says (or nothing near: the main loop resynchronises)
        data = stream.take(size)
        stream.skip(nxt - size)
        return data, False
    start = stream.pos
    raw = stream.take(head)
    parts, at = [], 0
    for copy in _headers_in(raw):
        ctx.rejects.add(
            "bad_tar_header",
            f"{uri} bytes {start + copy}-{start + copy + BLOCK}",
            f"a header inside {name} (a copy out of place): left out of its bytes",
        )
        parts.append(raw[at:copy])
        at = copy + BLOCK
    data = b"".join([*parts, raw[at:]]).rstrip(b"\0")
    ctx.rejects.add(
        "tar_size_mismatch",
        f"{uri}!{name} bytes {start}-{stream.pos}",
        f"{size:,} bytes by its header, {len(data):,} to the next header",
    )
    return data, False


def _headers_in(raw: bytes) -> list[int]:
    """Offsets of the valid headers wholly inside ``raw`` (after its first byte)."""
    out: list[int] = []
    buf = bytearray(raw)
    at = _header_at(buf, 1)
    while at is not None and at + BLOCK <= len(raw):
        out.append(at)
        at = _header_at(buf, at + BLOCK)
    return out


def _stray(stream: _Stream, head: int) -> bool:
    """Whether the valid header at ``head`` (in the buffer) is a copy out of place, such as
    a span of the archive copied into a member: its size leads to no header (none within
    ``SLACK`` bytes of where it says, nor the end of the data), and another valid header
    comes well before that place. A member that lost or gained bytes has none inside it."""
    size = _size(bytes(stream.buf[head : head + BLOCK])) or 0
    nxt = head + BLOCK + _padded(min(size, max_inflate()))
    stream.fill(nxt + SLACK + BLOCK)
    inner = _header_at(stream.buf, head + BLOCK)
    if inner is None or inner >= nxt - SLACK:
        return False
    if len(stream.buf) >= nxt + BLOCK and _next_ok(stream.buf, nxt):
        return False
    near = _header_at(stream.buf, max(nxt - SLACK, inner))
    return near is None or abs(near - nxt) > SLACK


def _next_header(stream: _Stream, frm: int) -> int | None:
    """The first valid header at or after ``frm`` in the buffer that is not a stray copy."""
    while True:
        head = _header_at(stream.buf, frm)
        if head is None or not _stray(stream, head):
            return head
        frm = head + BLOCK


def _grown(buf: bytearray, size: int, nxt: int) -> bool:
    """Whether a member's content goes on past its size: where its zero padding should be
    (there is some) are other bytes, and no header, even a damaged one, where the next
    should be. A damaged next header leaves the padding before it as it was."""
    if nxt == size or not any(buf[size:nxt]):
        return False
    block = bytes(buf[nxt : nxt + BLOCK])
    marks = (  # a bit flip damages one of them; member content has none at those places
        block[_MAGIC_AT : _MAGIC_AT + 5] == b"ustar",
        block[124:136].strip(b"\0 ") != b"" and _octal(block[124:136]) is not None,
        block[148:156].strip(b"\0 ") != b"" and _octal(block[148:156]) is not None,
    )
    return sum(marks) < 2


def _header_after(stream: _Stream, nxt: int) -> int | None:
    """Where a grown member ends: the first valid header after ``nxt``, the end-of-archive
    marker or the end of the data (reading on up to the inflate cap; None past it)."""
    limit = max_inflate() + BLOCK
    frm = nxt
    while True:
        ends = [_next_header(stream, frm), stream.buf.find(bytes(2 * BLOCK), frm)]
        ends = [e for e in ends if e is not None and e >= 0]
        if stream.eof and not ends:
            ends = [len(stream.buf)]
        if ends or len(stream.buf) > limit:
            return min(ends) if ends and min(ends) <= limit else None
        frm = max(len(stream.buf) - 2 * BLOCK, nxt)  # an end may straddle the refill
        stream.fill(len(stream.buf) + CHUNK_BYTES)


def _trusted(stream: _Stream, block: bytes) -> bool:
    """A header whose checksum fails but whose size leads to a valid next header (or the
    end of the archive): its member is read, and the damage is reported."""
    size = _size(block)
    if size is None or block[_MAGIC_AT : _MAGIC_AT + 5] != b"ustar":
        return False
    nxt = BLOCK + _padded(size)
    if size > max_inflate() or not stream.fill(nxt + BLOCK):
        return False
    after = bytes(stream.buf[nxt : nxt + BLOCK])
    return after == bytes(BLOCK) or _checksum_ok(after)


def tar_members(chunks: Iterator[bytes | None], ctx: ReadContext, uri: str) -> Iterator[Member]:
    """The regular files of a tar stream, past damaged headers; every member above the
    inflate cap is rejected (``over_inflate_cap``) and skipped without being held."""
    stream = _Stream(chunks)
    limit = max_inflate()
    next_name: str | None = None
    while True:
        if not stream.fill(BLOCK):
            if stream.buf.strip(b"\0"):
                ctx.truncated("truncated_archive", f"{uri} byte {stream.pos}", "a cut header")
            return
        block = bytes(stream.buf[:BLOCK])
        if block == bytes(BLOCK):
            return  # the end-of-archive marker
        damaged = not _checksum_ok(block)
        if damaged:
            if not _trusted(stream, block):
                _resync(stream, ctx, uri)
                next_name = None
                continue
            ctx.rejects.add(
                "bad_tar_header",
                f"{uri} bytes {stream.pos}-{stream.pos + BLOCK}",
                "checksum mismatch: member read by its size, the next header is where it says",
            )
        offset = stream.pos
        stream.skip(BLOCK)
        size = _size(block) or 0
        kind = block[156:157]
        name = next_name or _name(block)
        next_name = None
        if kind in (b"L", b"x") and size <= 1 << 20:
            data = stream.take(size)
            stream.skip(_padded(size) - size)
            next_name = (
                data.split(b"\0", 1)[0].decode("utf-8", "replace")
                if kind == b"L"
                else _pax_path(data)
            )
            continue
        if kind not in _REGULAR:
            stream.skip(_padded(size))
            continue
        if size > limit:
            ctx.rejects.add("over_inflate_cap", f"{uri}!{name}", f"{size:,} bytes, cap {limit:,}")
            stream.skip(_padded(size))
            continue
        data, cut = _member_data(stream, size, ctx, uri, name)
        if cut:
            ctx.truncated("truncated_archive", f"{uri}!{name}", f"{len(data):,} of {size:,} bytes")
            yield Member(name, data, offset, cut=True, damaged=damaged)
            return
        yield Member(name, data, offset, damaged=damaged)


def archive_chunks(src: Source, ctx: ReadContext) -> Iterator[bytes | None]:
    """The decompressed bytes of a tar, tar.gz, tar.bz2 or tar.xz (members are capped, the
    archive is not); a damaged or cut compression ends the stream with a reject."""
    if src.data is not None:
        head = src.data[:6]
    else:
        with open(src.path, "rb") as fh:
            head = fh.read(6)
    if head[:3] == b"BZh" or head[:6] == b"\xfd7zXZ\x00":
        yield from _decompressed(
            src, ctx, bz2.BZ2Decompressor if head[:1] == b"B" else lzma.LZMADecompressor
        )
        return
    yield from iter_bytes(src, ctx, limit=None)


def _decompressed(src: Source, ctx: ReadContext, make) -> Iterator[bytes]:
    d = make()
    done = 0
    for block in iter_bytes(src, ctx, limit=None):
        if not block:
            continue
        try:
            out = d.decompress(block, CHUNK_BYTES)
            while out:
                yield out
                out = b"" if d.eof or d.needs_input else d.decompress(b"", CHUNK_BYTES)
        except (OSError, EOFError, ValueError, lzma.LZMAError) as exc:
            ctx.truncated("truncated_archive", f"{src.uri} byte {done}", str(exc))
            return
        done += len(block)
        if d.eof:
            return
    if not d.eof:
        ctx.truncated("truncated_archive", f"{src.uri} byte {done}", "compressed stream cut short")
