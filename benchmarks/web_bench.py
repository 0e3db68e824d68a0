"""Web benchmark: time every page and API call of ``basewatch serve`` on a large store.

    python benchmarks/web_store.py STORE_DIR            # once: simulate and build the store
    python benchmarks/web_bench.py STORE_DIR/bench.duckdb [--requests 30]

Starts the real server (``basewatch serve`` on a free 127.0.0.1 port, as a user would), takes
ids from the store through the API (military and civil flights, changes, news events,
aircraft), then asks each page and API call ``--requests`` times one after another, each time
about another flight or aircraft where the address has one, and measures the answer on the
client (connect to last byte). Prints a table of p50 / p95 / max per call and appends it,
with the store's size, the machine and the command, to benchmarks/web_results.md. The goal is
p95 <= 300 ms for every call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "web_results.md"
GOAL_MS = 300.0
WATCH = "oslk-russian-state"


def start(db: Path) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "basewatch", "serve", "--db", str(db), "--port", "0"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    if "serving" not in line:
        proc.kill()
        sys.exit(f"the server did not start: {line!r}")
    return proc, line.split("serving ", 1)[1].split()[0].rstrip("/")


def get(url: str) -> tuple[int, bytes, float]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as resp:
            body, status = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        body, status = err.read(), err.code
    return status, body, (time.perf_counter() - t0) * 1000


def wait_ready(url: str, timeout_s: float = 600) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout_s:
        try:
            if get(url + "/api/status")[0] == 200:
                return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit("the server did not answer")


def api(url: str, path: str) -> dict:
    status, body, _ = get(url + path)
    if status != 200:
        sys.exit(f"{path}: {status} {body[:300]!r}")
    return json.loads(body)


def store_facts(db: Path) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        facts = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("position_rows", "flights", "airfield_events", "aircraft", "news_events")
        }
        facts["span"] = [
            str(x)[:10]
            for x in con.execute("SELECT min(ts), max(ts) FROM position_rows").fetchone()
        ]
    finally:
        con.close()
    facts["bytes"] = db.stat().st_size
    return facts


def calls(url: str) -> list[tuple[str, list[str]]]:
    """(name, addresses): one address per request, cycling."""
    mil = [
        f["flight_id"] for f in api(url, "/api/flights?base=OSLK&military=true&limit=40")["items"]
    ]
    civ = [f["flight_id"] for f in api(url, "/api/flights?base=LTBA&limit=40")["items"]]
    civ += [f["flight_id"] for f in api(url, "/api/flights?base=UUEE&limit=40")["items"]]
    flights = [x for pair in zip(mil, civ, strict=False) for x in pair] or mil or civ
    aircraft = list(dict.fromkeys(api(url, f"/api/flights/{f}")["icao24"] for f in flights[:20]))
    change_ids = [c["change_id"] for c in api(url, "/api/changes?limit=50")["items"]]
    news = [n["event_id"] for n in api(url, "/api/news?limit=50")["items"]]
    w = WATCH
    return [
        ("page /", ["/"]),
        ("page /watch/{w}", [f"/watch/{w}"]),
        ("page /watch/{w} (a month)", [f"/watch/{w}?from=2025-10-01&to=2025-11-01"]),
        ("page /flight/{id}", [f"/flight/{f}" for f in flights]),
        ("page /aircraft/{icao24}", [f"/aircraft/{a}" for a in aircraft]),
        ("page /change/{id}", [f"/change/{c}" for c in change_ids]),
        ("page /news", ["/news"]),
        ("page /news?actor&type", ["/news?actor=Vladimir+Putin&type=meeting"]),
        ("page /news/{id}", [f"/news/{n}" for n in news]),
        (
            "page /search",
            [
                "/search?q=RA-82010",
                "/search?q=A124",
                "/search?q=Hmeimim",
                "/search?q=belousov",
                "/search?q=SYR",
            ],
        ),  # fmt: skip
        ("api /api/watches", ["/api/watches"]),
        ("api /api/changes", [f"/api/changes?watch={w}"]),
        ("api /api/activity (a year)", ["/api/activity?base=OSLK&limit=400"]),
        ("api /api/routes", [f"/api/routes?watch={w}"]),
        ("api /api/flights?base", ["/api/flights?base=OSLK", "/api/flights?base=LTBA&offset=500"]),
        ("api /api/flights?military&type", ["/api/flights?military=true&type=A124"]),
        ("api /api/flights?since&until", ["/api/flights?since=2025-06-01&until=2025-06-02"]),
        ("api /api/flights/{id}", [f"/api/flights/{f}" for f in flights]),
        ("api /api/flights/{id}/positions", [f"/api/flights/{f}/positions" for f in flights]),
        (
            "api /api/flights/{id}/track.geojson",
            [f"/api/flights/{f}/track.geojson" for f in flights],
        ),
        ("api /api/events?base", ["/api/events?base=OSLK"]),
        ("api /api/aircraft/{icao24}", [f"/api/aircraft/{a}" for a in aircraft]),
        ("api /api/news", ["/api/news?limit=100"]),
        ("api /api/timeline", [f"/api/timeline?watch={w}"]),
        ("api /api/brief (json)", [f"/api/brief?watch={w}&format=json"]),
        ("api /api/brief (html)", [f"/api/brief?watch={w}&format=html"]),
        ("api /api/search", ["/api/search?q=RA-82010", "/api/search?q=1540c2"]),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--no-record", action="store_true", help="print only")
    ap.add_argument(
        "--built",
        default="`python benchmarks/web_store.py STORE --scale 1.0 --before 0.1`",
        help="how the store was built, for the record",
    )
    args = ap.parse_args()
    facts = store_facts(args.db)
    load_before = os.getloadavg()
    up_before = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    proc, url = start(args.db)
    try:
        ready_s = wait_ready(url)
        rows = []
        for name, paths in calls(url):
            # the first request of a kind is cold: it loads code, and what the pages draw from
            # the copy (maps, charts, briefs) is kept with the copy after it
            status, body, first = get(url + paths[0])
            times = []
            for i in range(args.requests):
                status, body, ms = get(url + paths[i % len(paths)])
                if status != 200:
                    sys.exit(f"{paths[i % len(paths)]}: {status} {body[:300]!r}")
                times.append(ms)
            times.sort()
            p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
            rows.append((name, first, statistics.median(times), p95, times[-1]))
            print(f"{name:42} first {first:7.1f}  p50 {rows[-1][2]:7.1f}  p95 {p95:7.1f}  "
                  f"max {times[-1]:7.1f} ms", flush=True)  # fmt: skip
    finally:
        proc.send_signal(2)
        proc.wait(30)
    worst = max(r[3] for r in rows)
    up_after = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    load = (
        f"{load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; `uptime` "
        f"before: {up_before}; after: {up_after}"
    )
    cpu = next(
        (ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
         if ln.startswith("model name")), platform.processor(),
    ) if Path("/proc/cpuinfo").exists() else platform.processor()  # fmt: skip
    cmd = f"python benchmarks/web_bench.py STORE/bench.duckdb --requests {args.requests}"
    text = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M}Z",
        "",
        f"`{cmd}` on {os.cpu_count()} cores ({cpu}), {platform.python_implementation()} "
        f"{platform.python_version()}, DuckDB {duckdb.__version__}; the cores are shared with "
        f"other work (load average over a minute: {load}).",
        "",
        f"Store (built by {args.built}): "
        f"{facts['position_rows']:,} positions from {facts['span'][0]} to {facts['span'][1]}, "
        f"{facts['flights']:,} flights, {facts['airfield_events']:,} airfield events, "
        f"{facts['aircraft']:,} aircraft, {facts['news_events']:,} news events; "
        f"{facts['bytes'] / 1e9:.2f} GB. The server was ready (its copy of the store taken and warmed) "
        f"{ready_s:.1f} s after start. {args.requests} requests per call, one at a time, after "
        "a first one (cold: shown apart); client-side times, connect to last byte.",
        "",
        "| call | first ms | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
        *(f"| {n} | {f:.1f} | {a:.1f} | {b:.1f} | {c:.1f} |" for n, f, a, b, c in rows),
        "",
        f"Slowest p95: {worst:.1f} ms (goal {GOAL_MS:.0f} ms: "
        f"{'met' if worst <= GOAL_MS else 'not met'}).",
        "",
    ]
    print("\n".join(text))
    if not args.no_record:
        if not RESULTS.exists():
            RESULTS.write_text("# Web benchmark\n\nWritten by `benchmarks/web_bench.py`.\n\n")
        with RESULTS.open("a") as fh:
            fh.write("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
