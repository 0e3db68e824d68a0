"""``spark ingest``: files read on the executors by the embedded readers, into a lake.

reads:   files, folders (a globe_history day, OpenSky CSV/Parquet, raw captures, ...)
writes:  LAKE/positions (by day), LAKE/callsigns, LAKE/sources, LAKE/rejects,
         LAKE/aircraft_observed
rejects: every reason the embedded ingest gives, in the same ``rejects`` rows

Each task reads whole files with ``readers.pipeline.read_one`` (hashing, sniffing, the reader,
the decoder, the reject log: the embedded ingest's own code) and stamps ids with
``to_position_rows``, a task's files at once (``readers.parallel.stored_form``). A file that
cannot be read is a counted reject, never a failed task.
Positions are deduplicated by content id (the first in input order is kept, as the embedded
writer keeps it) and against what the lake holds; sources the lake holds whole are skipped. A
re-run over the same inputs adds nothing.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import lake, schema
from ..errors import InputError
from ..readers.base import MAX_INFLATE_ENV, RejectLog, Source, max_inflate
from ..readers.parallel import Tables, stored_form
from ..readers.pipeline import IngestReport, expand, read_one
from ..store.runs import new_run_id

log = logging.getLogger(__name__)

META = "_meta"  # a row per file: its sources row, rejects, aircraft and callsigns (JSON)
ORDER = "_order"  # input order of a row (file index << 32 | row): the first of a repeat wins
FILES_PER_TASK = 64  # a globe_history day is tens of thousands of small files


def _out_schema() -> pa.Schema:
    pos = lake.lake_schema(lake.POSITIONS)
    fields = [f.with_nullable(True) for f in pos]
    return pa.schema(
        [
            *fields,
            pa.field(lake.DAY, pa.date32()),
            pa.field(ORDER, pa.int64()),
            pa.field(META, pa.string()),
        ]
    )


TASK_ROWS = 1 << 20  # rows a task gathers before handing them to Spark in one go


def _read_files(batches: Iterable[pa.RecordBatch], opts: dict) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (index, uri) rows → the position rows of those files, then one meta
    row per file. Rows are put in stored form a few files at a time (``stored_form``, as
    ``ingest --jobs`` does: its cost is mostly per call) and handed over in large batches."""
    out = _out_schema()
    done = set(opts["done"])
    # the driver's inflate cap, whatever the executor's environment says; sources stopped at
    # it before (or earlier in this task) are not inflated again
    os.environ[MAX_INFLATE_ENV] = str(opts["inflate_cap"])
    over = dict(opts["over_cap"])
    read: list[tuple[str, list[pa.Table]]] = []
    indices: list[int] = []
    metas: list[dict] = []
    rows = 0
    for batch in batches:
        for index, uri in zip(
            batch.column("i").to_pylist(), batch.column("uri").to_pylist(), strict=True
        ):
            rejects = RejectLog(opts["run_id"])
            sink = Tables()
            row, report = read_one(
                Source(uri=uri, path=Path(uri)),
                sink,
                rejects,
                done=done,
                fmt=opts["fmt"],
                receiver=tuple(opts["receiver"]) if opts["receiver"] else None,
                start=datetime.fromisoformat(opts["start"]) if opts["start"] else None,
                beast_clock=opts["beast_clock"],
                over_cap=over,
            )
            if row is not None and row["inflate_cap"] is not None:
                over[row["source_id"]] = row["inflate_cap"]
            read.append((row["source_id"] if row is not None else "", sink.tables))
            indices.append(index)
            rows += sum(t.num_rows for t in sink.tables)
            metas.append(
                {
                    "i": index,
                    "source": None
                    if row is None
                    else {k: v for k, v in row.items() if k[0] != "_"},
                    "aircraft": [] if row is None else row["_aircraft"],
                    "rejects": rejects.rows,
                    "skipped": report.sources_skipped,
                    "counters": dict(report.counters),
                }
            )
            if rows >= TASK_ROWS:
                yield from _task_batches(read, indices, metas, out)
                read, indices, metas, rows = [], [], [], 0
    if metas:
        yield from _task_batches(read, indices, metas, out)


def _task_batches(
    read: list, indices: list[int], metas: list[dict], out: pa.Schema
) -> Iterator[pa.RecordBatch]:
    task = stored_form(read)
    parts, order = [], []
    for index, at in zip(indices, task.at, strict=True):
        if at is not None:
            parts.append(task.tables[at[0]].slice(at[1], at[2]).replace_schema_metadata(None))
            order.append((np.int64(index) << 32) | np.arange(at[2], dtype=np.int64))
    if parts:
        table = lake.to_lake(pa.concat_tables(parts).combine_chunks(), lake.POSITIONS)
        n = table.num_rows
        day = pc.cast(pc.cast(table.column("ts"), pa.timestamp("us")), pa.date32())
        full = pa.table(
            [*table.columns, day, pa.array(np.concatenate(order)), pa.nulls(n, pa.string())],
            schema=out,
        )
        yield from full.to_batches(max_chunksize=1 << 17)
    cs = task.callsigns
    metas[0]["callsigns"] = [
        [int(k), v]
        for k, v in zip(cs["callsign_key"].to_pylist(), cs["callsign"].to_pylist(), strict=True)
    ]
    cols = [pa.nulls(len(metas), f.type) for f in out]
    cols[-1] = pa.array([json.dumps(m, default=str) for m in metas], pa.string())
    yield pa.RecordBatch.from_arrays(cols, schema=out)


def _done_sources(root: Path) -> set[str]:
    files = lake.files(root, "sources")
    if not files:
        return set()
    t = pq.read_table(files, columns=["source_id", "complete"])
    return set(t.filter(pc.fill_null(t.column("complete"), False)).column("source_id").to_pylist())


