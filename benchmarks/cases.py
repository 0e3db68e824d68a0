"""One benchmark case per call, run by benchmarks/run.py in a pinned subprocess.

Prints one JSON line: seconds (of the measured part), rows, peak_rss_mib.
"""

from __future__ import annotations

import gzip
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import orjson

from basewatch.demo import sample_path

WORK = Path(__file__).resolve().parent / "_work"
JSONL = sample_path("rs1090_full_flight_short.jsonl.gz")
TRACE = sample_path("trace_full_ac671b.json")
RECEIVER = (49.0097, 2.5479)


_CPU0 = [0.0]


def start() -> float:
    """Mark the start of the measured part: returns the wall clock, notes the CPU clock."""
    _CPU0[0] = time.process_time()
    return time.perf_counter()


def report(seconds: float, rows: int, **extra) -> None:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 4),
                "cpu_seconds": round(time.process_time() - _CPU0[0], 4),
                "rows": rows,
                "peak_rss_mib": round(rss, 1),
                **extra,
            }
        )
    )


def load_frames() -> tuple[list[str], list[float]]:
    frames, ts = [], []
    with gzip.open(JSONL, "rb") as fh:
        for line in fh:
            d = orjson.loads(line)
            frames.append(d["frame"])
            ts.append(d["timestamp"])
    return frames, ts


def case_rs1090(mode: str) -> None:
    import rs1090

    frames, ts = load_frames()
    t = start()
    out = (
        rs1090.decode(frames)
        if mode == "stateless"
        else rs1090.decode(frames, ts, reference=RECEIVER)
    )
    report(time.perf_counter() - t, len(out), positions=sum(1 for d in out if "latitude" in d))


def case_pymodes(mode: str) -> None:
    import pyModeS

    frames, ts = load_frames()
    t = start()
    if mode == "stateless":
        out = [pyModeS.decode(f) for f in frames]
    else:
        dec = pyModeS.PipeDecoder(surface_ref=RECEIVER)
        out = [dec.decode(f, timestamp=t_) for f, t_ in zip(frames, ts, strict=True)]
    report(
        time.perf_counter() - t,
        len(out),
        positions=sum(1 for d in out if d and d.get("latitude") is not None),
    )


def _frames_path(k: int) -> Path:
    return JSONL if k == 1 else WORK / f"frames_x{k}.jsonl"


def case_make_frames(times: str) -> None:
    """The capture replayed k times, 2 h apart (the flight lasts 1.33 h: no overlap); written
    by a process of its own, so that the ingest's peak memory is the ingest's alone."""
    k = int(times)
    dest = _frames_path(k)
    if k > 1 and not dest.exists():
        with gzip.open(JSONL, "rb") as fh:
            lines = fh.read().splitlines()
        part = dest.with_suffix(".part")
        with open(part, "wb") as out:
            for i in range(k):
                for line in lines:
                    d = orjson.loads(line)
                    out.write(
                        orjson.dumps({"timestamp": d["timestamp"] + 7200 * i, "frame": d["frame"]})
                        + b"\n"
                    )
        part.rename(dest)
    report(0.0, k)


def case_basewatch_jsonl(times: str = "1") -> None:
    from basewatch import api

    k = int(times)
    src = _frames_path(k)
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    t = start()
    r = api.ingest([src], db=tmp / "b.duckdb", receiver=RECEIVER)
    report(time.perf_counter() - t, r.rows_added, frames=57_793 * k)
    shutil.rmtree(tmp)


def case_make_traces(n: str) -> None:
    n_ = int(n)
    doc = orjson.loads(TRACE.read_bytes())
    for kind in ("plain", "gzip"):
        folder = WORK / f"traces_{kind}_{n_}"
        if folder.exists():
            continue
        folder.mkdir(parents=True)
        for i in range(n_):
            icao = f"{0xAC0000 + i:06x}"
            doc["icao"] = icao
            data = orjson.dumps(doc)
            name = folder / f"trace_full_{icao}.json"
            name.write_bytes(gzip.compress(data, 6) if kind == "gzip" else data)
    report(0.0, n_)


def case_basewatch_traces(kind: str, n: str = "400", made: str = "400") -> None:
    from basewatch import api

    folder = WORK / f"traces_{kind}_{made}"
    files = sorted(folder.iterdir())[: int(n)]
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    t = start()
    r = api.ingest(files, db=tmp / "b.duckdb")
    report(time.perf_counter() - t, r.rows_added)
    shutil.rmtree(tmp)


def case_make_small_traces(n: str) -> None:
    """``n`` files of 250 positions each, cut from the sample: a day of many short traces."""
    n_ = int(n)
    doc = orjson.loads(TRACE.read_bytes())
    rows = doc["trace"]
    folder = WORK / f"traces_plain_small_{n_}"
    if not folder.exists():
        folder.mkdir(parents=True)
        for i in range(n_):
            icao = f"{0xAD0000 + i:06x}"
            k = (i * 250) % len(rows)
            data = orjson.dumps(dict(doc, icao=icao, trace=rows[k : k + 250]))
            (folder / f"trace_full_{icao}.json").write_bytes(data)
    report(0.0, n_)


