"""Flights benchmark: splitting + airfield events on the real quickstart sample replicated
with distinct addresses, basewatch against traffic 2.13, in one run, on one core.

    python benchmarks/flights_bench.py [--copies 30] [--peer-flights N]

basewatch: ``process`` over the store (read positions, split, detect events, write tables).
traffic: ``Traffic.iterate(by="10 min")`` then ``infer_airport`` take-off and landing for each
flight, on the same positions as a DataFrame, with the same airports (from airportsdata), in
a virtual environment of its own under benchmarks/_work (created on first use). With
``--peer-flights N`` traffic infers airports for N flights only and its time is scaled to all
flights (said so in the results). Results go to benchmarks/results_flights.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
SAMPLE = ROOT / "eval" / "data" / "traffic_quickstart.json.gz"
PEER_VENV = WORK / "traffic-venv"
PEER_REQS = ["traffic==2.13", "pandas<3", "airportsdata"]
ONE_CORE = {"BASEWATCH_THREADS": "1", "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}


def pinned(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0", *cmd] if hasattr(os, "sched_setaffinity") else cmd


def build_store(copies: int) -> Path:
    """The sample replicated ``copies`` times with distinct addresses, as a store and as
    Parquet for the peer."""
    import duckdb

    sys.path.insert(0, str(ROOT / "src"))
    from basewatch import schema
    from basewatch.store import open_store
    from basewatch.store.callsigns import Callsigns

    path = WORK / f"quickstart_x{copies}.duckdb"
    if path.exists():
        return path
    WORK.mkdir(exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with open_store(tmp) as store:
        con = store.con
        con.execute(f"CREATE TEMP TABLE qs AS SELECT * FROM read_json('{SAMPLE}', format='array')")
        con.execute(
            "CREATE TEMP TABLE ids AS SELECT icao24, row_number() OVER (ORDER BY icao24) AS rk "
            "FROM (SELECT DISTINCT icao24 FROM qs)"
        )
        source_id = f"{0x51:016x}"  # one made-up source for all copies
        names = con.execute("SELECT DISTINCT callsign FROM qs WHERE callsign IS NOT NULL")
        Callsigns(con).keys(names.to_arrow_table().column("callsign"))
        cols = schema.position_rows_sql(
            {
                "position_id": "hash(k, q.icao24, q.timestamp)",
                "ts": "make_timestamptz(q.timestamp * 1000)",
                "icao24": "CASE WHEN k = 0 THEN q.icao24 "
                "ELSE lower(printf('%06x', (k * 4096 + ids.rk) % 16777216)) END",
                "callsign": "q.callsign",
                "lat_deg": "q.latitude",
                "lon_deg": "q.longitude",
                "alt_baro_ft": "q.altitude::INT",
                "alt_geom_ft": "NULL",
                "on_ground": "q.onground",
                "gs_kt": "q.groundspeed",
                "track_deg": "q.track",
                "vrate_fpm": "q.vertical_rate::INT",
                "squawk": "q.squawk",
                "new_leg": "NULL",
                "source_id": f"'{source_id}'",
            }
        )
        con.execute(
            f"INSERT INTO position_rows SELECT {cols} "
            f"FROM qs q JOIN ids USING (icao24), range({copies}) r(k)"
        )
        con.execute(
            "INSERT INTO sources (source_id, uri, format, run_id, complete) "
            f"VALUES ('{source_id}', 'quickstart.json.gz', 'traffic_json', 'bench', true)"
        )
        con.execute(
            f"""COPY (SELECT ts AS timestamp, icao24, callsign, lat_deg AS latitude,
                      lon_deg AS longitude, alt_baro_ft AS altitude, gs_kt AS groundspeed,
                      track_deg AS track, vrate_fpm AS vertical_rate, on_ground AS onground
                      FROM positions) TO '{WORK / f"quickstart_x{copies}.parquet"}'"""
        )
    duckdb.connect(str(tmp)).close()
    tmp.rename(path)
    return path


def airports_parquet() -> Path:
    import airportsdata
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = WORK / "airports.parquet"
    rows = list(airportsdata.load("ICAO").values())
    pq.write_table(
        pa.table(
            {
                "altitude": [float(a["elevation"] or 0) for a in rows],
                "country": [a["country"] for a in rows],
                "iata": [a["iata"] for a in rows],
                "icao": [a["icao"] for a in rows],
                "latitude": [float(a["lat"]) for a in rows],
                "longitude": [float(a["lon"]) for a in rows],
                "name": [a["name"] for a in rows],
            }
        ),
        path,
    )
    return path


def run_basewatch(store: Path) -> dict:
    code = f"""
