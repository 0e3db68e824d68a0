"""``ingest --jobs N``: sources read, parsed and put in stored form in worker processes; one
writer.

Each worker runs ``read_one`` (the embedded ingest's own per-source code) on a few sources at a
time and hands back, per source, its rows already in the stored form (``to_position_rows``:
ids, addresses, callsign keys), its callsigns, its ``sources`` row, rejects and counts. The
main process only checks the rows for repeats and appends them, in input order, so the stored
rows, their ids and which duplicate is kept are exactly those of ``--jobs 1``. At most
``AHEAD`` tasks per worker are parsed ahead of the writer, so memory stays bounded whatever the
input.

Workers are forked from a fork server (never from the main process, which holds DuckDB's
threads) that has imported the readers and loaded their compiled kernels once: a worker starts
in milliseconds instead of paying a second or more of imports and kernel loading each.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..workers import context
from .base import RejectLog, Source
from .seen import SeenIds

AHEAD = 4  # tasks queued per worker beyond the one it reads
TASK_BYTES = 4 << 20  # sources per task: up to this many bytes on disk (at least one source)
TASK_SOURCES = 64  # and at most this many
ENV_PREFIX = "BASEWATCH_"  # settings the readers read from the environment (size caps)


@dataclass
class Parsed:
    row: dict | None
    rows: pa.Table | None  # its rows in stored form (POSITION_ROWS), once the task is back
    reject_rows: list[dict]
    reject_counts: dict[str, int]
    sources_skipped: int
    counters: dict[str, int]
    incomplete: list[str]


@dataclass
class Task:
    """A task's sources, and their rows in stored form: a source's rows are ``at[i]`` =
    (table, first row, rows) of ``tables``, which holds one table per source of decoded frames
    and one for all the others, in input order."""

    parsed: list[Parsed]
    tables: list[pa.Table]
    at: list[tuple[int, int, int] | None]
    callsigns: pa.Table  # CALLSIGNS of every row


class Tables:
    """A sink for ``read_one`` that keeps a source's tables (one source at a time)."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []

    def stage(self, table: pa.Table, source_id: str) -> None:
        if table.num_rows:
            self.tables.append(table)


_DONE: frozenset[str] = frozenset()


def _init(done: list[str], env: dict[str, str]) -> None:
    """Per worker: the sources already stored (sent once, not with every task) and the
    settings of the main process's environment (the fork server may be older than them)."""
    global _DONE
    _DONE = frozenset(done)
    for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
        del os.environ[key]
    os.environ.update(env)


def stored_form(read: list[tuple[str, list[pa.Table]]]) -> Task:
    """Sources' reader tables, (source id, tables) in input order, in stored form: the same
    rows, ids and order ``to_position_rows`` gives the writer at ``--jobs 1``, worked out once
    for all the sources of a task (its cost is mostly per call)."""
    from ..store.callsigns import Callsigns
    from .pipeline import to_position_rows

    keys = Callsigns(None)
    at: list = []  # per source: (table, first row, rows), None when it gave no row
    plain: list[pa.Table] = []
    plain_ids: list[str] = []
    offset = 0
    for sid, got in read:
        n = sum(t.num_rows for t in got)
        if not n:
            at.append(None)
            continue
        at.append((0, offset, n))
        offset += n
        plain.extend(got)
        plain_ids.extend([sid] * len(got))
    tables = [to_position_rows(plain, plain_ids, keys)] if plain else []
    names = [t.column("callsign") for _, got in read for t in got]
    names = pc.unique(pa.chunked_array(names, pa.string()).drop_null())
    callsigns = pa.table([keys.keys(names), names], schema=schema.CALLSIGNS)
    return Task([], tables, at, callsigns)


def _parse(srcs: list[Source], opts: dict) -> Task:
    from .pipeline import read_one

    parsed, read = [], []
    for src in srcs:
        rejects = RejectLog(opts["run_id"])
        sink = Tables()
        kw = {k: v for k, v in opts.items() if k != "run_id"}
        row, report = read_one(src, sink, rejects, done=_DONE, **kw)
        read.append((row["source_id"] if row is not None else "", sink.tables))
        parsed.append(
            Parsed(
                row,
                None,
                rejects.rows,
                dict(rejects.counts),
                report.sources_skipped,
                dict(report.counters),
                report.incomplete,
            )
        )
    task = stored_form(read)
    task.parsed = parsed
    return task


def _tasks(sources: list[Source]) -> Iterator[list[Source]]:
    """Sources in input order, a few per task (fewer round trips for small files)."""
    task: list[Source] = []
    size = 0
    for src in sources:
        try:
            n = src.path.stat().st_size if src.path is not None else 0
        except OSError:  # the worker says what is wrong with it
            n = 0
        if task and (size + n > TASK_BYTES or len(task) >= TASK_SOURCES):
            yield task
            task, size = [], 0
        task.append(src)
        size += n
    if task:
        yield task


def parse_all(
    sources: list[Source], opts: dict, jobs: int, done: set[str], callsigns: list[pa.Table]
) -> Iterator[tuple[Source, Parsed]]:
    """Every source parsed by ``jobs`` worker processes, yielded in input order; the
    callsigns of each task are appended to ``callsigns`` before its sources come."""
    env = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
    with ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context(f"{__package__}.warm"),
        initializer=_init,
        initargs=(sorted(done), env),
    ) as pool:
        queue: deque = deque()
        tasks = _tasks(sources)
        for task in tasks:
            queue.append((task, pool.submit(_parse, task, opts)))
            if len(queue) >= jobs * (AHEAD + 1):
                break
        # the writer's compiled filter, loaded while the fork server starts (not after)
        SeenIds(bits_log2=10).check(np.zeros(1, np.uint64))
        while queue:
            task, future = queue.popleft()
            nxt = next(tasks, None)
            if nxt is not None:
                queue.append((nxt, pool.submit(_parse, nxt, opts)))
            got = future.result()
            callsigns.append(got.callsigns)
            for src, parsed, at in zip(task, got.parsed, got.at, strict=True):
                if at is not None:
                    parsed.rows = got.tables[at[0]].slice(at[1], at[2])
                yield src, parsed


class Staging:
    """Stages workers' rows into the writer; their callsigns new to the store are written in
    one go just before the writer appends the rows that carry them (one insert per batch,
    not per source)."""

    def __init__(self, writer) -> None:
        self.writer = writer
        self.callsigns: list[pa.Table] = []  # parse_all adds each task's

    def stage(self, parsed: Parsed, source_id: str) -> None:
        if self.writer.rows + parsed.rows.num_rows >= self.writer.BATCH:
            self.flush()  # the writer appends during this stage
        self.writer.stage(parsed.rows, source_id)

    def flush(self) -> None:
        if not self.callsigns:
            return
        known = self.writer.callsigns.known
        table = pa.concat_tables(self.callsigns)
        keys = table.column("callsign_key").to_pylist()
        new = {k: i for i, k in enumerate(keys) if k not in known}
        if new:
            self.writer.callsigns.store(table.take(sorted(new.values())))
        self.callsigns.clear()
