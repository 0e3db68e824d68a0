"""Every id basewatch makes, made here, and shown one way: 16 lower-case hex digits.

Two kinds of id, both 64 bits:

- ids of numbers (positions, flights, airfield events, receptions): a splitmix64 chain. ``mix``
  is the numpy reference, ``mix_nb`` its compiled twin for kernels that make ids row by row;
  the tests hold the two equal.
- ids of text or bytes (files, article addresses, changes, alerts, news events): xxh3-64
  (``of_text``, ``of_bytes``).

Every id leaves the store and the API as a string of 16 hex digits (``hex16``), in tables,
JSON, CSV, the brief and the web alike, and every command that takes an id takes that string
(``parse``). JSON never carries a 64-bit integer, which JavaScript and jq would round.
"""

from __future__ import annotations

import re

import numba as nb
import numpy as np
import pyarrow as pa
import xxhash

from .errors import ConfigError

M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # the first step of a chain over an address

_ID = re.compile(r"[0-9a-f]{16}")


def mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a fixed, well-spread 64-bit mix (stable across versions)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * M1
        x = x ^ (x >> np.uint64(27))
        x = x * M2
        return x ^ (x >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def mix_nb(x):
    """``mix`` of one uint64, for compiled kernels."""
    x = x ^ (x >> np.uint64(30))
    x = x * M1
    x = x ^ (x >> np.uint64(27))
    x = x * M2
    return x ^ (x >> np.uint64(31))


def chain(*parts: np.ndarray) -> np.ndarray:
    """``mix`` folded over equal-length integer arrays: the id of each row of numbers."""
    with np.errstate(over="ignore"):
        h = mix(np.asarray(parts[0]).astype(np.uint64))
        for p in parts[1:]:
            h = mix(h ^ np.asarray(p).astype(np.int64).view(np.uint64))
    return h


_NIBBLES = np.frombuffer(b"0123456789abcdef", np.uint8)
_SHIFTS = np.arange(60, -1, -4, dtype=np.uint64)


def hex16(values: np.ndarray | pa.Array) -> pa.Array:
    """64-bit integers → strings of 16 hex digits (vectorised; nulls stay null)."""
    mask = None
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        mask = values.is_null().to_numpy(zero_copy_only=False) if values.null_count else None
        values = values.fill_null(0).to_numpy(zero_copy_only=False)
    v = np.asarray(values).astype(np.uint64)
    digits = _NIBBLES[((v[:, None] >> _SHIFTS) & np.uint64(15)).astype(np.intp)]
    text = np.ascontiguousarray(digits).view("S16").ravel()
    out = pa.array(text, pa.binary(16)).cast(pa.string())
    if mask is not None and mask.any():
        out = pa.array([None if m else s for s, m in zip(out.to_pylist(), mask, strict=True)])
    return out


def show(value: int) -> str:
    """One id as its 16 hex digits."""
    return f"{int(value) & 0xFFFFFFFFFFFFFFFF:016x}"


def of_text(*parts: object) -> str:
    """The id of a text key made of ``parts`` (joined with '|')."""
    return xxhash.xxh3_64_hexdigest("|".join(str(p) for p in parts).encode("utf-8"))


def of_bytes(data: bytes) -> str:
    """The id of a byte string."""
    return xxhash.xxh3_64_hexdigest(data)


def hasher():
    """A streaming xxh3-64 for content too large to hold (``.update``, ``.hexdigest``)."""
    return xxhash.xxh3_64()


def parse(value: str, what: str = "id") -> str:
    """An id given by a user: 16 hex digits (case and surrounding space ignored)."""
    v = str(value).strip().lower()
    if v.startswith(("flight:", "event:", "change:", "article:")):
        v = v.split(":", 1)[1]
    if not _ID.fullmatch(v):
        raise ConfigError(f"{what} {value!r}: expected 16 hex digits, e.g. 3f9a0c2e51d4b871")
    return v