import json, resource, shutil, time
from basewatch.store import open_store
from basewatch.stages.process import process
shutil.copy({str(store)!r}, {str(store.with_suffix(".run"))!r})
with open_store({str(store.with_suffix(".run"))!r}) as st:
    t = time.perf_counter()
    r = process(st, full=True)
    s = time.perf_counter() - t
print(json.dumps(dict(seconds=s, positions_read=st and r.positions, flights=r.flights,
      events=r.events, by_type=r.by_type,
      peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
"""
    env = {**os.environ, **ONE_CORE}
    # the first run compiles the kernels into numba's cache; it is not timed
    subprocess.run(pinned([sys.executable, "-c", code]), env=env, check=True, capture_output=True)
    runs = []
    for _ in range(3):
        out = subprocess.run(
            pinned([sys.executable, "-c", code]),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda r: r["seconds"])


def peer_python() -> Path:
    py = PEER_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", *PEER_REQS], check=True)
    return py


def run_traffic(copies: int, limit: int) -> dict:
    py = peer_python()
    cmd = [
        str(py),
        str(HERE / "peers" / "traffic_flights.py"),
        str(WORK / f"quickstart_x{copies}.parquet"),
        str(airports_parquet()),
        str(limit),
    ]
    out = subprocess.run(
        pinned(cmd), env={**os.environ, **ONE_CORE}, check=True, capture_output=True, text=True
    )
    r = json.loads(out.stdout.strip().splitlines()[-1])
    scale = r["flights"] / max(1, r["infer_flights"])
    r["infer_s_all"] = r["infer_s"] * scale
    r["seconds"] = r["split_s"] + r["infer_s_all"]
    r["scaled"] = r["infer_flights"] < r["flights"]
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=30)
    ap.add_argument(
        "--peer-flights",
        type=int,
        default=0,
        help="traffic: infer airports for N flights only, scale",
    )
    args = ap.parse_args()
    t = time.time()
    store = build_store(args.copies)
    bw = run_basewatch(store)
    peer = run_traffic(args.copies, args.peer_flights)
    n = bw["positions_read"]
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, one pinned",
        "command": "python benchmarks/flights_bench.py " + " ".join(sys.argv[1:]),
        "positions": peer["positions"],
        "basewatch": bw,
        "traffic": peer,
        "basewatch_positions_per_s": round(peer["positions"] / bw["seconds"]),
        "speedup": round(peer["seconds"] / bw["seconds"], 1),
    }
    (HERE / "results_flights.json").write_text(json.dumps(result, indent=2) + "\n")
    scaled = (
        f" (airports inferred for {peer['infer_flights']:,} of {peer['flights']:,} flights, "
        f"time scaled to all)"
        if peer["scaled"]
        else ""
    )
    md = f"""# Flights benchmark

`{result["command"]}` — {result["when"]}, {result["machine"]}.

Input: the real quickstart sample (284,505 OpenSky state vectors) replicated {args.copies}× with
distinct addresses: {peer["positions"]:,} positions.

| | seconds | positions/s | flights | notes |
|---|---:|---:|---:|---|
| basewatch `process` (read store, split, airfield events, write tables) | {bw["seconds"]:.2f} | {result["basewatch_positions_per_s"]:,} | {bw["flights"]:,} | {n:,} positions after dropping stale repeats; {bw["events"]:,} events; peak RSS {bw["peak_rss_mib"]:.0f} MiB |
| traffic 2.13 `iterate(by="10 min")` | {peer["split_s"]:.2f} | {round(peer["positions"] / peer["split_s"]):,} | {peer["flights"]:,} | groups by (icao24, callsign) |
| traffic 2.13 split + `infer_airport` take-off and landing | {peer["seconds"]:.1f} | {round(peer["positions"] / peer["seconds"]):,} | {peer["flights"]:,} | {peer["infer_s_all"] / peer["flights"] * 1000:.0f} ms per flight{scaled} |

basewatch is **{result["speedup"]}×** faster end to end.
"""
    (HERE / "results_flights.md").write_text(md)
    print(md)
    print(f"({time.time() - t:.0f} s)")


if __name__ == "__main__":
    main()
