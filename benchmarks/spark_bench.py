"""Archive → flights + airfield events: the embedded path against Spark local[1] / local[2].

    python benchmarks/spark_bench.py [GLOBE_HISTORY_FOLDER] [SPARK_CORES ...]
    python benchmarks/spark_bench.py "" 1 2      # the simulated archive; local[1], local[2]
    python benchmarks/spark_bench.py world:30 2  # 30 of the 300 airfields of world-day

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
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "spark"
RESULTS_MD = HERE / "spark_results.md"
BW = [sys.executable, "-m", "basewatch"]
ARGS = " ".join(a or "''" for a in sys.argv[1:])
LABEL = "khmeimim-2025 (simulated)"


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_of_tree(root: int, seen: dict) -> None:
    """Record the CPU seconds so far (own, not children's) of ``root`` and every process
    descended from it: workers forked by a fork server and Spark's JVM and Python workers
    are not children the command waits for, so rusage would miss them."""
    parent: dict[int, int] = {}
    stats: dict[int, tuple] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            text = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        f = text[text.rindex(")") + 2 :].split()
        parent[int(d)] = int(f[1])
        stats[int(d)] = (f[19], (int(f[11]) + int(f[12])) / TICK)  # start time, utime + stime
    tree, grew = {root}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        tree |= more
        grew = bool(more)
    for p in tree & stats.keys():
        seen[(p, stats[p][0])] = stats[p][1]


def timed(cmd: list[str]) -> dict:
    """Wall clock, and CPU seconds of the command's whole process tree (polled every 0.1 s:
    a process living less than that goes uncounted, as does its last 0.1 s)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: dict = {}
    out: list[str] = []

    def drain(stream, into):
        into.append(stream.read())

    err: list[str] = []
    readers = [
        threading.Thread(target=drain, args=(proc.stdout, out)),
        threading.Thread(target=drain, args=(proc.stderr, err)),
    ]
    for r in readers:
        r.start()
    while proc.poll() is None:
        _cpu_of_tree(proc.pid, seen)
        time.sleep(0.1)
    for r in readers:
        r.join()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed:\n{''.join(err)[-3000:]}")
    cpu = sum(seen.values())
    return {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "out": "".join(out).strip()[-300:]}


def world(airfields: int) -> Path:
    """The shipped world-day scenario with its first ``airfields`` airfields (all 300: the
    whole day), simulated once in globe_history layout."""
    from importlib.resources import files

    out = WORK / f"world{airfields}"
    if not (out / "globe_history").exists():
        text = files("basewatch.data.scenarios").joinpath("world-day.toml").read_text()
        text = text.replace("airfields = 300", f"airfields = {airfields}", 1)
        out.mkdir(parents=True, exist_ok=True)
        (out / "world.toml").write_text(text)
        timed([*BW, "simulate", str(out / "world.toml"), "--out", str(out / "sim")])
        (out / "sim" / "globe_history").rename(out / "globe_history")
    return out / "globe_history"


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    cores = [int(c) for c in sys.argv[2:] if c != "0"] if sys.argv[2:] else [1, 2]
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    global LABEL
    if what.startswith("world:"):
        n = int(what.partition(":")[2])
        archive = world(n)
        LABEL = f"world-day, {n} of its 300 airfields" if n < 300 else "world-day, whole"
    elif what:
        archive = Path(what)
        LABEL = archive.name
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
    for jobs in (1, 2):
        db = WORK / "embedded1.duckdb"
        cmd = [*BW, "process", "--db", str(db), "--full", "--jobs", str(jobs)]
        runs[f"embedded process --jobs {jobs}"] = timed(cmd)
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
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    lines = [
        f"## {LABEL}",
        "",
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()}, {os.cpu_count()} cores "
        f"(shared with other work), Python {platform.python_version()}; {files:,} trace_full "
        f"files, {positions:,} positions. Command: `python benchmarks/spark_bench.py {ARGS}`. "
        f"`uptime` after the last step: {load}. CPU seconds are those of every process of the "
        "step (workers, fork server, Spark's JVM and Python workers), polled from /proc.",
        "",
        "| step | wall s | CPU s (all processes) | positions per CPU s |",
        "|---|---:|---:|---:|",
    ]
    for name, r in runs.items():
        rate = positions / r["cpu_s"] if r["cpu_s"] else 0
        lines.append(f"| {name} | {r['wall_s']} | {r['cpu_s']} | {rate:,.0f} |")
    # one section per archive; the others stay as they were
    old = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    head, *sections = old.split("\n## ")
    kept = ["## " + x.rstrip("\n") for x in sections if not x.startswith(LABEL + "\n")]
    head = head.rstrip("\n") or "# Archive to flights: embedded and Spark"
    RESULTS_MD.write_text("\n\n".join([head, *kept, "\n".join(lines)]) + "\n")
    print(lines[-1], flush=True)


if __name__ == "__main__":
    main()
