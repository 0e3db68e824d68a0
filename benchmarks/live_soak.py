"""The live soak: ``basewatch live`` over three Beast feeds on 127.0.0.1 for an hour at 2,100
messages/s, a receiver restart every 5 minutes (each feed, staggered), one 30 s stall, garbage
bursts; then every property of ``tests/live/soak.py`` is checked and the figures recorded.

    basewatch simulate khmeimim-2025 --out SIM --format beast       # once (about 3 min)
    nice -n 10 python benchmarks/live_soak.py --sim SIM                          # the hour
    python benchmarks/live_soak.py --minutes 3 --restart 40 --warmup 40          # a short one

Without ``--sim`` the feeds replay the ``trap-low-pass`` day (its Latakia receiver),
simulated into a temporary folder, a day later each round. Each run appends to ``benchmarks/live_results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from live.soak import SoakParams, check, passed, run_soak  # noqa: E402

RESULTS = HERE / "live_results.md"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sim", type=Path, help="a simulated scenario (its latakia receiver)")
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--rate", type=float, default=2100.0, help="messages/s over the 3 feeds")
    ap.add_argument("--restart", type=float, default=300.0, help="seconds between restarts")
    ap.add_argument("--stall", type=float, default=30.0, help="the stall's seconds")
    ap.add_argument("--garbage", type=float, default=60.0, help="seconds between garbage bursts")
    ap.add_argument("--warmup", type=float, default=600.0, help="RSS compared from here on")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args()
    from basewatch import api

    work = Path(tempfile.mkdtemp(prefix="live_soak_"))
    if args.sim is not None:
        files = sorted((args.sim / "receivers" / "latakia").glob("*.beast"))
    else:
        api.simulate("trap-low-pass", work / "sim", format="beast")
        files = sorted((work / "sim" / "receivers" / "latakia").glob("*.beast"))
    p = SoakParams(
        duration_s=args.minutes * 60, rate=args.rate, restart_s=args.restart,
        stall_s=args.stall, garbage_every_s=args.garbage, warmup_s=args.warmup,
    )  # fmt: skip
    fig = check(run_soak(work / "soak", files, p))
    fig["failed"] = passed(fig)
    fig["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(json.dumps(fig, indent=1, default=str))
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    cmd = "python benchmarks/live_soak.py " + " ".join(sys.argv[1:])
    with RESULTS.open("a") as fh:
        fh.write(f"## {when} UTC — soak\n\n`{cmd}` ({machine})\n\n")
        fh.write("```\n" + json.dumps(fig, indent=1, default=str) + "\n```\n\n")
    if args.keep:
        print(f"work folder: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if fig["failed"] else 0)


if __name__ == "__main__":
    main()