def _capped_sources(root: Path) -> dict[str, int]:
    """source id → the highest inflate cap its reading stopped at (``over_cap.recorded``)."""
    files = lake.files(root, "sources")
    if not files:
        return {}
    t = pq.read_table(files, columns=["source_id", "inflate_cap"])
    t = t.filter(pc.is_valid(t.column("inflate_cap")))
    out: dict[str, int] = {}
    for sid, cap in zip(
        t.column("source_id").to_pylist(), t.column("inflate_cap").to_pylist(), strict=True
    ):
        out[sid] = max(cap, out.get(sid, cap))
    return out


def spark_ingest(
    spark,
    inputs: Iterable[str],
    root: str | Path,
    fmt: str | None = None,
    receiver: tuple[float, float] | None = None,
    start: datetime | None = None,
    beast_clock: str = "12mhz",
    files_per_task: int = FILES_PER_TASK,
) -> IngestReport:
    """Read ``inputs`` on the cluster into the lake at ``root``; returns the run's report."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    t0 = time.perf_counter()
    root = Path(root).resolve()
    run_id = new_run_id()
    report = IngestReport(run_id=run_id)
    driver_rejects = RejectLog(run_id)
    uris = []
    for src in expand(inputs, driver_rejects):
        if src.path is None:
            raise InputError(f"{src.uri}: Spark ingests files; read live feeds with `ingest`")
        uris.append(str(src.path.resolve()))
    opts = {
        "run_id": run_id,
        "done": sorted(_done_sources(root)),
        "over_cap": _capped_sources(root),
        "inflate_cap": max_inflate(),
        "fmt": fmt,
        "receiver": list(receiver) if receiver else None,
        "start": start.isoformat() if start else None,
        "beast_clock": beast_clock,
    }
    tasks = max(1, -(-len(uris) // files_per_task))
    files = spark.createDataFrame(list(enumerate(uris)), "i long, uri string").repartition(
        tasks, "i"
    )
    out = files.mapInArrow(partial(_read_files, opts=opts), from_arrow_schema(_out_schema()))
    out = out.persist(StorageLevel.DISK_ONLY)
    metas = sorted(
        (json.loads(r[0]) for r in out.where(F.col(META).isNotNull()).select(META).collect()),
        key=lambda m: m["i"],
    )
    positions = out.where(F.col(META).isNull()).drop(META)
    first = Window.partitionBy("position_id").orderBy(ORDER)
    positions = (
        positions.withColumn("_n", F.row_number().over(first)).where("_n = 1").drop("_n", ORDER)
    )
    if lake.files(root, lake.POSITIONS):
        stored = spark.read.parquet(str(root / lake.POSITIONS)).select("position_id")
        positions = positions.join(stored, "position_id", "left_anti")
    positions = positions.persist(StorageLevel.DISK_ONLY)
    added = {
        f"{r['source'] & 0xFFFFFFFFFFFFFFFF:016x}": r["count"]
        for r in positions.groupBy("source").count().collect()
    }
    lake_cols = [f.name for f in lake.lake_schema(lake.POSITIONS)]
    (
        positions.select(*lake_cols, lake.DAY)
        .write.mode("append")
        .partitionBy(lake.DAY)
        .parquet(str(root / lake.POSITIONS))
    )
    positions.unpersist()
    out.unpersist()
    _write_small(root, metas, driver_rejects, added, report)
    report.seconds = time.perf_counter() - t0
    return report


def _write_small(root: Path, metas: list[dict], driver_rejects, added, report) -> None:
    """The run's sources, rejects, aircraft and new callsigns: small, written by the driver."""
    run_id = report.run_id
    sources, rejects, aircraft, names = [], list(driver_rejects.rows), [], {}
    seen: set[str] = set()
    now = datetime.now(UTC)
    for m in metas:
        report.sources_skipped += m["skipped"]
        report.counters.update(m["counters"])
        rejects.extend(m["rejects"])
        names.update({int(k): v for k, v in m.get("callsigns", ())})
        src = m["source"]
        if src is None:
            continue
        if src["complete"] and src["source_id"] in seen:  # the same file twice in this run
            report.sources_skipped += 1
            continue
        seen.add(src["source_id"])
        report.sources += 1
        report.rows_read += src["rows_read"]
        if not src["complete"]:
            report.incomplete.append(src["uri"])
        sources.append(dict(src, rows_added=added.get(src["source_id"], 0), ingested_at=now))
        aircraft.extend(m["aircraft"])
    for r in rejects:
        report.rejects[r["reason"]] += r["n"]
    report.rows_added = sum(added.values())
    known = set()
    for f in lake.files(root, "callsigns"):
        known.update(pq.read_table(f, columns=["callsign_key"]).column(0).to_pylist())
    new_names = {k: v for k, v in names.items() if lake.signed64(k) not in known}
    callsigns = pa.table(
        {"callsign_key": list(new_names), "callsign": list(new_names.values())},
        schema=schema.CALLSIGNS,
    )
    observed = pa.Table.from_pylist(
        [dict(t) for t in {tuple(sorted(a.items())) for a in aircraft}],
        schema=schema.AIRCRAFT_OBSERVED,
    )
    for name, rows in (
        ("sources", pa.Table.from_pylist(sources, schema=schema.SOURCES)),
        ("rejects", pa.Table.from_pylist(rejects, schema=schema.REJECTS)),
        ("aircraft_observed", observed),
        ("callsigns", callsigns),
    ):
        lake.append_rows(root, name, rows, run_id)
