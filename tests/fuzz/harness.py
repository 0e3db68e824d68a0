"""A fuzz harness for the readers: seeded mutations of a good file of every format, each case
read as ``basewatch ingest --format <fmt>`` would read it, checked for what must never happen.

A case is a number: ``case(n)`` picks the seed, the mutation and its place from
``random.Random(n)``, so any case can be replayed alone (``python benchmarks/fuzz_readers.py
--replay N``). What is checked, per case:

- no exception leaves the reader (a crash of the process is caught one level up, by the
  runner, which reads cases in child processes);
- every table is in the reader schema, every reject row and identity row fits its table;
- valid-row retention: the positions of the undamaged file found again, against the
  undamaged file minus the records the mutation touched (``hostile.Unit``); measured where
  the damage can be placed in the content (not for bit flips inside compressed bytes, nor
  for the formats whose positions come from pairs of raw frames);
- every ``PIPELINE_EVERY``-th case also goes through ``bw.ingest`` into a fresh store, twice:
  the run ends ``ok`` and the re-run adds nothing.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import tempfile
import traceback
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import framing as F
import hostile as H
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from basewatch import schema
from basewatch.readers.base import ReadContext, RejectLog, Source
from basewatch.readers.pipeline import read_source
from basewatch.store import open_store

_START = datetime.fromtimestamp(H.T0, UTC)  # raw captures are read with --start T0

# the inflate cap while fuzzing: bombs are 64 MiB, 32 times over it, and every other case
# inflates to less than half of it (the largest seed is 650 KB, a mutation adds at most 120 KB).
# It was 8 MiB: a bomb then cost 154 ms of CPU against 24 ms for a case of another kind, 23 %
# of a campaign for 4 % of its cases (``--profile``); what a bomb checks (the cap holds, the
# file is a counted reject, memory stays bounded) does not depend on the cap's size
BOMB_CAP = "2MiB"
# a run through the store costs about ten cases read in process: one case in 500 keeps it
# under 2 % of a campaign and still gives 2,000 store runs per million cases
PIPELINE_EVERY = 500

# mutation kinds (and how often each is drawn)
KINDS = {
    "bit_flip": 4,
    "byte_insert": 3,
    "byte_delete": 3,
    "truncate": 2,
    "nesting": 2,
    "type_swap": 3,
    "encoding": 2,
    "splice": 1,
    "many_flips": 1,
    "gzip_cut": 1,
    "gzip_flip": 1,
    "bomb": 1,
    "tar_header": 2,  # tar seeds only; others draw again
}
NO_GZIP = ("opensky_parquet",)


@cache
def seeds() -> tuple[H.Seed, ...]:
    return tuple(H.seeds())


@dataclass
class Case:
    n: int
    seed: H.Seed
    kind: str
    data: bytes
    damaged: int | None  # rows the damage may cost; None: retention not measured
    where: str = ""


@dataclass
class Result:
    n: int
    fmt: str
    kind: str
    where: str
    error: str = ""  # an exception that left the reader, or a schema violation
    kept: int = 0  # positions of the undamaged file found again
    expected: int | None = None  # what must be found again (None: not measured)
    rejects: int = 0
    pipeline: str = ""  # "" not run, "ok", or what went wrong


# --- mutations --------------------------------------------------------------------------------


def _ranges_cost(seed: H.Seed, ranges: list[tuple[int, int]]) -> int:
    """Rows of the records a set of damaged byte ranges touches (two bytes either side too:
    a broken boundary, such as the ``,`` of a ``},\n{``, costs both neighbours)."""
    start, end, rows = _unit_arrays(seeds().index(seed))
    hit = np.zeros(len(start), dtype=bool)
    for a, b in ranges:
        hit |= (start <= b + 2) & (a - 2 <= end)
    return min(int(rows[hit].sum()), seed.rows)


@cache
def _unit_arrays(i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seed's units as arrays (start, end, rows): ``_ranges_cost`` runs once per case."""
    units = seeds()[i].units
    return (
        np.array([u.start for u in units], np.int64),
        np.array([u.end for u in units], np.int64),
        np.array([u.rows for u in units], np.int64),
    )


