"""Country of an aircraft from its ICAO 24-bit address block.

ICAO hands each state one or more blocks of 24-bit addresses (Annex 10 Vol III). basewatch ships
the block table of the ``traffic`` library (``data/icao_ranges.json``, MIT; see
``data/README.md``). It dates from 2013: some blocks were reassigned since (2024 amendments), so
a user file in the same JSON shape may add or override blocks; its blocks win over shipped ones.

The lookup is vectorised: the blocks are flattened once into non-overlapping segments (the most
specific block wins where blocks nest, e.g. Namibia inside the unassigned AFI region), and a
column of addresses is placed among the segment starts with ``numpy.searchsorted``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..errors import ConfigError

_MAX = 0xFFFFFF
_RI_A = 0x1F1E6  # REGIONAL INDICATOR SYMBOL LETTER A


def shipped_ranges_file() -> Path:
    return Path(str(resources.files("basewatch") / "data" / "icao_ranges.json"))


def iso2_from_flag(flag: str | None) -> str | None:
    """'🇷🇺' (two regional indicator symbols) → 'RU'; anything else → None."""
    if not flag or len(flag) != 2:
        return None
    codes = [ord(c) - _RI_A for c in flag]
    if all(0 <= c < 26 for c in codes):
        return "".join(chr(ord("A") + c) for c in codes)
    return None


@dataclass(frozen=True, slots=True)
class Block:
    start: int
    end: int  # inclusive
    country: str
    iso2: str | None
    rank: int  # 0 shipped, 1.. user files in order: a higher rank wins

    @property
    def size(self) -> int:
        return self.end - self.start + 1


def _parse_address(value: object, path: Path, i: int, key: str) -> int:
    try:
        n = int(value, 16) if isinstance(value, str) else int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(
            f"{path}: register #{i + 1} {key} {value!r} is not a hex address like 0x100000"
        ) from None
    if not 0 <= n <= _MAX:
        raise ConfigError(f"{path}: register #{i + 1} {key} {value!r} is outside 0x000000–0xffffff")
    return n


def read_blocks(path: str | Path, rank: int = 0) -> list[Block]:
    """The address blocks of one file: ``{"registers": [{"start", "end", "country", ...}]}``.

    Entries without ``start``/``end`` (registration patterns only) are skipped. ``iso2`` may be
    given directly; otherwise it is read from the ``flag`` emoji.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError(f"{path}: ICAO address block file not found") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read ICAO address blocks ({exc})") from exc
    regs = doc.get("registers") if isinstance(doc, dict) else None
    if not isinstance(regs, list):
        raise ConfigError(f"{path}: expected a JSON object with a 'registers' list")
    out = []
    for i, reg in enumerate(regs):
        if not isinstance(reg, dict):
            raise ConfigError(f"{path}: register #{i + 1} is not an object")
        if "start" not in reg and "end" not in reg:
            continue
        start = _parse_address(reg.get("start"), path, i, "start")
        end = _parse_address(reg.get("end"), path, i, "end")
        if end < start:
            raise ConfigError(f"{path}: register #{i + 1} ends before it starts")
        country = reg.get("country")
        if not isinstance(country, str) or not country:
            raise ConfigError(f"{path}: register #{i + 1} has no country name")
        iso2 = reg.get("iso2") or iso2_from_flag(reg.get("flag"))
        out.append(Block(start, end, country, iso2.upper() if iso2 else None, rank))
    return out


class CountryBlocks:
    """Non-overlapping address segments → (ISO alpha-2, country name)."""

    def __init__(self, blocks: Iterable[Block]) -> None:
        blocks = list(blocks)
        # elementary segments between every block boundary; each takes its best covering block:
        # a later file first, then a named country over an unassigned region, then the smallest
        bounds = sorted({0, _MAX + 1} | {b.start for b in blocks} | {b.end + 1 for b in blocks})
        starts = np.array(bounds[:-1], dtype=np.int64)
        best = np.full(len(starts), -1, dtype=np.int64)
        key = [(-1, -1, 0)] * len(starts)
        for j, b in enumerate(blocks):
            lo, hi = np.searchsorted(starts, [b.start, b.end + 1])
            k = (b.rank, b.iso2 is not None, -b.size)
            for s in range(lo, hi):
                if k > key[s]:
                    key[s], best[s] = k, j
        self.starts = starts
        self.iso2 = np.array([blocks[j].iso2 if j >= 0 else None for j in best], dtype=object)
        self.country = np.array([blocks[j].country if j >= 0 else None for j in best], dtype=object)
        self.blocks = blocks

    def lookup_u64(self, addresses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        idx = np.searchsorted(self.starts, addresses.astype(np.int64), side="right") - 1
        idx = np.clip(idx, 0, len(self.starts) - 1)
        return self.iso2[idx], self.country[idx]

    def lookup(self, icao24: pa.Array | pa.ChunkedArray | list[str]) -> pa.Table:
        """A column of 6-hex-digit addresses → table (icao24, country_iso2, country).

        Addresses that are not 6 hex digits get nulls.
        """
        arr = pa.array(icao24, pa.string()) if isinstance(icao24, list) else icao24
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        arr = arr.cast(pa.string())
        valid = pc.match_substring_regex(arr, r"^[0-9a-fA-F]{6}$").fill_null(False)
        clean = pc.if_else(valid, arr, pa.scalar("000000"))
        iso2, country = self.lookup_u64(schema.hex_to_u64(clean))
        mask = ~valid.to_numpy(zero_copy_only=False)
        return pa.table(
            {
                "icao24": arr,
                "country_iso2": pa.array(iso2, pa.string(), mask=mask),
                "country": pa.array(country, pa.string(), mask=mask),
            }
        )

    def country_of(self, icao24: str) -> tuple[str | None, str | None]:
        row = self.lookup([icao24]).to_pylist()[0]
        return row["country_iso2"], row["country"]


@lru_cache(maxsize=8)
def _load(extra: tuple[str, ...]) -> CountryBlocks:
    blocks = read_blocks(shipped_ranges_file(), rank=0)
    for i, path in enumerate(extra, start=1):
        blocks += read_blocks(path, rank=i)
    return CountryBlocks(blocks)


def load_blocks(extra: Iterable[str | Path] = ()) -> CountryBlocks:
    """The shipped blocks plus the user's files (later files override earlier ones)."""
    return _load(tuple(str(Path(p).expanduser().resolve()) for p in extra))
