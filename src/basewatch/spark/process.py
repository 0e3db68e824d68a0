"""``spark process``: flights and airfield events of a whole lake, by the embedded kernels.

reads:   LAKE/positions, LAKE/sources, LAKE/callsigns
writes:  LAKE/flights, LAKE/airfield_events, LAKE/data_windows, LAKE/processed_sources

Positions are shuffled by aircraft, so every aircraft's whole history lands in one task; each
task runs ``stages.process.derive`` (split, then airfield events: each stage's own kernel)
once over its rows, with the data windows worked out as the embedded ``process`` does
(``merge_windows`` over each source's span). A flight over midnight or across days is one
flight, with the same id as in a store. Always a full recompute of the derived tables.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator
from functools import lru_cache, partial
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import lake, schema
from ..airfields import load_reference
from ..errors import InputError
from ..stages.nearby import AirfieldGrid
from ..stages.process import DAY_FORMATS, ProcessParams, ProcessReport, derive, merge_windows
from ..stages.tracks import tracks_from_arrow, tracks_sql
from ..store.runs import new_run_id

log = logging.getLogger(__name__)

FLIGHT, EVENT, META = "flight", "event", "_meta"
ROWS_PER_TASK = 4_000_000  # positions per task, as ProcessParams.partition_rows bounds memory


def _out_schema() -> pa.Schema:
    def struct(sch: pa.Schema) -> pa.StructType:
        return pa.struct([f.with_nullable(True) for f in sch])

    return pa.schema(
        [
            pa.field(FLIGHT, struct(schema.FLIGHTS)),
            pa.field(EVENT, struct(schema.AIRFIELD_EVENTS)),
            pa.field(META, pa.string()),
        ]
    )


@lru_cache(maxsize=1)
def _grid() -> AirfieldGrid:
    return AirfieldGrid.build(load_reference())


def _derive_task(
    batches: Iterable[pa.RecordBatch], windows: np.ndarray, params: ProcessParams, names: dict
) -> Iterator[pa.RecordBatch]:
    """mapInArrow body: all rows of the task's aircraft → their flights and events."""
    out = _out_schema()
    got = [b for b in batches if b.num_rows]
    n_rows = sum(b.num_rows for b in got)
    if got:
        rows = lake.from_lake(pa.Table.from_batches(got), lake.POSITIONS)
        con = duckdb.connect()
        con.register("_rows", rows)
        tracks = tracks_from_arrow(con.execute(tracks_sql("_rows p")).to_arrow_table(), names)
        con.close()
        flights, events = derive(tracks, _grid(), windows, params)
        stale = tracks.stale
        for table, column in ((flights, 0), (events, 1)):
            if table.num_rows:
                typ = out.field(column).type
                table = table.combine_chunks()
                arr = pa.StructArray.from_arrays(
                    [c.chunk(0) if c.num_chunks else pa.array([], c.type) for c in table.columns],
                    fields=list(typ),
                )
                cols = [pa.nulls(table.num_rows, f.type) for f in out]
                cols[column] = arr
                yield pa.RecordBatch.from_arrays(cols, schema=out)
    else:
        stale = 0
    meta = json.dumps({"positions": n_rows - stale, "stale": stale})
    cols = [pa.nulls(1, f.type) for f in out]
    cols[2] = pa.array([meta], pa.string())
    yield pa.RecordBatch.from_arrays(cols, schema=out)


def _us(col: pa.ChunkedArray) -> list[int | None]:
    """Microseconds since the epoch of a column of stored times (nulls stay None), in one cast."""
    return col.cast(pa.timestamp("us", col.type.tz)).cast(pa.int64()).to_pylist()