@cache
def _packed(i: int) -> bytes:
    """A seed gzip-compressed (as the gzip mutations damage it), made once per seed."""
    seed = seeds()[i]
    return gzip.compress(seed.data, 6) if seed.fmt not in NO_GZIP else seed.data


_TOKEN = re.compile(rb"-?\d+(?:\.\d+)?|\"[^\"\\\n]{0,40}\"|true|false|null")


def _token(data: bytes, rng: random.Random) -> tuple[int, int] | None:
    for _ in range(20):
        at = rng.randrange(len(data))
        m = _TOKEN.search(data, at, min(len(data), at + 400))
        if m:
            return m.span()
    return None


def _plain(seed: H.Seed, kind: str, rng: random.Random) -> tuple[bytes, list[tuple[int, int]]]:
    data = seed.data
    n = len(data)
    if kind == "bit_flip":
        at = rng.randrange(n)
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :], [(at, at)]
    if kind == "many_flips":
        out = bytearray(data)
        spots = sorted(rng.randrange(n) for _ in range(rng.randint(2, 12)))
        for at in spots:
            out[at] ^= 1 << rng.randrange(8)
        return bytes(out), [(a, a) for a in spots]
    if kind == "byte_insert":
        at = rng.randrange(n)
        byte = bytes([rng.choice(b'{}[],:"\\x\x00\xff0123456789 \n-.eE')])
        return data[:at] + byte + data[at:], [(at, at)]
    if kind == "byte_delete":
        at = rng.randrange(n)
        k = rng.choice((1, 1, 1, 2, 7, 64))
        return data[:at] + data[at + k :], [(at, at + k)]
    if kind == "truncate":
        at = rng.randrange(n)
        return data[:at], [(at, n)]
    if kind == "encoding":
        at = rng.randrange(n)
        bad = rng.choice((b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\xe2\x82"))
        return data[:at] + bad + data[at:], [(at, at)]
    if kind == "splice":  # a span of the file copied over another place
        a, b = sorted(rng.randrange(n) for _ in range(2))
        at = rng.randrange(n)
        piece = data[a : min(b, a + 4096)]
        return data[:at] + piece + data[at:], [(at, at)]
    if kind in ("nesting", "type_swap"):
        span = _token(data, rng)
        if span is None:
            return _plain(seed, "bit_flip", rng)
        a, b = span
        if kind == "nesting":
            depth = rng.choice((70, 300, 1100, 5000, 20_000))
            value = rng.choice((b"[", b'{"a":')) * depth
            value += b"1" + (b"]" * depth if value[:1] == b"[" else b"}" * depth)
        else:
            value = rng.choice(
                (b'"x"', b"123", b"true", b"{}", b"[]", b"null", b'"ground"', b"1e400", b"2e19")
            )
        return data[:a] + value + data[b:], [(a, b)]
    raise ValueError(kind)


def case(n: int) -> Case:
    """The ``n``-th case: a seed, a mutation, a place, all drawn from ``Random(n)``."""
    rng = random.Random(n)
    seed = rng.choice(seeds())
    kinds, weights = zip(*KINDS.items(), strict=True)
    kind = rng.choices(kinds, weights)[0]
    while kind == "tar_header" and seed.fmt != "globe_tar":
        kind = rng.choices(kinds, weights)[0]
    measured = seed.records
    gz = seed.fmt not in NO_GZIP and rng.random() < 0.3
    where = ""
    if kind == "bomb":
        head = seed.data[: rng.randrange(1, min(len(seed.data), 4096))]
        data = H.gzip_bomb(head, rng.choice((b" ", b"\x00", b"[", b"a", b"\n")), 64 << 20)
        return Case(n, seed, kind, data, None, f"head {len(head)}")
    if kind in ("gzip_cut", "gzip_flip"):
        packed = _packed(seeds().index(seed))
        at = rng.randrange(len(packed))
        if kind == "gzip_cut":
            data = packed[:at]
            try:
                prefix = (
                    len(zlib.decompressobj(31).decompress(data)) if data[:2] == b"\x1f\x8b" else at
                )
            except zlib.error:
                prefix = 0
            damaged = _ranges_cost(seed, [(prefix, len(seed.data))]) if measured else None
        else:
            data = packed[:at] + bytes([packed[at] ^ (1 << rng.randrange(8))]) + packed[at + 1 :]
            damaged = None
        return Case(n, seed, kind, data, damaged, f"byte {at}")
    if kind == "tar_header":
        heads = [u for u in seed.units if u.shared]
        u = rng.choice(heads)
        at = u.start + rng.randrange(512)
        data = bytearray(seed.data)
        data[at] ^= 1 << rng.randrange(8)
        ranges = [(u.start, u.start + 512)]
        data = bytes(data)
        where = f"byte {at}"
    else:
        data, ranges = _plain(seed, kind, rng)
        where = f"bytes {ranges[0][0]}-{ranges[-1][1]}"
    damaged = _ranges_cost(seed, ranges) if measured else None
    if gz:
        data = gzip.compress(data, 1)
        where += " (gzip)"
    return Case(n, seed, kind, data, damaged, where)


# --- reading a case ---------------------------------------------------------------------------


def _keys(tables: list[pa.Table]) -> set[tuple]:
    out: set[tuple] = set()
    for t in tables:
        if not t.num_rows:
            continue
        t = t.filter(pc.is_valid(t.column("ts")))
        ts = t.column("ts").cast(pa.int64()).to_numpy(zero_copy_only=False)
        lat = np.round(t.column("lat_deg").to_numpy(zero_copy_only=False), 7)
        lon = np.round(t.column("lon_deg").to_numpy(zero_copy_only=False), 7)
        icao = t.column("icao24").to_pylist()
        out.update(zip(icao, ts.tolist(), lat.tolist(), lon.tolist(), strict=True))
    return out


def _receiver(seed: H.Seed) -> tuple[float, float] | None:
    """Where the raw frames were received (surface positions need it)."""
    return F.RECEIVER if seed.fmt in ("beast", "avr", "frames_jsonl") else None


def read(data: bytes, seed: H.Seed) -> tuple[list[pa.Table], ReadContext]:
    rejects = RejectLog("fuzz")
    rejects.source_id, rejects.uri = "0" * 16, seed.name
    # raw captures carry no date: they are read as `--start T0` would read them
    ctx = ReadContext(rejects=rejects, start_ts=float(H.T0), receiver=_receiver(seed))
    src = Source(uri=seed.name, data=data)
    return list(read_source(src, seed.fmt, ctx)), ctx


def _check_schemas(tables: list[pa.Table], ctx: ReadContext) -> None:
    want = schema.READER_POSITIONS
    for t in tables:
        got = t.schema
        if not got.equals(want):
            raise AssertionError(f"reader table schema {t.schema}")
    pa.Table.from_pylist(
        [dict(a, source_id="0" * 16) for a in ctx.aircraft], schema=schema.AIRCRAFT_OBSERVED
    )
    ctx.rejects.drain()


@cache
def baseline(i: int) -> frozenset:
    seed = seeds()[i]
    tables, ctx = read(seed.data, seed)
    assert not ctx.rejects.counts, (seed.name, ctx.rejects.counts)
    return frozenset(_keys(tables))


def run(n: int, pipeline: bool | None = None, every: int = PIPELINE_EVERY) -> Result:
    c = case(n)
    res = Result(n, c.seed.fmt, c.kind, c.where)
    try:
        tables, ctx = read(c.data, c.seed)
        _check_schemas(tables, ctx)
    except Exception as exc:  # what the harness is here to find
        res.error = local_paths_out(
            f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-4)}"
        )
        return res
    res.rejects = ctx.rejects.total
    base = baseline(seeds().index(c.seed))
    res.kept = len(_keys(tables) & base)
    if c.damaged is not None:
        res.expected = max(0, len(base) - c.damaged)
    if pipeline if pipeline is not None else n % every == 0:
        res.pipeline = _through_store(c)
    return res


