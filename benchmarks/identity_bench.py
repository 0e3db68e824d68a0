"""Aircraft identity benchmark: importing a 600k-row tar1090-db file, and building identities.

    python benchmarks/identity_bench.py             # generate, measure, write identity_results.json
    python benchmarks/identity_bench.py --rows 100000

The file is generated here in the tar1090-db shape (``icao;reg;type;flags;desc;year;ownop;``,
distinct addresses, ~3% military, a few bad lines), plain and gzip. Each measurement runs in a
fresh subprocess pinned to CPU 0 (``taskset -c 0``) with DuckDB at one thread; the command is
printed with each result. Reference: pandas ``read_csv`` of the same file into strings (parsing
only, no validation or store). Best of 3, wall clock. The results file records the machine's load
average, since a busy shared machine slows every case alike.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "identity"
RESULTS = HERE / "identity_results.json"
ONE_CORE_ENV = {"BASEWATCH_THREADS": "1", "OMP_NUM_THREADS": "1"}

TYPES = [
    ("A320", "AIRBUS A-320"),
    ("B738", "BOEING 737-800"),
    ("E190", "EMBRAER ERJ-190-100"),
    ("C172", "CESSNA 172 Skyhawk"),
    ("IL76", "ILYUSHIN Il-76MD"),
    ("A124", "ANTONOV An-124-100"),
    ("IL62", "ILYUSHIN Il-62M"),
    ("C17", "BOEING C-17A Globemaster III"),
]
OPERATORS = ["Test Airways", "Example Air Cargo", "Private owner", "Aero Club", ""]


def generate(path: Path, rows: int, seed: int = 4) -> None:
    """A tar1090-db-shaped file of ``rows`` distinct addresses (plus 0.01% bad lines)."""
    rng = np.random.default_rng(seed)
    addrs = rng.choice(0xFFFFFF, size=rows, replace=False)
    types = rng.integers(0, len(TYPES), rows)
    ops = rng.integers(0, len(OPERATORS), rows)
    mil = rng.random(rows) < 0.03
    years = rng.integers(1960, 2025, rows)
    lines = []
    for i in range(rows):
        t, d = TYPES[types[i]]
        op = "Example Air Force" if mil[i] else OPERATORS[ops[i]]
        lines.append(
            f"{addrs[i]:06x};T-{i:06d};{t};{'10' if mil[i] else '00'};{d};"
            f"{years[i] if i % 3 else ''};{op};\n"
        )
        if i % 10_000 == 5_000:
            lines.append(f"{i:06d};broken line\n")
    path.write_text("".join(lines))


def case_import(path: str, db: str) -> dict:
    from basewatch.identity.aircraftdb import import_aircraft_db
    from basewatch.store import open_store

    Path(db).unlink(missing_ok=True)
    with open_store(db) as store:
        t0 = time.perf_counter()
        report = import_aircraft_db(path, store)
        seconds = time.perf_counter() - t0
    return {
        "seconds": seconds,
        "rows_read": report.rows_read,
        "rows_stored": report.rows_stored,
        "rejects": dict(report.rejects),
    }


def case_identify(path: str, db: str) -> dict:
    """Build the aircraft table for every imported address (rules, watch list, countries)."""
    from basewatch.identity.aircraftdb import import_aircraft_db
    from basewatch.identity.identify import refresh_aircraft
    from basewatch.identity.rules import example_watchlist_file, load_rules
    from basewatch.store import open_store

    Path(db).unlink(missing_ok=True)
    with open_store(db) as store:
        import_aircraft_db(path, store)
        rules = load_rules(watchlists=[example_watchlist_file()], operators=[], icao_ranges=[])
        t0 = time.perf_counter()
        n = refresh_aircraft(store, rules)
        seconds = time.perf_counter() - t0
        mil = store.scalar("SELECT count(*) FROM aircraft WHERE is_military")
    return {"seconds": seconds, "rows": n, "military": mil}


def case_countries(path: str, _db: str) -> dict:
    import pyarrow as pa

    from basewatch.identity.countries import load_blocks

    with open(path) as fh:
        addrs = pa.array([line[:6] for line in fh])
    blocks = load_blocks()
    t0 = time.perf_counter()
    table = blocks.lookup(addrs)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "rows": table.num_rows}


def case_pandas(path: str, _db: str) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(
        path, sep=";", header=None, dtype=str, on_bad_lines="skip", compression="infer"
    )
    return {"seconds": time.perf_counter() - t0, "rows": len(df)}


CASES = {
    "import": case_import,
    "identify": case_identify,
    "countries": case_countries,
    "pandas": case_pandas,
}


def run_child(case: str, path: Path, db: Path) -> tuple[dict, str]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", case, str(path), str(db)]
    if hasattr(os, "sched_setaffinity"):
        cmd = ["taskset", "-c", "0", *cmd]
    env = {**os.environ, **ONE_CORE_ENV}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{case} failed:\n{out.stderr[-3000:]}")
    shown = (
        " ".join(f"{k}={v}" for k, v in ONE_CORE_ENV.items())
        + " "
        + " ".join(str(c).replace(str(HERE.parent) + "/", "") for c in cmd)
    )
    return json.loads(out.stdout.strip().splitlines()[-1]), shown


def best(case: str, path: Path, db: Path, repeats: int = 3) -> tuple[dict, str]:
    runs = [run_child(case, path, db) for _ in range(repeats)]
    return min(runs, key=lambda r: r[0]["seconds"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=600_000)
    ap.add_argument("--child", nargs=3, metavar=("CASE", "FILE", "DB"))
    args = ap.parse_args()
    if args.child:
        case, path, db = args.child
        print(json.dumps(CASES[case](path, db)))
        return
    WORK.mkdir(parents=True, exist_ok=True)
    plain = WORK / f"tar1090_{args.rows}.csv"
    if not plain.exists():
        generate(plain, args.rows)
    gz = WORK / f"tar1090_{args.rows}.csv.gz"
    if not gz.exists():
        gz.write_bytes(gzip.compress(plain.read_bytes(), 6))
    db = WORK / "bench.duckdb"
    results = {}
    for name, case, path in [
        ("basewatch aircraft import, plain CSV", "import", plain),
        ("basewatch aircraft import, gzip content", "import", gz),
        ("pandas read_csv (parse only, reference), plain CSV", "pandas", plain),
        ("identity table for every imported address", "identify", plain),
        ("country lookup of the address column", "countries", plain),
    ]:
        res, cmd = best(case, path, db)
        rows = res.get("rows_read") or res.get("rows")
        res["rows_per_s"] = round(rows / res["seconds"])
        res["command"] = cmd
        results[name] = res
        print(f"{name}: {rows:,} rows in {res['seconds']:.3f} s = {res['rows_per_s']:,} rows/s")
        print(f"    {cmd}")
    doc = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": args.rows,
        "file_bytes": {"plain": plain.stat().st_size, "gzip": gz.stat().st_size},
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            # the machine is shared: a load above the CPU count slows every case alike
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        "cases": results,
    }
    RESULTS.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
