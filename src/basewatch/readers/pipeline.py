"""Ingest: inputs → readers → (decoder) → deduplicated ``positions`` in the store.

reads:   files, folders, archives, tcp:// feeds
writes:  position_rows (read as positions), aircraft_observed, sources, rejects, runs
rejects: every reason a reader or the decoder gives, plus unreadable / unknown_format

Idempotent: a file already ingested whole is skipped by content hash, and every position has a
content id, so re-reading a file or an overlapping stream segment adds no rows.
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..errors import BasewatchError, FormatError, InputError
from ..store import DEFAULT_MEMORY_LIMIT, Store, append
from ..store.callsigns import Callsigns
from ..store.runs import Report, RunRecord, write_run
from . import detect as _detect
from . import over_cap
from .base import ReadContext, RejectLog, Source, content_id, stream_id
from .frames import rebatch
from .ids import SAME_WITHIN_S, ids_and_addresses, neighbour_ids
from .modes import DecodeParams, decode_frames
from .seen import SeenIds, StoredSpans

log = logging.getLogger(__name__)

READ_WHOLE_BYTES = 32 << 20  # files up to this size are read once into memory

# format → (module, function, what it yields)
READERS: dict[str, tuple[str, str, str]] = {
    "beast": ("beast", "read_beast", "frames"),
    "avr": ("avr", "read_avr", "frames"),
    "frames_jsonl": ("rawjson", "read_frames_jsonl", "frames"),
    "sbs": ("sbs", "read_sbs", "positions"),
    "aircraft_json": ("readsb", "read_aircraft_json", "positions"),
    "trace_full": ("readsb", "read_trace_full", "positions"),
    "globe_tar": ("readsb", "read_globe_history_tar", "positions"),
    "opensky_csv": ("opensky", "read_opensky_csv", "positions"),
    "opensky_parquet": ("opensky", "read_opensky_parquet", "positions"),
    "traffic_json": ("trajectories", "read_traffic_json", "positions"),
}


# where the times of a run's rows came from (counters: frames or rows), as the summary says it
_TIME_FROM = {
    "time_from_data": "the data",
    "time_from_start": "--start",
    "time_from_arrival": "arrival",
}


# which reference the surface positions of raw captures were decoded against (counters)
_SURFACE = {
    "surface_ref_own": "the aircraft's last airborne position",
    "surface_ref_own_next": "its next airborne position",
    "surface_ref_receiver": "--receiver",
    "surface_ref_neighbour": "another aircraft's surface position nearby",
    "surface_no_reference": "none, not decoded",
}


@dataclass
class IngestReport(Report):
    run_id: str
    sources: int = 0
    sources_skipped: int = 0
    rows_read: int = 0
    rows_added: int = 0
    rejects: Counter[str] = field(default_factory=Counter)
    counters: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    incomplete: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rej = sum(self.rejects.values())
        by = ", ".join(f"{k} {v:,}" for k, v in self.rejects.most_common())
        parts = [
            f"{self.sources} source{'s' if self.sources != 1 else ''}",
            f"{self.rows_read:,} positions read",
            f"{self.rows_added:,} new",
            f"{rej:,} rejected" + (f" ({by})" if by else ""),
        ]
        if self.sources_skipped:
            parts.append(f"{self.sources_skipped} already ingested")
        if self.incomplete:
            parts.append(f"{len(self.incomplete)} cut short")
        for what, names in (("time from", _TIME_FROM), ("surface positions against", _SURFACE)):
            got = [(k, self.counters[k]) for k in names if self.counters.get(k)]
            if got:
                parts.append(f"{what} " + ", ".join(f"{names[k]} ({n:,})" for k, n in got))
        return "ingest: " + ", ".join(parts) + f" in {self.seconds:.1f} s"

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "sources": self.sources,
            "sources_skipped": self.sources_skipped,
            "rows_read": self.rows_read,
            "rows_added": self.rows_added,
            "rejects": dict(self.rejects),
            "counters": dict(self.counters),
            "seconds": round(self.seconds, 3),
            "incomplete": self.incomplete,
        }


@dataclass
class Progress:
    """Callbacks the CLI hooks a progress bar to; no-ops by default."""

    total: Callable[[int], None] = lambda n: None
    advance: Callable[[int], None] = lambda n: None


def reader_for(fmt: str) -> tuple[Callable, str]:
    mod, fn, kind = READERS[fmt]
    module = importlib.import_module(f"{__package__}.{mod}")
    return getattr(module, fn), kind


def read_source(
    src: Source, fmt: str, ctx: ReadContext, params: DecodeParams = DecodeParams()
) -> Iterator[pa.Table]:
    """Position tables from one source (decoding raw frames on the way)."""
    reader, kind = reader_for(fmt)
    tables = reader(src, ctx)
    if kind == "frames":
        tables = decode_frames(rebatch(tables), ctx, params)
    yield from tables


def expand(inputs: Iterable[str | os.PathLike], rejects: RejectLog) -> Iterator[Source]:
    """Files, folders (walked, sorted) and tcp:// addresses → sources."""
    for item in inputs:
        text = str(item)
        if text.startswith("tcp://"):
            yield Source(uri=text)
            continue
        p = Path(text)
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        f = Path(root) / name
                        yield Source(uri=str(f), path=f)
        else:
            yield Source(uri=str(p), path=p)


