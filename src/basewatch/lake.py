"""The lake: the store's tables as Parquet datasets in one folder, the hand-off to and from a
cluster.

::

    LAKE/positions/day=2025-10-24/*.parquet    position_rows, partitioned by UTC day
    LAKE/callsigns/*.parquet                   the callsign of every callsign_key
    LAKE/<table>/*.parquet                     sources, rejects, aircraft_observed, flights,
                                               airfield_events, data_windows, processed_sources

Every dataset has the columns of its table in ``schema.py``, with one change: Parquet readers
outside DuckDB (Spark among them) have no unsigned integers, so unsigned columns are stored
signed (``lake_schema``); a 64-bit id keeps its bits (read back with ``from_lake``). DuckDB or
Spark may write a lake; a store *attaches* one (``attach``): its tables become views over the
Parquet files, so ``watch``, ``changes``, ``brief`` and ``serve`` run unchanged on tables a
cluster computed, and DuckDB reads the files in place.
"""

from __future__ import annotations

import logging
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

from . import schema
from .errors import InputError, StoreError
from .identity.identify import refresh_aircraft
from .store import Store, transaction

log = logging.getLogger(__name__)

POSITIONS = "positions"  # the dataset of position_rows (partitioned by ``day``)
DAY = "day"  # partition column of positions: the UTC day of ``ts``
# the datasets besides positions, in the store's own table names
TABLES = (
    "callsigns",
    "sources",
    "rejects",
    "aircraft_observed",
    "flights",
    "airfield_events",
    "data_windows",
    "processed_sources",
)

_SIGNED = {
    pa.uint8(): pa.int16(),
    pa.uint16(): pa.int32(),
    pa.uint32(): pa.int64(),
    pa.uint64(): pa.int64(),  # same bits: ids are hashes, their sign means nothing
}


def _dataset_table(name: str) -> str:
    return "position_rows" if name == POSITIONS else name


def lake_schema(name: str) -> pa.Schema:
    """The Parquet schema of dataset ``name``: the table's schema with unsigned integers
    stored signed (Spark has none)."""
    sch = schema.TABLES[_dataset_table(name)]
    return pa.schema([f.with_type(_SIGNED.get(f.type, f.type)) for f in sch])


def to_lake(table: pa.Table, name: str) -> pa.Table:
    """Rows of the store's table → the lake's types (uint64 ids reinterpreted, not cast)."""
    target = lake_schema(name)
    cols = []
    for f, col in zip(target, table.columns, strict=True):
        if col.type == pa.uint64():
            col = pa.chunked_array([c.view(pa.int64()) for c in col.chunks], pa.int64())
        cols.append(col.cast(f.type))
    return pa.Table.from_arrays(cols, schema=target)


def from_lake(table: pa.Table, name: str) -> pa.Table:
    """Rows as the lake stores them → the store's types (the inverse of ``to_lake``)."""
    target = schema.TABLES[_dataset_table(name)]
    cols = []
    for f in target:
        col = table.column(f.name)
        if f.type == pa.uint64():
            col = pa.chunked_array(
                [c.cast(pa.int64()).view(pa.uint64()) for c in col.chunks], pa.uint64()
            )
        cols.append(col.cast(f.type))
    return pa.Table.from_arrays(cols, schema=target)


def _stored_sql(f: pa.Field, lake_type: pa.DataType) -> str:
    """SQL of a lake column read back as the store's type."""
    name = f.name
    if f.type == pa.uint64():  # the signed bits back to unsigned
        return (
            f"CAST(CASE WHEN {name} < 0 THEN {name}::HUGEINT + 18446744073709551616 "
            f"ELSE {name} END AS UBIGINT) AS {name}"
        )
    return f"CAST({name} AS {schema.duckdb_type(f.type)}) AS {name}"


def _lake_sql(f: pa.Field) -> str:
    """SQL of a store column as the lake stores it."""
    name = f.name
    if f.type == pa.uint64():
        return (
            f"CAST(CASE WHEN {name} >= 9223372036854775808 THEN {name}::HUGEINT - "
            f"18446744073709551616 ELSE {name} END AS BIGINT) AS {name}"
        )
    lake_type = _SIGNED.get(f.type, f.type)
    return f"CAST({name} AS {schema.duckdb_type(lake_type)}) AS {name}"


