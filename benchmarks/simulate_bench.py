"""Simulator benchmark: a six-month, two-base scenario, written in one format, on one core.

    taskset -c 0 python benchmarks/simulate_bench.py                 # trace_full
    taskset -c 0 python benchmarks/simulate_bench.py --format beast

Two bases (Khmeimim OSLK and Chkalovsky UUMU) with state transports shuttling between them
every day, and civil schedules at both ends (20 movements a day at OSLK, 40 at Sheremetyevo),
under six receivers, from January to July 2025. Prints the wall-clock figure and the command,
and appends the result to benchmarks/simulate_results.md. The goal is under a minute.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from basewatch.airfields import load_reference
from basewatch.simulator.run import simulate
from basewatch.simulator.scenario import load_scenario, parse_scenario

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "simulate_results.md"


def scenario_doc() -> dict:
    base = load_scenario("khmeimim-2025")
    receivers = [
        {
            "name": r.name,
            "lat": r.lat,
            "lon": r.lon,
            "range_nm": r.range_nm,
            "antenna_ft": r.antenna_ft,
        }
        for r in base.receivers
        if r.name in ("moscow", "rostov", "ankara", "antalya", "latakia", "cyprus")
    ]
    aircraft = [
        {
            "icao24": a.icao24,
            "registration": a.registration,
            "type_code": a.type_code,
            "country": "Russia",
            "military": True,
            "state": True,
        }
        for a in base.aircraft
    ]
    return {
        "scenario": {
            "name": "bench-six-months-two-bases",
            "start": "2025-01-01T00:00:00Z",
            "end": "2025-07-01T00:00:00Z",
            "seed": 1,
            "missing_days": ["2025-03-15"],
        },
        "faults": {"position_noise_m": 10, "duplicate_rate": 0.001, "corrupt_rate": 0.001},
        "receiver": receivers,
        "aircraft": aircraft,
        "rotation": [
            {
                "id": "shuttle",
                "aircraft": [a["icao24"] for a in aircraft],
                "route": ["UUMU", "OSLK", "UUMU"],
                "first": "2025-01-01T02:00:00Z",
                "until": "2025-06-30T00:00:00Z",
                "every_days": 1,
                "turnaround_h": 3,
            }
        ],
        "background": [
            {
                "airfield": "OSLK",
                "per_day": 20,
                "types": ["A320", "B738", "AT76"],
                "others": ["OSDI", "OJAI", "OLBA", "LTAF", "LTBA", "LCLK"],
                "fleet": 12,
                "country": "Syria",
                "icao_block": "778000-77FFFF",
                "registration_prefix": "YK-",
                "callsign_prefix": "SYR",
            },
            {
                "airfield": "UUEE",
                "per_day": 40,
                "types": ["A320", "A321", "B738", "SU95"],
                "others": ["UUDD", "URSS", "URRP", "LTAI", "UGTB", "ULLI"],
                "fleet": 30,
                "country": "Russia",
                "icao_block": "140000-14FFFF",
                "registration_prefix": "RA-",
                "callsign_prefix": "AFL",
            },
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--format", default="trace_full")
    ap.add_argument("--keep", help="write here and keep it (default: a temporary folder)")
    args = ap.parse_args()
    sc = parse_scenario(scenario_doc(), load_reference(), where="bench")
    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bw-simbench-"))
    t, cpu = time.perf_counter(), time.process_time()
    report = simulate(sc, out, format=args.format)
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    if not args.keep:
        shutil.rmtree(out)
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    cmd = f"taskset -c 0 python benchmarks/simulate_bench.py --format {args.format}"
    line = (
        f"| {datetime.now(UTC):%Y-%m-%d} | {args.format} | {report.flights:,} | {report.movements:,} "
        f"| {report.records:,} | {report.files:,} | {size / 1e6:,.0f} MB | {seconds:.1f} s | {cpu:.1f} s |"
    )
    print(
        f"{cmd}\n{report.summary()}\n"
        f"wall clock {seconds:.1f} s, CPU {cpu:.1f} s on cores {cores}, {size / 1e6:,.0f} MB"
    )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Simulator benchmark\n\n"
            "Six months, two bases (OSLK, UUMU), daily state shuttle, civil schedules at OSLK "
            "(20/day) and UUEE (40/day), six receivers. Written by "
            "`taskset -c 0 python benchmarks/simulate_bench.py [--format F]` "
            f"({platform.python_implementation()} {platform.python_version()}, one core). "
            "Goal: under a minute. The core is shared with other work on the machine that "
            "measured this, so the CPU time of the process is given beside the wall clock.\n\n"
            "| date | format | flights | movements | records | files | size | wall clock | CPU |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        )
    with RESULTS.open("a") as fh:
        fh.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