def to_position_rows(
    tables: list[pa.Table], source_ids: list[str], callsigns: Callsigns
) -> pa.Table:
    """Reader tables (in READER_POSITIONS) → the stored form, POSITION_ROWS: ids stamped,
    address, Mode A code and source as integers, callsigns as keys (``callsigns`` writes the
    new ones to the store).

    Done once per writer batch rather than once per table: a globe_history day is tens of
    thousands of small files.
    """
    if any("position_id" in t.column_names for t in tables):
        return _in_order(tables)  # put in stored form by a worker (``parallel.stored_form``)
    # one contiguous chunk: the id kernel reads it in place and DuckDB appends it whole
    t = pa.concat_tables(tables).combine_chunks()
    pid, icao = ids_and_addresses(t)
    numbers = np.array([schema.source_number(s) for s in source_ids], np.uint64)
    stored = {
        "position_id": pid,
        "icao": icao,
        "source": np.repeat(numbers, [x.num_rows for x in tables]),
        "callsign_key": callsigns.keys(t.column("callsign")),
    }
    return pa.table(
        [stored[f.name] if f.name in stored else t.column(f.name) for f in schema.POSITION_ROWS],
        schema=schema.POSITION_ROWS,
    )


def _in_order(tables: list[pa.Table]) -> pa.Table:
    """Tables already in stored form, in input order, as one contiguous copy (as
    ``to_position_rows`` gives raw ones: the checks and DuckDB read it whole)."""
    if not all("position_id" in t.column_names for t in tables):
        raise ValueError("a writer batch mixes stored-form and reader tables")
    return pa.concat_tables(tables).combine_chunks()


_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def _mid_bytes(shown: str) -> str:
    """DuckDB's rounded-down size text ("2.7 GiB") → bytes halfway to the next step, as text
    DuckDB reads back ("2952790016B"); it shows the same text again."""
    try:
        number, unit = shown.split()
        step = 10.0 ** -len(number.partition(".")[2])
        return f"{int((float(number) + step / 2) * _UNITS[unit])}B"
    except (ValueError, KeyError):  # a form not met so far: as shown
        return shown


ROW_GROUP = 122_880  # DuckDB's row group: appends of whole groups are compressed once


