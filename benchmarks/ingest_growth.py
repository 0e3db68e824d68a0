"""Ingest rate against the size of the store it goes into.

    python benchmarks/ingest_growth.py OUT_DIR [--sizes 0,5,10,15,20,25] [--files 100]

A day of input is ``--files`` trace_full files (the shipped sample under as many addresses,
2,500 positions each), a new day for every measurement, so each one is read, checked and
stored whole. Before each measurement the store is grown to the next size (millions of
positions) by copying the positions it holds to earlier days with new ids (as
``web_store.copy_positions`` does): a store that grew day by day, the day ingested the newest.
Each measurement is one ``api.ingest`` of one day; its wall and CPU seconds and positions per
second are printed as one JSON line per size, and all of them at the end.

    python benchmarks/ingest_growth.py OUT_DIR --one-run 25 [--files 100]

The other way a store grows: one run over many days (``web_store.py`` ingests half a year in
one call). The store side of ingest alone (``pipeline._Writer``: ids, the duplicate check,
DuckDB's append; no files read) takes day after day of the sample's table under ``--files``
addresses until the run has written ``--one-run`` million positions, and prints the rate of
every million.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import orjson

from basewatch import api
from basewatch.demo import sample_path
from basewatch.store import open_store

TRACE = sample_path("trace_full_ac671b.json")
DAY_S = 86_400


def make_day(folder: Path, day: int, files: int) -> list[Path]:
    """``files`` trace_full files of day ``day`` (days after the sample's)."""
    doc = orjson.loads(TRACE.read_bytes())
    doc["timestamp"] += day * DAY_S
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(files):
        icao = f"{0xAC0000 + i:06x}"
        path = folder / f"trace_full_{icao}.json"
        path.write_bytes(orjson.dumps(dict(doc, icao=icao)))
        out.append(path)
    return out


def grow(db: Path, target: int, salt: int) -> tuple[int, int]:
    """Copy stored positions to earlier days (new ids) until the store holds at least
    ``target``; returns (positions held, the last copy's salt)."""
    with open_store(db) as store:
        con = store.con
        cols = [r[0] for r in con.execute("DESCRIBE position_rows").fetchall()]
        n = con.execute("SELECT count(*) FROM position_rows").fetchone()[0]
        while n and n < target:
            salt += 1
            select = ", ".join(
                f"hash(position_id, {salt})::UBIGINT" if c == "position_id"
                else f"ts - INTERVAL ({3 * salt}) DAY" if c == "ts"
                else c
                for c in cols
            )  # fmt: skip
            con.execute(
                f"INSERT INTO position_rows SELECT {select} FROM position_rows "
                f"LIMIT {min(n, target - n)}"
            )
            n = con.execute("SELECT count(*) FROM position_rows").fetchone()[0]
        con.execute("CHECKPOINT")
        return n, salt


def one_run(db: Path, millions: float, files: int) -> list[dict]:
    import pyarrow as pa
    import pyarrow.compute as pc

    from basewatch.readers import pipeline, readsb
    from basewatch.readers.base import ReadContext, RejectLog, stream_id

    ctx = ReadContext(rejects=RejectLog("bench"))
    base = readsb.trace_bytes_to_table(TRACE.read_bytes(), ctx, TRACE.name, fast=True)
    at = base.schema.get_field_index("icao24")
    target, done, step, out = int(millions * 1e6), 0, 1_000_000, []
    with open_store(db) as store:
        writer = pipeline._Writer(store)
        looks = {"store_lookups": 0, "exact_batches": 0}  # the duplicate check's store queries

        def counted(name, key):
            method = getattr(writer, name)

            def call(*args):
                looks[key] += 1
                return method(*args)

            setattr(writer, name, call)

        counted("_stored_times", "store_lookups")
        counted("_exact", "exact_batches")
        c0, t0 = os.times(), time.perf_counter()
        day = 0
        while done < target:
            day += 1
            ts = pc.add(base.column("ts"), pa.scalar(day * DAY_S * 1_000_000, pa.duration("us")))
            for i in range(files):
                icao = pa.array([f"{0xAC0000 + i:06x}"] * base.num_rows, pa.string())
                t = base.set_column(at, "icao24", icao).set_column(0, "ts", ts)
                writer.stage(t, stream_id(f"{day}/{i}", ""))
                done += t.num_rows
                if done // step > len(out):
                    c1, t1 = os.times(), time.perf_counter()
                    cpu = (c1.user - c0.user) + (c1.system - c0.system)
                    res = {
                        "run_positions": done,
                        "wall_s": round(t1 - t0, 2),
                        "cpu_s": round(cpu, 2),
                        "positions_per_cpu_s": round(step / cpu) if cpu else None,
                        **looks,
                        "load": os.getloadavg()[0],
                    }
                    looks.update(store_lookups=0, exact_batches=0)
                    print(json.dumps(res), flush=True)
                    out.append(res)
                    c0, t0 = c1, t1
        writer.close()
        writer.release()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--sizes", default="0,5,10,15,20,25", help="store sizes, M positions")
    ap.add_argument("--files", type=int, default=100, help="files of 2,500 positions a day")
    ap.add_argument("--one-run", type=float, default=None, help="M positions in one run")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    db = args.out / "growth.duckdb"
    if db.exists():
        raise SystemExit(f"{db} exists: give a new OUT_DIR")
    if args.one_run:
        print(json.dumps(one_run(db, args.one_run, args.files), indent=1))
        return
    results = []
    salt = 0
    for day, size in enumerate((float(s) for s in args.sizes.split(",")), 1):
        held, salt = grow(db, int(size * 1e6), salt) if db.exists() else (0, 0)
        files = make_day(args.out / f"day{day}", day, args.files)
        c0, t0 = os.times(), time.perf_counter()
        r = api.ingest(files, db=db)
        wall, c1 = time.perf_counter() - t0, os.times()
        cpu = (c1.user - c0.user) + (c1.system - c0.system)
        for f in files:
            f.unlink()
        res = {
            "store_positions": held,
            "added": r.rows_added,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "positions_per_cpu_s": round(r.rows_added / cpu),
            "positions_per_min_wall": round(r.rows_added / wall * 60),
            "load": os.getloadavg()[0],
        }
        print(json.dumps(res), flush=True)
        results.append(res)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