def signed64(value: int) -> int:
    """A uint64 id as the lake stores it (the same 64 bits, read as signed)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def append_rows(lake: str | Path, name: str, rows: pa.Table, tag: str) -> Path | None:
    """Add ``rows`` (in the store's schema) to a dataset as one more file, named by ``tag``
    (a run id); nothing when there are no rows."""
    if not rows.num_rows:
        return None
    folder = Path(lake) / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"part-{tag}.parquet"
    pq.write_table(to_lake(rows, name), path)
    return path


def files(lake: Path, name: str) -> list[Path]:
    """The Parquet files of a dataset (none when it is missing)."""
    folder = Path(lake) / name
    return sorted(folder.rglob("*.parquet")) if folder.is_dir() else []


# --- writing from a store ----------------------------------------------------------------


def write(store: Store, lake: str | Path) -> dict[str, int]:
    """Write the store's positions and derived tables into ``lake`` as Parquet datasets,
    replacing what the lake held; returns rows written per dataset."""
    lake = Path(lake)
    lake.mkdir(parents=True, exist_ok=True)
    con = store.con
    counts = {}
    for name in (POSITIONS, *TABLES):
        table = _dataset_table(name)
        cols = ", ".join(_lake_sql(f) for f in schema.TABLES[table])
        target = lake / name
        _clear(target)
        target.mkdir(parents=True)
        if name == POSITIONS:
            sql = f"SELECT {cols}, CAST(ts AS DATE) AS {DAY} FROM {table}"
            reader = con.execute(sql).to_arrow_reader(1 << 17)
            part = pads.partitioning(pa.schema([pa.field(DAY, pa.date32())]), flavor="hive")
            wrote = [0]

            def batches(reader=reader, wrote=wrote):
                for b in reader:
                    wrote[0] += b.num_rows
                    yield b

            pads.write_dataset(
                batches(),
                target,
                schema=lake_schema(name).append(pa.field(DAY, pa.date32())),
                format="parquet",
                partitioning=part,
                basename_template="part-{i}.parquet",
                existing_data_behavior="overwrite_or_ignore",
                max_rows_per_file=1 << 23,
            )
            counts[name] = wrote[0]
        else:
            rows = con.execute(f"SELECT {cols} FROM {table}").to_arrow_table()
            pq.write_table(rows.cast(lake_schema(name)), target / "part-0.parquet")
            counts[name] = rows.num_rows
    log.info("lake %s written: %s", lake, counts)
    return counts


def _clear(folder: Path) -> None:
    """Remove a dataset folder written before (only Parquet files and partition folders)."""
    if not folder.exists():
        return
    for p in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if p.is_dir():
            p.rmdir()
        elif p.suffix in (".parquet", ".crc") or p.name.startswith(("_SUCCESS", "._SUCCESS")):
            p.unlink()
        else:
            raise InputError(f"{folder}: holds {p.name}, not a lake dataset; choose another --lake")
    folder.rmdir()


# --- attaching to a store ------------------------------------------------------------------


def attach(store: Store, lake: str | Path) -> dict[str, int]:
    """Make the store read ``lake``: positions and the derived tables become views over its
    Parquet files (new files of a dataset that had files are read too; attach again after a
    new dataset appears), and the aircraft table is rebuilt over them. The store must hold no
    positions of its own. Returns the rows each view shows."""
    lake = Path(lake).resolve()
    if not (lake / POSITIONS).is_dir():
        raise InputError(f"{lake}: no lake here (no positions dataset); write one first")
    con = store.con
    kind = _kind(con, "position_rows")
    if kind == "BASE TABLE" and con.execute("SELECT count(*) FROM position_rows").fetchone()[0]:
        raise StoreError(
            f"{store.path}: the store holds positions of its own; attach a lake to a new store"
        )
    counts = {}
    with transaction(con):
        for name in (POSITIONS, *TABLES):
            table = _dataset_table(name)
            kind = _kind(con, table)
            if kind == "BASE TABLE":
                con.execute(f"DROP TABLE {table}")
            elif kind == "VIEW":
                con.execute(f"DROP VIEW {table}")
            con.execute(f"CREATE VIEW {table} AS {_read_sql(lake, name)}")
        # the store's own views (positions, flight_points) name these and bind at query time
        # who the aircraft are stays the store's work, over the attached positions
        refresh_aircraft(store)
        for name in (POSITIONS, *TABLES):
            table = _dataset_table(name)
            counts[name] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    log.info("lake %s attached: %s", lake, counts)
    return counts


def _kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    row = con.execute(
        "SELECT table_type FROM information_schema.tables WHERE table_name = ? "
        "AND table_schema = 'main'",
        [name],
    ).fetchone()
    return row[0] if row else None


def _read_sql(lake: Path, name: str) -> str:
    """A SELECT of the dataset's rows in the store's types; no rows when it has no files."""
    table = _dataset_table(name)
    target = schema.TABLES[table]
    lake_types = lake_schema(name)
    cols = ", ".join(_stored_sql(f, lake_types.field(f.name).type) for f in target)
    if not files(lake, name):
        empty = ", ".join(f"CAST(NULL AS {schema.duckdb_type(f.type)}) AS {f.name}" for f in target)
        return f"SELECT {empty} WHERE false"
    glob = str(lake / name / "**" / "*.parquet").replace("'", "''")
    hive = ", hive_partitioning = true" if name == POSITIONS else ""
    return f"SELECT {cols} FROM read_parquet('{glob}'{hive})"