def _search(values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``np.searchsorted(values, queries)`` for sorted ``values``, the queries taken in sorted
    order: the searches then walk memory in order (6 ms instead of 19 ms for 122,880 random
    ids in as many, measured here; through ``sorter=`` every step is a cache miss)."""
    order = np.argsort(queries)
    at = np.empty(len(queries), np.intp)
    at[order] = np.searchsorted(values, queries[order])
    return at


def _near(ids: np.ndarray, t: np.ndarray, other: np.ndarray, other_t: np.ndarray, tol: int):
    """Which of (``ids``, ``t``) match an id of ``other`` whose time is less than ``tol`` away."""
    if not len(other):
        return np.zeros(len(ids), dtype=bool)
    order = np.argsort(other)
    at = order[np.minimum(_search(other[order], ids), len(other) - 1)]
    return (other[at] == ids) & (np.abs(other_t[at] - t) < tol)


class _Writer:
    """Gathers rows in memory up to ``BATCH`` and moves the new ones into ``position_rows``.

    A row is a duplicate when its id is already stored or comes earlier in this run. Two cheap
    tests clear almost every row without looking in the store: a Bloom filter of the ids this
    run has met ("certainly not met" is exact), and the time span each aircraft had in the
    store before the run (an id hashes address and time, so a row outside its aircraft's
    stored span cannot repeat a stored row). Only the rows left flagged are checked exactly:
    first occurrence within the batch with numpy, then one semi-join against the store over
    the batch's time window (± 1 day, as receiver clocks of raw captures may be re-anchored).
    Past ``EXACT_MAX`` flagged rows the whole batch takes the exact path.

    Rows go into DuckDB in whole row groups; the remainder waits for the next batch (or
    ``close``), so a checkpoint never has to rewrite half-filled groups. Every two row groups
    the written blocks are dropped from DuckDB's cache, so memory does not grow with the
    input (dropping it after every append costs 4 % more time for 1 % less memory).
    """

    BATCH = ROW_GROUP  # one row group in memory at a time: the peak does not grow with it
    CHECKPOINT_ROWS = 8 * ROW_GROUP  # DuckDB holds rows in memory until a checkpoint
    EXACT_MAX = 4096  # flagged rows resolved one by one; more than this: check the whole batch
    EVICT_ROWS = 2 * ROW_GROUP  # DuckDB caches about 4 MiB per row group written
    EVICT_TO = "16MB"  # its cache right after (file stores only)

    def __init__(self, store: Store) -> None:
        from ..lake import refuse_writes

        refuse_writes(store.con, "ingest")
        self.con = store.con
        self.pending: list[pa.Table] = []  # reader tables, without ids yet
        self.pending_sources: list[str] = []
        self.rows = 0
        self.carry: pa.Table | None = None  # new rows waiting for a whole row group
        self.since_checkpoint = self.since_eviction = 0
        self.added: Counter[str] = Counter()
        self.seen = SeenIds()
        self.callsigns = Callsigns(self.con)
        # what the store held before this run: the filter knows nothing of it
        self.stored = StoredSpans(self.con)
        # FSST never wins on these columns (short, repetitive strings) but its analysis
        # costs about a tenth of the append; other tables keep it
        self._compression = self._setting("disabled_compression_methods")
        self._memory_limit = self._limit_text()
        # an in-memory store would spill its tables to disk instead: it keeps them
        self._evict = store.path is not None
        methods = {m.strip().lower() for m in self._compression.split(",") if m.strip()}
        self.con.execute(f"SET disabled_compression_methods = '{','.join(methods | {'fsst'})}'")

    def _setting(self, name: str) -> str:
        sql = "SELECT value FROM duckdb_settings() WHERE name = ?"
        return self.con.execute(sql, [name]).fetchone()[0]

    def _limit_text(self) -> str:
        """The memory limit as text that sets it back exactly.

        DuckDB shows the limit rounded down to 0.1 MiB, so setting back what it shows would
        lower it a little each time. The store opens with a limit we know; use its text when
        it is still the one in force.
        """
        shown = self._setting("memory_limit")
        ours = os.environ.get("BASEWATCH_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)
        try:
            self.con.execute(f"SET memory_limit = '{ours}'")
        except duckdb.Error:  # not ours (it would not fit what is in use): leave it
            return shown
        if self._setting("memory_limit") == shown:
            return ours
        # someone else's: the middle of what the rounded text stands for shows the same text
        near = _mid_bytes(shown)
        self.con.execute(f"SET memory_limit = '{near}'")
        return near

    def stage(self, table: pa.Table, source_id: str) -> None:
        # batches of exactly BATCH rows: with no duplicates nothing is carried over, and the
        # batch goes to DuckDB as the one contiguous copy ``to_position_rows`` made
        while table.num_rows:
            part = table.slice(0, self.BATCH - self.rows)
            table = table.slice(part.num_rows)
            self.pending.append(part)
            self.pending_sources.append(source_id)
            self.rows += part.num_rows
            if self.rows >= self.BATCH:
                self.flush()

    def flush(self, final: bool = False) -> None:
        if self.rows:
            batch = to_position_rows(self.pending, self.pending_sources, self.callsigns)
            self.pending, self.pending_sources, self.rows = [], [], 0
            new = self._new_rows(batch)
            del batch
            for vc in pc.value_counts(new.column("source")).to_pylist():
                self.added[f"{vc['values']:016x}"] += vc["counts"]
            if self.carry is not None:
                new = pa.concat_tables([self.carry, new]).combine_chunks()
            self.carry = new
        if self.carry is None:
            return
        n = self.carry.num_rows if final else self.carry.num_rows // ROW_GROUP * ROW_GROUP
        if n:
            self._append(self.carry.slice(0, n))
            rest = self.carry.slice(n)
            # copied: a slice would keep the whole batch alive until the next one
            self.carry = rest.take(np.arange(rest.num_rows)) if rest.num_rows else None

    def _new_rows(self, batch: pa.Table) -> pa.Table:
        return self._not_neighbours(self._new_by_id(batch))

    def _not_neighbours(self, batch: pa.Table) -> pa.Table:
        """Drop the rows that repeat an earlier report from across the edge of a second (see
        ``ingest/ids.py``): the id they would have there belongs to a row stored, carried or
        earlier in the batch, less than ``SAME_WITHIN_S`` away."""
        if not batch.num_rows:
            return batch
        ts = batch.column("ts")
        t = ts.cast(pa.int64()).to_numpy()
        nids = neighbour_ids(
            batch.column("icao").to_numpy(),
            t,
            batch.column("lat_deg").to_numpy(),
            batch.column("lon_deg").to_numpy(),
            batch.column("alt_baro_ft").fill_null(-99999).to_numpy(),
        )
        tol = int(SAME_WITHIN_S * 1_000_000)
        ids = batch.column("position_id").to_numpy()
        order = np.argsort(ids)
        at = order[np.minimum(_search(ids[order], nids), len(ids) - 1)]
        rows = np.arange(len(ids))
        hit = (ids[at] == nids) & (at < rows) & (np.abs(t[at] - t) < tol)
        if self.carry is not None:
            hit |= _near(
                nids,
                t,
                self.carry.column("position_id").to_numpy(),
                self.carry.column("ts").cast(pa.int64()).to_numpy(),
                tol,
            )
        lo, hi = pc.min(ts).as_py(), pc.max(ts).as_py()
        maybe = ~hit & (
            self.seen.check(nids) | self.stored.may_hold(batch.column("icao"), ts, lo, hi)
        )
        if maybe.any():
            sid, st = self._stored_times(np.unique(nids[maybe]), lo, hi)
            hit[maybe] |= _near(nids[maybe], t[maybe], sid, st, tol)
        if not hit.any():
            return batch
        return batch.filter(pa.array(~hit))

    def _stored_times(self, ids: np.ndarray, lo, hi) -> tuple[np.ndarray, np.ndarray]:
        """(id, time in µs) of the stored rows among ``ids`` between ``lo`` and ``hi``."""
        con = self.con
        con.register("_ids", pa.table({"position_id": pa.array(ids, pa.uint64())}))
        try:
            rows = con.execute(
                """
                SELECT position_id, epoch_us(ts) FROM position_rows
                WHERE ts BETWEEN ?::TIMESTAMPTZ - INTERVAL 1 DAY AND ?::TIMESTAMPTZ + INTERVAL 1 DAY
                  AND position_id IN (SELECT position_id FROM _ids)
                """,
                [lo, hi],
            ).fetchall()
        finally:
            con.unregister("_ids")
        return np.array([r[0] for r in rows], np.uint64), np.array([r[1] for r in rows], np.int64)

    def _new_by_id(self, batch: pa.Table) -> pa.Table:
        ids = batch.column("position_id").to_numpy()
        flagged_mask = self.seen.check_add(ids)
        ts = batch.column("ts")
        lo, hi = pc.min(ts).as_py(), pc.max(ts).as_py()
        flagged_mask |= self.stored.may_hold(batch.column("icao"), ts, lo, hi)
        n_flagged = int(np.count_nonzero(flagged_mask))
        if n_flagged > self.EXACT_MAX:
            return self._exact(batch, ids)
        if n_flagged == 0:
            return batch
        # a few flagged rows: are they repeats within the batch or the carry, or in the store?
        carry_ids = (
            self.carry.column("position_id").to_numpy() if self.carry is not None else ids[:0]
        )
        flagged = np.unique(ids[flagged_mask])
        both = np.concatenate([carry_ids, ids])
        involved = np.flatnonzero(np.isin(both, flagged))
        _, first = np.unique(both[involved], return_index=True)
        drop = np.setdiff1d(involved, involved[first]) - len(carry_ids)
        stored = self._stored(flagged, lo, hi)
        if len(stored):
            drop = np.union1d(drop, np.flatnonzero(np.isin(ids, stored)))
        if not len(drop):
            return batch
        keep = np.ones(len(ids), dtype=bool)
        keep[drop] = False
        return batch.filter(pa.array(keep))

    def _stored(self, ids: np.ndarray, lo, hi) -> np.ndarray:
        """Which of ``ids`` the store holds between ``lo`` and ``hi`` (± 1 day)."""
        return self._stored_times(ids, lo, hi)[0]

    def _exact(self, batch: pa.Table, ids: np.ndarray) -> pa.Table:
        """First occurrence within the batch (and after the carry), and not in the store."""
        if self.carry is not None:
            carry_ids = self.carry.column("position_id").to_numpy()
            _, first = np.unique(np.concatenate([carry_ids, ids]), return_index=True)
            first = first[first >= len(carry_ids)] - len(carry_ids)
        else:
            _, first = np.unique(ids, return_index=True)
        if len(first) < len(ids):
            batch = batch.take(np.sort(first))
        con = self.con
        con.register("_batch", batch)
        # DuckDB pushes a join's min/max position_id into the Arrow scan of the batch as a
        # pyarrow filter, which fails on UBIGINT ids >= 2**63 ("Python int too large to
        # convert to C long"); on hash ids that filter prunes nothing anyway
        con.execute("SET disabled_optimizers = 'join_filter_pushdown'")
        try:
            return (
                con.execute(
                    """
                SELECT * FROM _batch b ANTI JOIN (
                    SELECT position_id FROM position_rows
                    WHERE ts BETWEEN (SELECT min(ts) FROM _batch) - INTERVAL 1 DAY
                                 AND (SELECT max(ts) FROM _batch) + INTERVAL 1 DAY
                ) p USING (position_id)
                """
                )
                .to_arrow_table()
                .cast(schema.POSITION_ROWS)
            )
        finally:
            con.execute("RESET disabled_optimizers")
            con.unregister("_batch")

    def _append(self, rows: pa.Table) -> None:
        con = self.con
        # one chunk: DuckDB writes many small Arrow chunks as partial row groups that a
        # checkpoint must then rewrite
        con.register("_rows", rows.combine_chunks())
        try:
            con.execute("INSERT INTO position_rows SELECT * FROM _rows")
        finally:
            con.unregister("_rows")
        self.since_checkpoint += rows.num_rows
        self.since_eviction += rows.num_rows
        if self.since_checkpoint >= self.CHECKPOINT_ROWS:
            con.execute("CHECKPOINT")
            self.since_checkpoint = 0
        if self._evict and self.since_eviction >= self.EVICT_ROWS:
            self._drop_cache()
            self.since_eviction = 0

    def _drop_cache(self) -> None:
        """Evict the blocks just written from DuckDB's buffer cache.

        DuckDB keeps every block it writes cached until the memory limit forces it out, so
        without this the cache grows with the input (by about 8 MiB per 250,000 positions) up
        to the limit. Lowering the limit makes it evict what is not in use at once; the limit
        is then set back. The run reads those blocks again only to check flagged rows.
        """
        try:
            self.con.execute(f"SET memory_limit = '{self.EVICT_TO}'")
        except duckdb.Error:  # more than that is in use: leave the cache as it is
            pass
        finally:
            self.con.execute(f"SET memory_limit = '{self._memory_limit}'")

    def close(self) -> None:
        self.flush(final=True)

    def release(self) -> None:
        """Give the connection its settings back (after ``close``, or after a failure)."""
        try:
            self.con.execute(f"SET disabled_compression_methods = '{self._compression}'")
            self.con.execute(f"SET memory_limit = '{self._memory_limit}'")
        except duckdb.Error as exc:  # the connection is failing: the run's own error matters
            log.warning("could not restore DuckDB settings after ingest: %s", exc)


def ingest(
    inputs: Iterable[str | os.PathLike],
    store: Store,
    fmt: str | None = None,
    receiver: tuple[float, float] | None = None,
    start: datetime | None = None,
    duration: float | None = None,
    progress: Progress | None = None,
    params: DecodeParams = DecodeParams(),
    args: dict | None = None,
    beast_clock: str = "12mhz",
    jobs: int = 1,
) -> IngestReport:
    """Read every input into the store; returns what happened (also written to ``runs``).
    With ``jobs`` > 1, files are parsed in that many worker processes (same rows)."""
    fmt = _detect.check_format(fmt)
    progress = progress or Progress()
    record = RunRecord("ingest", args or {"inputs": [str(i) for i in inputs], "format": fmt})
    run_id = record.run_id
    t0 = time.perf_counter()
    report = IngestReport(run_id=run_id)
    rejects = RejectLog(run_id)
    sources = list(expand(inputs, rejects))
    progress.total(
        sum(s.path.stat().st_size for s in sources if s.path is not None and s.path.is_file())
    )
    writer = _Writer(store)
    done = {
        r[0] for r in store.con.execute("SELECT source_id FROM sources WHERE complete").fetchall()
    }
    run = _Run(
        fmt, writer, rejects, report, done, progress, receiver, start, duration, params, beast_clock
    )
    run.over_cap = over_cap.recorded(store.con)
    source_rows: list[dict] = []
    aircraft_rows: list[dict] = []
    try:
        for row in _each_source(sources, run, jobs):
            if row is not None:
                source_rows.append(row)
                if row["complete"]:  # the same file again in this run is skipped too
                    done.add(row["source_id"])
                aircraft_rows.extend(row.pop("_aircraft"))
        writer.close()
        for row in source_rows:
            row["rows_added"] = writer.added.get(row["source_id"], 0)
            row["ingested_at"] = datetime.now(UTC)
        report.rows_added = sum(writer.added.values())
        # identities before sources: a source is marked complete only once all it gave is stored
        _insert_aircraft(store, aircraft_rows)
        append(store.con, "sources", source_rows)
        status = "ok"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    except BaseException:
        status = "error"
        raise
    finally:
        writer.release()
        report.rejects = rejects.counts
        report.seconds = time.perf_counter() - t0
        record.status, record.seconds = status, report.seconds
        record.rows_read, record.rows_added = report.rows_read, report.rows_added
        record.rejects = rejects.counts
        record.counts = {k: v for k, v in report.counters.items() if v}
        record.reject_rows.append(rejects.drain())
        write_run(store.con, record)
    return report


@dataclass
class _Run:
    """What every source of one ingest run shares."""

    fmt: str | None
    writer: _Writer | Sink
    rejects: RejectLog
    report: IngestReport
    done: set[str]  # sources already ingested whole
    progress: Progress
    receiver: tuple[float, float] | None
    start: datetime | None
    duration: float | None
    params: DecodeParams
    beast_clock: str
    over_cap: dict[str, int] = field(default_factory=dict)  # sources stopped at the cap


def _each_source(sources: list[Source], run: _Run, jobs: int) -> Iterator[dict | None]:
    """The ``sources`` row of every source, its tables staged into the writer: read here, or
    (``jobs`` > 1, files only) parsed by worker processes and staged here in input order."""
    files = [s for s in sources if s.path is not None]
    if jobs <= 1 or len(files) < 2 or len(files) < len(sources):
        for src in sources:
            yield _ingest_one(src, run)
        return
    from .parallel import Staging, parse_all

    opts = {
        "run_id": run.rejects.run_id,
        "fmt": run.fmt,
        "receiver": run.receiver,
        "start": run.start,
        "params": run.params,
        "beast_clock": run.beast_clock,
        "over_cap": run.over_cap,
    }
    staging = Staging(run.writer)
    for src, got in parse_all(sources, opts, jobs, run.done, staging.callsigns):
        row = got.row
        if row is not None and row["complete"] and row["source_id"] in run.done:
            run.report.sources_skipped += 1  # the same file earlier in this run
            row = None
        else:
            run.rejects.rows.extend(got.reject_rows)
            run.rejects.counts.update(got.reject_counts)
            run.report.sources_skipped += got.sources_skipped
            run.report.counters.update(got.counters)
            run.report.incomplete.extend(got.incomplete)
            if row is not None:
                run.report.sources += 1
                run.report.rows_read += row["rows_read"]
                if got.rows is not None:
                    staging.stage(got, row["source_id"])
        if src.path is not None:
            run.progress.advance(src.path.stat().st_size)
        yield row
    staging.flush()  # before the writer's last append (``close``)


class Sink(Protocol):
    """Where ``read_one`` hands a source's position tables (the store's writer, or a list)."""

    def stage(self, table: pa.Table, source_id: str) -> None: ...


def read_one(
    src: Source,
    sink: Sink,
    rejects: RejectLog,
    done: Iterable[str] = (),
    fmt: str | None = None,
    receiver: tuple[float, float] | None = None,
    start: datetime | None = None,
    params: DecodeParams = DecodeParams(),
    beast_clock: str = "12mhz",
    over_cap: dict[str, int] | None = None,
) -> tuple[dict | None, IngestReport]:
    """One file through the readers, exactly as ``ingest`` reads it, with its tables going to
    ``sink`` instead of the store: the unit of work of a parallel or cluster ingest. Returns
    the ``sources`` row (None when skipped or rejected whole; ``_aircraft`` holds its
    aircraft_observed rows) and the counts of this source. ``over_cap``: sources whose read
    stopped at the inflate cap (``over_cap.recorded``), not read again."""
    report = IngestReport(run_id=rejects.run_id)
    run = _Run(
        fmt,
        sink,
        rejects,
        report,
        set(done),
        Progress(),
        receiver,
        start,
        None,
        params,
        beast_clock,
    )
    run.over_cap = dict(over_cap or {})
    return _ingest_one(src, run), report


def _ingest_one(src: Source, run: _Run) -> dict | None:
    rejects, report, progress, fmt = run.rejects, run.report, run.progress, run.fmt
    rejects.uri = src.uri
    if src.path is not None:
        try:
            with open(src.path, "rb") as fh:
                if src.data is None and os.fstat(fh.fileno()).st_size <= READ_WHOLE_BYTES:
                    # read once: hashed, sniffed and parsed from memory
                    src = replace(src, data=fh.read())
            sid, size = content_id(src)
        except OSError as exc:
            rejects.source_id = ""
            rejects.add("unreadable", src.uri, f"{type(exc).__name__}: {exc.strerror or exc}")
            return None
        if sid in run.done:
            report.sources_skipped += 1
            progress.advance(size)
            return None
        if over_cap.skip(sid, run.over_cap, rejects, src.uri):
            progress.advance(size)
            return None
        if size == 0:  # whatever --format says
            rejects.source_id = sid
            rejects.add("empty_file", src.uri)
            return None
    else:
        from .tcp import tcp_source  # live feeds only

        if fmt not in _detect.STREAM_FORMATS:
            raise FormatError(f"{src.uri}: a live feed needs --input-format beast, avr or sbs")
        src = tcp_source(src.uri, duration=run.duration)
        sid = stream_id(src.uri, datetime.now(UTC).isoformat())
        size = None
    rejects.source_id = sid
    this_fmt = fmt
    if this_fmt is None:
        this_fmt = _detect.detect(src.head(), src.uri)
        if this_fmt is None:
            if src.size == 0 or (src.path is not None and src.path.stat().st_size == 0):
                rejects.add("empty_file", src.uri)
            else:
                rejects.add("unknown_format", src.uri, src.head(120))
            progress.advance(size or 0)
            return None
    ctx = ReadContext(
        rejects=rejects,
        receiver=run.receiver,
        start_ts=run.start.timestamp() if run.start else None,
        progress=progress.advance,
        beast_clock=run.beast_clock,
    )
    read = 0
    capped_before = rejects.counts[over_cap.REASON]
    for table in _guarded(read_source(src, this_fmt, ctx, run.params), src.uri, ctx):
        if table.num_rows:
            table = _drop_untimed(table, src.uri, rejects)
            read += table.num_rows
            run.writer.stage(table, sid)
    report.sources += 1
    report.rows_read += read
    if read and not any(k.startswith("time_from_") for k in ctx.counters):
        ctx.counters["time_from_data"] += read  # the format states absolute times itself
    report.counters.update(ctx.counters)
    if not ctx.complete:
        report.incomplete.append(src.uri)
    cap = over_cap.stopped_at(ctx, capped_before)
    if cap is not None:  # the same content again in this run is skipped too
        run.over_cap[sid] = cap
    return {
        "source_id": sid,
        "uri": src.uri,
        "format": this_fmt,
        "bytes": size,
        "run_id": rejects.run_id,
        "rows_read": read,
        "rejects": sum(r["n"] for r in rejects.rows if r["source_id"] == sid),
        "complete": ctx.complete,
        "data_start": _utc(ctx.frame_span[0]) if ctx.frame_span else None,
        "data_end": _utc(ctx.frame_span[1]) if ctx.frame_span else None,
        "inflate_cap": cap,
        "_aircraft": [dict(a, source_id=sid) for a in ctx.aircraft],
    }


def _guarded(tables: Iterator[pa.Table], uri: str, ctx: ReadContext) -> Iterator[pa.Table]:
    """A reader's tables; should it fail all the same, the failure costs the rest of its file
    (``reader_error``, the source left incomplete), never the run or the other files."""
    while True:
        try:
            table = next(tables)
        except StopIteration:
            return
        except BasewatchError:  # a caller mistake (a bad setting): the run stops, as it should
            raise
        except Exception as exc:
            log.warning(
                "reader failed on %s: %r", uri, exc, exc_info=log.isEnabledFor(logging.DEBUG)
            )
            ctx.truncated("reader_error", uri, f"{type(exc).__name__}: {exc}")
            return
        yield table


def _utc(seconds: float) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if 0 <= seconds < 4102444800 else None


def _drop_untimed(table: pa.Table, uri: str, rejects: RejectLog) -> pa.Table:
    """Rows whose time a reader could not read (null: not finite, or outside 1970–2100) are
    rejected as ``bad_time``, whatever the format."""
    ts = table.column("ts")
    n = ts.null_count
    if not n:
        return table
    rejects.add("bad_time", uri, f"{n} rows with a time outside 1970–2100", n=n)
    return table.filter(pc.is_valid(ts))


def _insert_aircraft(store: Store, rows: list[dict]) -> None:
    if not rows:
        return
    table = pa.Table.from_pylist(rows, schema=schema.AIRCRAFT_OBSERVED)
    store.con.register("_ac", table)
    store.con.execute(
        """
        INSERT INTO aircraft_observed
        SELECT DISTINCT a.* FROM _ac a
        WHERE NOT EXISTS (
            SELECT 1 FROM aircraft_observed o
            WHERE o.icao24 = a.icao24 AND o.source_id = a.source_id
              AND o.registration IS NOT DISTINCT FROM a.registration
              AND o.type_code IS NOT DISTINCT FROM a.type_code
        )
        """
    )
    store.con.unregister("_ac")


# what the live service (``basewatch.live``) shares with ingest: the same writer and checks
PositionWriter = _Writer
drop_untimed = _drop_untimed
insert_aircraft = _insert_aircraft