_FILE = re.compile(r'File "[^"]*?/((?:site-packages|src|tests|lib/python[0-9.]+)/[^"]*)"')
_TEMP = re.compile(re.escape(tempfile.gettempdir()) + r"/[^\s'\"]*")


def local_paths_out(text: str) -> str:
    """A finding as it may be kept in the repository: the files of a traceback from their
    package or source folder on, temporary files as <tmp>; no path of this machine."""
    return _TEMP.sub("<tmp>", _FILE.sub(r'File "\1"', text))


def _through_store(c: Case) -> str:
    import basewatch as bw

    with tempfile.TemporaryDirectory(prefix="basewatch-fuzz-") as tmp:
        path = Path(tmp) / c.seed.name
        path.write_bytes(c.data)
        db = Path(tmp) / "fuzz.duckdb"
        try:
            opts = dict(format=c.seed.fmt, receiver=_receiver(c.seed), start=_START)
            first = bw.ingest([path], db=db, **opts)
            again = bw.ingest([path], db=db, **opts)
        except Exception as exc:
            return local_paths_out(f"{type(exc).__name__}: {exc}")
        if again.rows_added:
            return f"re-run added {again.rows_added} rows"
        with open_store(db, read_only=True) as store:
            status = store.con.execute("SELECT list(status) FROM runs").fetchone()[0]
        if status != ["ok", "ok"]:
            return f"runs {status}"
        del first
    return "ok"


