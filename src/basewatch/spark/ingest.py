"""``spark ingest``: files read on the executors by the embedded readers, into a lake.

reads:   files, folders (a globe_history day, OpenSky CSV/Parquet, raw captures, ...)
writes:  LAKE/positions (by day), LAKE/callsigns, LAKE/sources, LAKE/rejects,
         LAKE/aircraft_observed
rejects: every reason the embedded ingest gives, in the same ``rejects`` rows

Each task reads whole files with ``readers.pipeline.read_one`` (hashing, sniffing, the reader,
the decoder, the reject log: the embedded ingest's own code) and stamps ids with
``to_position_rows``. A file that cannot be read is a counted reject, never a failed task.
Positions are deduplicated by content id (the first in input order is kept, as the embedded
writer keeps it) and against what the lake holds; sources the lake holds whole are skipped. A
re-run over the same inputs adds nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import lake, schema
from ..errors import InputError
from ..readers.base import RejectLog, Source
from ..readers.parallel import Tables
from ..readers.pipeline import IngestReport, expand, read_one, to_position_rows
from ..store.callsigns import Callsigns
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


def _read_files(batches: Iterable[pa.RecordBatch], opts: dict) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: (index, uri) rows → position rows of each file, then its meta row."""
    out = _out_schema()
    done = set(opts["done"])
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
            )
            names: dict[int, str] = {}
            if row is not None and sink.tables:
                rows = to_position_rows(sink.tables, [row["source_id"]] * len(sink.tables), _keys)
                names = _callsigns(sink.tables)
                yield from _position_batches(rows, index, out)
            meta = {
                "i": index,
                "source": None if row is None else {k: v for k, v in row.items() if k[0] != "_"},
                "aircraft": [] if row is None else row["_aircraft"],
                "rejects": rejects.rows,
                "skipped": report.sources_skipped,
                "counters": dict(report.counters),
                "callsigns": [[k, v] for k, v in names.items()],
            }
            cols = [pa.nulls(1, f.type) for f in out]
            cols[-1] = pa.array([json.dumps(meta, default=str)], pa.string())
            yield pa.RecordBatch.from_arrays(cols, schema=out)


_keys = Callsigns(None)  # keys only: the lake's callsigns are written by the driver


def _callsigns(tables: list[pa.Table]) -> dict[int, str]:
    names = pc.unique(pa.chunked_array([c for t in tables for c in t.column("callsign").chunks]))
    texts = [v for v in names.to_pylist() if v is not None]
    keys = _keys.keys(pa.array(texts, pa.string())).to_pylist()
    return {int(k): v for k, v in zip(keys, texts, strict=True)}


def _position_batches(rows: pa.Table, index: int, out: pa.Schema) -> Iterator[pa.RecordBatch]:
    table = lake.to_lake(rows, lake.POSITIONS)
    n = table.num_rows
    day = pc.cast(pc.cast(table.column("ts"), pa.timestamp("us")), pa.date32())
    order = pa.array([(index << 32) | k for k in range(n)], pa.int64())
    full = pa.table(
        [*table.columns, day, order, pa.nulls(n, pa.string())],
        schema=out,
    )
    yield from full.to_batches(max_chunksize=1 << 16)


def _done_sources(root: Path) -> set[str]:
    files = lake.files(root, "sources")
    if not files:
        return set()
    t = pq.read_table(files, columns=["source_id", "complete"])
    return set(t.filter(pc.fill_null(t.column("complete"), False)).column("source_id").to_pylist())


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
        names.update({int(k): v for k, v in m["callsigns"]})
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
