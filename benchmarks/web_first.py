"""First requests after a new copy of the store: how long a user waits for the first page
after ``basewatch serve`` starts, and after the store changes and the server takes a new copy.

    python benchmarks/web_first.py STORE/bench.duckdb [--no-warm]

Starts the real server (``basewatch serve`` on a free 127.0.0.1 port), asks each call once
(the first request on the server's first copy), then marks the store changed (its file time:
the server copies it again, the data staying the same), waits for the new copy to be served
(``/api/updates`` says so) and asks each call once more. ``--no-warm`` serves copies as they
are taken (``BASEWATCH_SERVE_WARM=0``), as the server did before it warmed them. Appends the
figures, with ``uptime``, to benchmarks/web_results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from web_bench import RESULTS, WATCH, get, store_facts, wait_ready

CALLS = [
    ("page /", "/"),
    ("page /watch/{w}", f"/watch/{WATCH}"),
    ("page /watch/{w} (a month)", f"/watch/{WATCH}?from=2025-10-01&to=2025-11-01"),
    ("page /flight/{id}", "/flight/{flight}"),
    ("page /aircraft/{icao24}", "/aircraft/{icao24}"),
    ("page /news", "/news"),
    ("api /api/watches", "/api/watches"),
    ("api /api/changes", f"/api/changes?watch={WATCH}"),
    ("api /api/timeline", f"/api/timeline?watch={WATCH}"),
    ("api /api/brief (json)", f"/api/brief?watch={WATCH}&format=json"),
    ("api /api/brief (html)", f"/api/brief?watch={WATCH}&format=html"),
    ("api /api/flights?base", "/api/flights?base=OSLK"),
]


def sample_ids(db: Path) -> dict:
    """A military flight at Khmeimim and its aircraft, read from the store before serving."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        fid, icao = con.execute(
            "SELECT flight_id, icao24 FROM flights WHERE destination = 'OSLK' "
            "ORDER BY last_seen DESC LIMIT 1"
        ).fetchone()
    finally:
        con.close()
    return {"flight": fid if isinstance(fid, str) else f"{fid:016x}", "icao24": icao}


def version(url: str) -> dict:
    """The first event of the server's update stream (the copy it serves now)."""
    with urllib.request.urlopen(url + "/api/updates", timeout=30) as resp:
        for raw in resp:
            line = raw.decode()
            if line.startswith("data: "):
                return json.loads(line[6:])
    raise RuntimeError("no update event")


def round_of(url: str, ids: dict) -> list[float]:
    out = []
    for _, path in CALLS:
        status, body, ms = get(url + path.format(**ids))
        if status != 200:
            sys.exit(f"{path}: {status} {body[:300]!r}")
        out.append(ms)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--no-warm", action="store_true", help="serve copies unwarmed (as before)")
    ap.add_argument("--no-record", action="store_true", help="print only")
    args = ap.parse_args()
    facts, ids = store_facts(args.db), sample_ids(args.db)
    up_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if args.no_warm:
        env["BASEWATCH_SERVE_WARM"] = "0"
    cmd = [sys.executable, "-m", "basewatch", "serve", "--db", str(args.db), "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if "serving" not in line:
        proc.kill()
        sys.exit(f"the server did not start: {line!r}")
    url = line.split("serving ", 1)[1].split()[0].rstrip("/")
    try:
        ready_s = wait_ready(url)
        first = round_of(url, ids)
        v1 = version(url)["version"]
        os.utime(args.db)  # the store "changed": the server takes a new copy
        t0 = time.perf_counter()
        while version(url)["version"] == v1:
            time.sleep(0.2)
        copied_s = time.perf_counter() - t0
        second = round_of(url, ids)
    finally:
        proc.send_signal(2)
        proc.wait(30)
    up_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    mode = "unwarmed copies (`--no-warm`)" if args.no_warm else "copies warmed before serving"
    cmd_text = "python benchmarks/web_first.py STORE/bench.duckdb" + (
        " --no-warm" if args.no_warm else ""
    )
    text = [
        f"## First requests after a copy: {mode}, {datetime.now(UTC):%Y-%m-%d %H:%M}Z",
        "",
        f"`{cmd_text}`; the machine is shared (`uptime` before: {up_before}; after: "
        f"{up_after}). Store: {facts['position_rows']:,} positions from {facts['span'][0]} "
        f"to {facts['span'][1]}, {facts['flights']:,} flights, {facts['bytes'] / 1e9:.2f} GB. "
        f"The server answered {ready_s:.1f} s after start; after the store changed, the new "
        f"copy was served {copied_s:.1f} s later. One request per call, one at a time, "
        "client-side ms.",
        "",
        "| call | first copy ms | next copy ms |",
        "|---|---:|---:|",
        *(
            f"| {n} | {a:.1f} | {b:.1f} |"
            for (n, _), a, b in zip(CALLS, first, second, strict=True)
        ),
        "",
        f"Slowest: {max(first):.1f} ms on the first copy, {max(second):.1f} ms on the next.",
        "",
    ]
    print("\n".join(text))
    if not args.no_record:
        with RESULTS.open("a") as fh:
            fh.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
