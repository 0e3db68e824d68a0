"""Archive → flights + airfield events: the embedded path against Spark local[1] / local[2].

    python benchmarks/spark_bench.py [GLOBE_HISTORY_FOLDER] [SPARK_CORES ...]
    python benchmarks/spark_bench.py "" 1 2      # the simulated archive; local[1], local[2]

Writes spark_results.md after every step.

Without a folder, the shipped khmeimim-2025 scenario is simulated in globe_history layout
(one trace_full file per aircraft per day). Each path runs as its own subprocess, timed by wall
clock and, for the embedded path, by the CPU seconds of the process and its children (Spark's
JVM and Python workers are not children it waits for, so they go uncounted); the machine's
other load shows as the gap between wall and CPU time.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "spark"
RESULTS_MD = HERE / "spark_results.md"
BW = [sys.executable, "-m", "basewatch"]
ARGS = " ".join(a or "''" for a in sys.argv[1:])


def timed(cmd: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{out.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "out": out.stdout.strip()[-300:]}


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    cores = [int(c) for c in sys.argv[2:]] or [1, 2]
    if len(sys.argv) > 1 and sys.argv[1]:
        archive = Path(sys.argv[1])
    else:
        archive = WORK / "sim" / "globe_history"
        if not archive.exists():
            timed([*BW, "simulate", "khmeimim-2025", "--out", str(WORK / "sim")])
    files = sum(1 for _ in archive.rglob("*.json"))
    runs: dict[str, dict] = {}
    positions = 0
    for jobs in (1, 2):
        db = WORK / f"embedded{jobs}.duckdb"
        db.unlink(missing_ok=True)
        cmd = [*BW, "ingest", str(archive), "--db", str(db), "--jobs", str(jobs), "--json"]
        runs[f"embedded ingest --jobs {jobs}"] = timed(cmd)
        positions = json.loads(runs[f"embedded ingest --jobs {jobs}"]["out"].splitlines()[-1])
        positions = positions["rows_added"]
        write(runs, files, positions)
        if jobs == 1:
            runs["embedded process"] = timed([*BW, "process", "--db", str(db)])
            write(runs, files, positions)
    for n in cores:
        lake = WORK / f"lake{n}"
        shutil.rmtree(lake, ignore_errors=True)
        master = f"local[{n}]"
        for step in ("ingest", "process"):
            cmd = [*BW, "spark", step, "--lake", str(lake), "--master", master]
            if step == "ingest":
                cmd.insert(5, str(archive))
            runs[f"spark {master} {step}"] = timed(cmd)
            write(runs, files, positions)


def write(runs: dict, files: int, positions: int) -> None:
    lines = [
        "# Archive to flights: embedded and Spark",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores "
        f"(shared with other work), Python {platform.python_version()}; {files:,} trace_full "
        f"files, {positions:,} positions. Command: `python benchmarks/spark_bench.py {ARGS}`.",
        "",
        "| step | wall s | CPU s (all processes) | positions per CPU s |",
        "|---|---:|---:|---:|",
    ]
    for name, r in runs.items():
        if name.startswith("spark"):  # its JVM and workers are not children it waits for
            lines.append(f"| {name} | {r['wall_s']} | (not counted) | |")
            continue
        rate = positions / r["cpu_s"] if r["cpu_s"] else 0
        lines.append(f"| {name} | {r['wall_s']} | {r['cpu_s']} | {rate:,.0f} |")
    RESULTS_MD.write_text("\n".join(lines) + "\n")
    print(lines[-1], flush=True)


if __name__ == "__main__":
    main()