def case_basewatch_traces_overlap() -> None:
    """Into a store that already holds the same hours for 400 other aircraft."""
    from basewatch import api

    files = sorted((WORK / "traces_plain_1000").iterdir())
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    api.ingest(files[:400], db=tmp / "b.duckdb")
    t = start()
    r = api.ingest(files[400:800], db=tmp / "b.duckdb")
    report(time.perf_counter() - t, r.rows_added)
    shutil.rmtree(tmp)


def _trace_tables(kind: str, fast: bool) -> tuple[list, list]:
    from basewatch.readers import readsb
    from basewatch.readers.base import ReadContext, RejectLog, stream_id

    ctx = ReadContext(rejects=RejectLog("bench"))
    tables, sids = [], []
    for path in sorted((WORK / f"traces_{kind}_400").iterdir()):
        raw = path.read_bytes()
        data = readsb._whole(raw)
        tables.append(readsb.trace_bytes_to_table(data, ctx, str(path), fast=fast))
        sids.append(stream_id(path.name, ""))
    return tables, sids


def case_trace_read(kind: str, path: str = "scan") -> None:
    """Read, gunzip and parse only (no content hash, no ids, no store)."""
    _trace_tables(kind, path == "scan")  # first run: JIT cache load, file cache
    t = start()
    tables, _ = _trace_tables(kind, path == "scan")
    report(time.perf_counter() - t, sum(x.num_rows for x in tables))


def case_trace_store() -> None:
    """Only the store side of ingest: ids, duplicate check and DuckDB insert of ready tables."""
    from basewatch.readers import pipeline
    from basewatch.store import open_store

    tables, sids = _trace_tables("plain", True)
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    t = start()
    with open_store(tmp / "b.duckdb") as store:
        writer = pipeline._Writer(store)
        for table, sid in zip(tables, sids, strict=True):
            writer.stage(table, sid)
        writer.close()
        rows = sum(writer.added.values())
    report(time.perf_counter() - t, rows)
    shutil.rmtree(tmp)


def case_duckdb_insert(variant: str = "stored") -> None:
    """DuckDB's append alone: the positions of the benchmark, in whole row groups, into the
    stored table (``stored``) or one with the address, callsign, Mode A code and source as
    text, as they were stored before (``text``)."""
    import duckdb
    import pyarrow as pa

    from basewatch import schema
    from basewatch.readers import pipeline
    from basewatch.store.callsigns import Callsigns

    tables, sids = _trace_tables("plain", True)
    mem = duckdb.connect()
    mem.execute(schema.create_table_sql("callsigns"))
    batch = pipeline.to_position_rows(tables, sids, Callsigns(mem))
    ddl = schema.create_table_sql("position_rows")
    if variant == "text":  # the rows as the view spells them
        mem.register("position_rows", batch)
        batch = mem.execute(schema.positions_select_sql() + " ORDER BY icao, ts").to_arrow_table()
        batch = batch.cast(pa.schema([f.remove_metadata() for f in schema.POSITIONS]))
        ddl = schema.create_table_sql("position_rows", schema.POSITIONS)
    mem.close()
    rg = pipeline.ROW_GROUP
    chunks = [batch.slice(i, rg).combine_chunks() for i in range(0, batch.num_rows, rg)]
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    con = duckdb.connect(str(tmp / "b.duckdb"), config={"threads": 1, "memory_limit": "1GB"})
    con.execute(ddl)
    con.execute("SET disabled_compression_methods = 'fsst'")  # as the writer does
    t = start()
    for chunk in chunks:
        con.register("_rows", chunk)
        con.execute("INSERT INTO position_rows SELECT * FROM _rows")
        con.unregister("_rows")
    con.execute("CHECKPOINT")
    con.close()
    report(time.perf_counter() - t, batch.num_rows)
    shutil.rmtree(tmp)


def case_duckdb_extract() -> None:
    """DuckDB alone, doing what a reader must: unnest and pull out the fields (no store)."""
    import duckdb

    folder = WORK / "traces_plain_400"
    con = duckdb.connect(config={"threads": 1})
    t = start()
    n = con.execute(
        f"""CREATE TABLE p AS
            WITH f AS (SELECT icao, "timestamp" AS t0, unnest(trace) AS r FROM read_json('{folder}/*.json',
                 columns={{icao: 'VARCHAR', timestamp: 'DOUBLE', trace: 'JSON[]'}}))
            SELECT icao, t0 + (r->>0)::DOUBLE AS ts, (r->>1)::DOUBLE AS lat, (r->>2)::DOUBLE AS lon,
                   r->>3 AS alt, (r->>4)::DOUBLE AS gs, (r->>5)::DOUBLE AS trk, (r->>6)::INT AS flags,
                   (r->>7)::INT AS vrate, r->8->>'flight' AS flight, r->8->>'squawk' AS squawk
            FROM f"""
    ).fetchone()[0]
    report(time.perf_counter() - t, n)


def case_duckdb_unnest() -> None:
    import duckdb

    folder = WORK / "traces_plain_400"
    con = duckdb.connect(config={"threads": 1})
    t = start()
    n = con.execute(
        f"""SELECT count(*) FROM (
              SELECT icao, unnest(trace) AS r FROM read_json('{folder}/*.json',
                 columns={{icao: 'VARCHAR', timestamp: 'DOUBLE', trace: 'JSON[]'}})
            )"""
    ).fetchone()[0]
    report(time.perf_counter() - t, n)


if __name__ == "__main__":
    WORK.mkdir(exist_ok=True)
    globals()[f"case_{sys.argv[1]}"](*sys.argv[2:])