def _small(root: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    files = lake.files(root, name)
    if not files:
        return lake.lake_schema(name).empty_table()
    return pq.read_table(files, columns=columns, schema=lake.lake_schema(name))


def spark_process(
    spark, root: str | Path, params: ProcessParams = ProcessParams(), tasks: int | None = None
) -> ProcessReport:
    """Recompute the lake's flights and airfield events from all its positions."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    t0 = time.perf_counter()
    root = Path(root).resolve()
    if not lake.files(root, lake.POSITIONS):
        raise InputError(f"{root}: no positions in this lake; run `basewatch spark ingest` first")
    report = ProcessReport(run_id=new_run_id(), full=True)
    positions = spark.read.parquet(str(root / lake.POSITIONS))
    # each source's span, and whether its format covers whole days: the data windows
    spans = positions.groupBy("source").agg(
        F.unix_micros(F.min("ts")).alias("a"), F.unix_micros(F.max("ts")).alias("b")
    )
    sources = _small(root, "sources", ["source_id", "format", "data_start", "data_end"])
    meta = dict(
        zip(
            sources["source_id"].to_pylist(),
            zip(
                sources["format"].to_pylist(),
                _us(sources["data_start"]),
                _us(sources["data_end"]),
                strict=True,
            ),
            strict=True,
        )
    )
    rows = []
    for r in spans.collect():  # as the embedded path: a raw capture's frames widen its span
        fmt, first, last = meta.get(f"{r['source'] & (2**64 - 1):016x}", (None, None, None))
        a = r["a"] if first is None else min(r["a"], first)
        b = r["b"] if last is None else max(r["b"], last)
        rows.append((a, b, fmt in DAY_FORMATS))
    windows = merge_windows(rows, params.window_merge_s)
    cs = lake.from_lake(_small(root, "callsigns"), "callsigns")
    names = dict(zip(cs["callsign_key"].to_pylist(), cs["callsign"].to_pylist(), strict=True))
    report.new_sources = sources.num_rows
    n = tasks or max(
        spark.sparkContext.defaultParallelism,
        -(-sum(f.stat().st_size for f in lake.files(root, lake.POSITIONS)) // (ROWS_PER_TASK * 8)),
    )
    body = partial(_derive_task, windows=windows, params=params, names=names)
    out = (
        positions.repartition(n, "icao")
        .mapInArrow(body, from_arrow_schema(_out_schema()))
        .persist(StorageLevel.DISK_ONLY)
    )
    metas = [json.loads(r[0]) for r in out.where(F.col(META).isNotNull()).select(META).collect()]
    report.positions = sum(m["positions"] for m in metas)
    report.stale_repeats = sum(m["stale"] for m in metas)
    flights = out.where(F.col(FLIGHT).isNotNull()).select(f"{FLIGHT}.*")
    events = out.where(F.col(EVENT).isNotNull()).select(f"{EVENT}.*")
    flights.write.mode("overwrite").parquet(str(root / "flights"))
    events.write.mode("overwrite").parquet(str(root / "airfield_events"))
    report.flights = flights.count()
    report.aircraft = flights.select("icao24").distinct().count()
    report.by_type = {r[0]: r[1] for r in events.groupBy("event_type").count().collect()}
    report.events = sum(report.by_type.values())
    out.unpersist()
    _replace(
        root,
        "data_windows",
        pa.table(
            {
                "window_start": pc.cast(pa.array(windows[:, 0], pa.int64()), schema.UTC_US),
                "window_end": pc.cast(pa.array(windows[:, 1], pa.int64()), schema.UTC_US),
            },
            schema=schema.DATA_WINDOWS,
        ),
        report.run_id,
    )
    _replace(
        root,
        "processed_sources",
        pa.table(
            {
                "source_id": sources["source_id"],
                "run_id": pa.array([report.run_id] * sources.num_rows, pa.string()),
            },
            schema=schema.PROCESSED_SOURCES,
        ),
        report.run_id,
    )
    report.seconds = time.perf_counter() - t0
    log.info("spark process: %s", report.summary())
    return report


def _replace(root: Path, name: str, rows: pa.Table, tag: str) -> None:
    for f in lake.files(root, name):
        f.unlink()
    (root / name).mkdir(parents=True, exist_ok=True)
    pq.write_table(lake.to_lake(rows, name), root / name / f"part-{tag}.parquet")
