"""``ingest --jobs N``: sources read and parsed in worker processes, one writer.

Each worker runs ``read_one`` (the embedded ingest's own per-source code) and hands back the
source's tables, its ``sources`` row, its rejects and counts; the main process stages the
tables into the one writer in input order, so the stored rows, their ids and which duplicate
is kept are exactly those of ``--jobs 1``. At most ``AHEAD`` sources per worker are parsed ahead
of the writer, so memory stays bounded whatever the input.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pyarrow as pa

from .base import RejectLog, Source

AHEAD = 4  # sources queued per worker beyond the one it reads


@dataclass
class Parsed:
    row: dict | None
    tables: list[pa.Table]
    reject_rows: list[dict]
    reject_counts: dict[str, int]
    sources_skipped: int
    counters: dict[str, int]
    incomplete: list[str]


class Tables:
    """A sink for ``read_one`` that keeps a source's tables (one source at a time)."""

    def __init__(self) -> None:
        self.tables: list[pa.Table] = []

    def stage(self, table: pa.Table, source_id: str) -> None:
        self.tables.append(table)


def _parse(src: Source, opts: dict) -> Parsed:
    from .pipeline import read_one

    rejects = RejectLog(opts.pop("run_id"))
    sink = Tables()
    row, report = read_one(src, sink, rejects, **opts)
    return Parsed(
        row,
        sink.tables,
        rejects.rows,
        dict(rejects.counts),
        report.sources_skipped,
        dict(report.counters),
        report.incomplete,
    )


def parse_all(sources: list[Source], opts: dict, jobs: int) -> Iterator[tuple[Source, Parsed]]:
    """Every source parsed by ``jobs`` worker processes, yielded in input order."""
    ctx = multiprocessing.get_context("spawn")  # no fork of a process holding DuckDB threads
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        queue: deque = deque()
        it = iter(sources)
        for src in it:
            queue.append((src, pool.submit(_parse, src, dict(opts))))
            if len(queue) >= jobs * (AHEAD + 1):
                break
        while queue:
            src, future = queue.popleft()
            nxt = next(it, None)
            if nxt is not None:
                queue.append((nxt, pool.submit(_parse, nxt, dict(opts))))
            yield src, future.result()