LISTED = 50  # cases listed per kind of finding (the counts are whole)


def _note(listed: list[str], more: list[str]) -> None:
    listed += more[: max(0, LISTED - len(listed))]


@dataclass
class Tally:
    """The figures of many cases: whole counts, the first ``LISTED`` cases of each finding."""

    cases: int = 0
    errors: int = 0
    error_cases: list[str] = field(default_factory=list)
    pipeline_runs: int = 0
    pipeline_failures: int = 0
    pipeline_failure_cases: list[str] = field(default_factory=list)
    kept: int = 0
    expected: int = 0
    short: int = 0  # measured cases below 99 %
    short_cases: list[str] = field(default_factory=list)
    by_kind: Counter = field(default_factory=Counter)
    by_format: Counter = field(default_factory=Counter)

    def add(self, r: Result) -> None:
        self.cases += 1
        self.by_kind[r.kind] += 1
        self.by_format[r.fmt] += 1
        if r.error:
            self.errors += 1
            _note(self.error_cases, [f"case {r.n} ({r.fmt}, {r.kind}, {r.where}): {r.error}"])
        if r.pipeline:
            self.pipeline_runs += 1
            if r.pipeline != "ok":
                self.pipeline_failures += 1
                _note(
                    self.pipeline_failure_cases, [f"case {r.n} ({r.fmt}, {r.kind}): {r.pipeline}"]
                )
        if r.expected is not None:
            kept = min(r.kept, r.expected)
            self.kept += kept
            self.expected += r.expected
            if r.expected and kept < 0.99 * r.expected:
                self.short += 1
                _note(
                    self.short_cases,
                    [f"case {r.n} ({r.fmt}, {r.kind}, {r.where}): kept {r.kept} of {r.expected}"],
                )

    def merge(self, rec: dict) -> None:
        """Add the figures of another tally (``as_record``: another chunk, another campaign)."""
        for key in ("cases", "errors", "pipeline_runs", "pipeline_failures", "kept"):
            setattr(self, key, getattr(self, key) + rec[key])
        self.expected += rec["expected"]
        self.short += rec["short"]
        for key in ("error_cases", "pipeline_failure_cases", "short_cases"):
            _note(getattr(self, key), rec[key])
        self.by_kind.update(rec["by_kind"])
        self.by_format.update(rec["by_format"])

    def as_record(self) -> dict:
        rec = {k: getattr(self, k) for k in self.__dataclass_fields__}
        rec["error_cases"] = [e[:2000] for e in self.error_cases]
        rec["by_kind"], rec["by_format"] = dict(self.by_kind), dict(self.by_format)
        return rec

    @property
    def retention(self) -> float:
        return self.kept / self.expected if self.expected else 1.0


def fuzz_env() -> None:
    os.environ.setdefault("BASEWATCH_MAX_INFLATE", BOMB_CAP)
