"""Live watch benchmarks: alert latency and throughput of ``basewatch live``, every peer on
127.0.0.1.

    basewatch simulate khmeimim-2025 --out SIM --format beast       # once (about 3 min)
    python benchmarks/live_bench.py latency --sim SIM --from 05:00 --to 06:00 --speed 10
    python benchmarks/live_bench.py landings --sim SIM --days 2025-10-26,2025-03-28 --speed 10
    python benchmarks/live_bench.py throughput --repeat 10  # the shipped real rs1090 sample

latency: one receiver's Beast capture of the scenario (``--receiver``, ``--day``), cut to the
window, is served by a local TCP server paced by its own 12 MHz clock at ``--speed`` times real
time; ``basewatch live`` runs as its own process with a rule on every landing at OSLK and a
JSON-lines sink. For each alert: from the moment the server sent the touchdown (the event's
time) to the moment the alert's line appeared in the sink, in wall seconds, and in scenario
seconds (wall times the speed).

landings: every landing at OSLK the scenario's truth lists on ``--days`` (``all``: every
day of the scenario, about 500 landings, some 17 h of wall time at 10x), heard or flown dark,
each replayed from ``--before`` scenario seconds ahead of it to ``--after`` behind it
(overlapping windows merged), the windows one after another on one feed with ``--gap`` seconds
of silence between them, the receiver's clock made continuous across the cuts. Latency of each
landing: from the moment the server sent the aircraft's last position at or before the landing
the alert names (the touchdown when it was heard, the last position before it went dark when
the landing is inferred) to the alert's line in the sink, in wall and scenario seconds; p95
over all landings, and apart for heard and inferred ones. A landing with no alert is counted
as missed.

throughput: the same capture served as fast as the socket takes it; messages per second of
the live process from the first to the last frame it counted, and its CPU seconds (one core:
the process is pinned with ``taskset -c 0`` when available).

Each run appends a row to ``benchmarks/live_results.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from live.replay import Receiver, beast_frames, paced, replay  # noqa: E402
from live.soak import RULES, WATCH  # noqa: E402

RESULTS = HERE / "live_results.md"


def capture(sim: Path, receiver: str, day: str, t_from: str, t_to: str) -> list:
    """(scenario epoch seconds, frame bytes) of one receiver's day, cut to [from, to)."""
    path = sim / "receivers" / receiver / f"{day}.beast"
    data = path.read_bytes()
    frames = list(beast_frames(data))
    end = path.stat().st_mtime  # the simulator sets it to the last frame's time
    last = frames[-1][0]
    lo = datetime.fromisoformat(f"{day}T{t_from}:00+00:00").timestamp()
    hi = datetime.fromisoformat(f"{day}T{t_to}:00+00:00").timestamp()
    out = [(end - (last - c) / 12e6, b) for c, b in frames]
    return [(t, b) for t, b in out if lo <= t < hi]


def restamp(sent: bytes, seconds: float) -> bytes:
    """A Beast frame as captured, with its 12 MHz receiver time set to ``seconds``."""
    body = sent[2:].replace(b"\x1a\x1a", b"\x1a")
    stamp = round(seconds * 12e6).to_bytes(6, "big")
    return sent[:2] + (stamp + body[6:]).replace(b"\x1a", b"\x1a\x1a")


def landing_windows(args) -> tuple[list, list[dict]]:
    """Frames (feed seconds, bytes) of the windows around the OSLK landings on ``--days``, cut
    together, and the landings (icao24, truth time in feed seconds, visibility)."""
    with (args.sim / "truth_movements.csv").open() as fh:
        truth = [
            r for r in csv.DictReader(fh) if r["airfield"] == "OSLK" and r["kind"] == "landing"
        ]
    days = sorted({r["ts"][:10] for r in truth}) if args.days == "all" else args.days.split(",")
    items: list = []
    landings: list[dict] = []
    feed_t = 0.0  # where the feed's clock has got to
    for day in days:
        here = sorted(
            (datetime.fromisoformat(r["ts"].replace("Z", "+00:00")).timestamp(), r)
            for r in truth
            if r["ts"].startswith(day)
        )
        if not here:
            continue
        frames = capture(args.sim, args.receiver, day, "00:00", "23:59:59")
        spans: list[list[float]] = []
        for t, _ in here:
            lo, hi = t - args.before, t + args.after
            if spans and lo <= spans[-1][1]:
                spans[-1][1] = hi
            else:
                spans.append([lo, hi])
        for lo, hi in spans:
            shift = lo - (feed_t + args.gap)  # scenario time - shift = feed time
            part = [(t - shift, restamp(b, t - shift)) for t, b in frames if lo <= t < hi]
            items += part
            for t, r in here:
                if lo <= t < hi:
                    landings.append(
                        {"icao24": r["icao24"], "t": t - shift, "visibility": r["visibility"],
                         "truth": r["ts"]}
                    )  # fmt: skip
            feed_t = hi - shift
    return items, landings


def _tail(sink: Path, seen: dict[str, float], stop: threading.Event) -> None:
    """Note the wall time each alert first appears on the sink, until ``stop``."""
    while not stop.is_set():
        if sink.exists():
            for line in sink.read_text().splitlines():
                seen.setdefault(json.loads(line)["alert_id"], time.time())
        time.sleep(0.05)


def landings_latency(args) -> dict:
    items, landings = landing_windows(args)
    work = Path(tempfile.mkdtemp(prefix="live_bench_"))
    sink, db = work / "alerts.jsonl", work / "live.duckdb"
    seen: dict[str, float] = {}
    stop = threading.Event()
    tail = partial(_tail, sink, seen, stop)

    with Receiver([replay(paced(items, args.speed))]) as rx:
        proc = _live(db, rx.uri, work, args.step)
        threading.Thread(target=tail, daemon=True).start()
        rx.done.wait()
        time.sleep(args.settle)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=300)
    stop.set()
    time.sleep(0.1)
    alerts = [json.loads(x) for x in sink.read_text().splitlines()] if sink.exists() else []
    # stored times are the feed's clock anchored at the wall time its first frame arrived
    t0 = items[0][0]

    def sent_at(stored: float) -> float:
        return rx.first_sent + (stored - rx.first_sent) / args.speed

    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    icao_of = dict(con.execute("SELECT event_id, icao24 FROM airfield_events").fetchall())
    for a in alerts:
        a["icao24"] = icao_of.get((a.get("evidence") or {}).get("event_id"), a["summary"][:6])
    rows, used = [], set()
    for lan in landings:
        want = rx.first_sent + (lan["t"] - t0)  # the truth landing on the stored clock
        match = [
            a for a in alerts
            if a["alert_id"] not in used and a["kind"] in ("landing", "landing_inferred")
            and a["icao24"] == lan["icao24"]
            and abs(datetime.fromisoformat(a["ts"]).timestamp() - want) < args.before
        ]  # fmt: skip
        row = {"icao24": lan["icao24"], "truth": lan["truth"], "visibility": lan["visibility"]}
        if not match:
            rows.append({**row, "alert": None})
            continue
        a = min(match, key=lambda a: abs(datetime.fromisoformat(a["ts"]).timestamp() - want))
        used.add(a["alert_id"])
        event_ts = datetime.fromisoformat(a["ts"])
        (last,) = con.execute(
            "SELECT epoch(max(ts)) FROM positions WHERE icao24 = ? AND ts <= ? + INTERVAL 1 SECOND",
            [lan["icao24"], event_ts],
        ).fetchone()
        wall = seen[a["alert_id"]] - sent_at(last if last is not None else event_ts.timestamp())
        rows.append(
            {**row, "alert": a["kind"], "summary": a["summary"][:70], "wall_s": wall,
             "scenario_s": wall * args.speed}
        )  # fmt: skip
    con.close()
    got = [r for r in rows if r["alert"]]

    def stats(rs):
        w = sorted(r["wall_s"] for r in rs)
        return {
            "n": len(w),
            "p50_wall_s": _r(_pct(w, 50)),
            "p95_wall_s": _r(_pct(w, 95)),
            "p95_scenario_s": _r(_pct(w, 95), args.speed),
            "max_wall_s": _r(w[-1] if w else None),
        }

    result = {
        "kind": "landings",
        "window": f"OSLK landings on {args.days}, {args.receiver}, -{args.before:.0f} s/"
        f"+{args.after:.0f} s around each",
        "speed": args.speed,
        "step_s": args.step,
        "frames": len(items),
        "landings": len(landings),
        "missed": [
            f"{r['icao24']} {r['truth']} ({r['visibility']})" for r in rows if not r["alert"]
        ],
        "all": stats(got),
        "heard": stats([r for r in got if r["alert"] == "landing"]),
        "inferred": stats([r for r in got if r["alert"] == "landing_inferred"]),
        "extra_alerts": len(alerts) - len(used),
        "rows": [
            {
                "summary": f"{r['icao24']} {r['truth']} ({r['visibility']}): {r['summary']}",
                "wall_s": r["wall_s"],
                "scenario_s": r["scenario_s"],
            }
            for r in got
        ],  # fmt: skip
        "live": out.strip().splitlines()[-1] if out.strip() else err[-300:],
    }
    shutil.rmtree(work, ignore_errors=True)
    return result


def _r(x, k: float = 1.0):
    return None if x is None else round(x * k, 1)


def _live(db: Path, uri: str, work: Path, step: float) -> subprocess.Popen:
    (work / "rules.toml").write_text(RULES.format(sink=work / "alerts.jsonl"))
    (work / "watch.toml").write_text(WATCH)
    cmd = [sys.executable, "-m", "basewatch", "live", "--feed", uri, "--format", "beast"]
    cmd += ["--db", str(db), "--rules", str(work / "rules.toml")]
    cmd += ["--watches", str(work / "watch.toml"), "--watch", "oslk-any", "--step", str(step)]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def latency(args) -> dict:
    items = capture(args.sim, args.receiver, args.day, args.t_from, args.t_to)
    work = Path(tempfile.mkdtemp(prefix="live_bench_"))
    sink = work / "alerts.jsonl"
    seen: dict[str, float] = {}
    stop = threading.Event()
    tail = partial(_tail, sink, seen, stop)

    # the service takes a while to start (imports, compiled kernels): wait for its status
    with Receiver([replay(paced(items, args.speed))]) as rx:
        proc = _live(work / "live.duckdb", rx.uri, work, args.step)
        threading.Thread(target=tail, daemon=True).start()
        rx.done.wait()
        time.sleep(args.settle)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    stop.set()
    first_sent = rx.first_sent
    alerts = [json.loads(x) for x in sink.read_text().splitlines()] if sink.exists() else []
    rows = []
    for a in alerts:
        t_event = datetime.fromisoformat(a["ts"]).timestamp()
        # stored times are anchored at the wall clock when the first frame arrived
        sent = first_sent + (t_event - first_sent) / args.speed
        wall = seen[a["alert_id"]] - sent
        rows.append(
            {
                "kind": a["kind"],
                "summary": a["summary"][:60],
                "wall_s": wall,
                "scenario_s": wall * args.speed,
            }
        )
    # observed landings: from the touchdown (an inferred one's time lies after the aircraft's
    # last position, and a retraction has no touchdown)
    wall = sorted(r["wall_s"] for r in rows if r["kind"] == "landing")
    result = {
        "kind": "latency",
        "window": f"{args.day} {args.t_from}–{args.t_to} {args.receiver}",
        "speed": args.speed,
        "step_s": args.step,
        "frames": len(items),
        "alerts": len(rows),
        "observed_landings": len(wall),
        "p50_wall_s": _pct(wall, 50),
        "p95_wall_s": _pct(wall, 95),
        "max_wall_s": wall[-1] if wall else None,
        "rows": rows,
        "live": out.strip().splitlines()[-1] if out.strip() else err[-300:],
    }
    shutil.rmtree(work, ignore_errors=True)
    return result


def rs1090_sample(repeat: int = 1) -> list:
    """The shipped real capture (57,793 Mode S frames of one A321, rs1090's sample) as Beast,
    ``repeat`` times one after the other (each copy later on the receiver clock: new frames)."""
    import framing as F

    lines = list(F.jsonl_lines())
    t0, span = lines[0]["timestamp"], lines[-1]["timestamp"] - lines[0]["timestamp"] + 1
    data = b"".join(
        F.beast_stream(lines, t0, base=0x1000 + round(k * span * 12e6)) for k in range(repeat)
    )
    return [(c / 12e6, b) for c, b in beast_frames(data)]


def throughput(args) -> dict:
    """All frames sent at once; the live process's CPU seconds from start to exit (imports
    and the compiled kernels' loading included: a lower bound of its rate)."""
    if args.sim is None:
        items = rs1090_sample(args.repeat)
        window = f"rs1090 sample (real) x{args.repeat}"
    else:
        items = capture(args.sim, args.receiver, args.day, args.t_from, args.t_to)
        window = f"{args.day} {args.t_from}–{args.t_to} {args.receiver}"
    work = Path(tempfile.mkdtemp(prefix="live_bench_"))
    db = work / "live.duckdb"
    status = db.with_name(db.name + ".live.json")
    t_start = time.monotonic()
    with Receiver([replay([(0.0, b"".join(b for _, b in items))])]) as rx:
        proc = _live(db, rx.uri, work, args.step)
        last, stable = -1, 0
        while stable < 3:  # every frame counted, and the decoded positions no longer growing
            time.sleep(1.0)
            if not status.exists():
                continue
            feed = json.loads(status.read_text())["feeds"][0]
            if feed["messages"] >= len(items) and feed["positions"] == last:
                stable += 1
            else:
                stable = 0
            last = feed["positions"]
        wall = time.monotonic() - t_start - 3.0
        proc.send_signal(signal.SIGTERM)
        _, _, usage = os.wait4(proc.pid, 0)
        out = proc.stdout.read()
    shutil.rmtree(work, ignore_errors=True)
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "kind": "throughput",
        "window": window,
        "frames": len(items),
        "positions": last,
        "wall_s_to_all_decoded": round(wall, 1),
        "cpu_s_whole_process": round(cpu, 1),
        "frames_per_cpu_s": round(len(items) / cpu),
        "live": out.strip().splitlines()[-1] if out.strip() else "",
    }


def _pct(values: list[float], p: float):
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return values[k]


def record(result: dict, cmd: str) -> None:
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Live watch benchmark\n\nWritten by `benchmarks/live_bench.py` (see its docstring"
            "). Every peer on 127.0.0.1; the live service is its own process.\n\n"
        )
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    body = {k: v for k, v in result.items() if k != "rows"}
    with RESULTS.open("a") as fh:
        fh.write(f"## {when} UTC — {result['kind']}\n\n`{cmd}` ({machine})\n\n")
        fh.write("```\n" + json.dumps(body, indent=1, default=str) + "\n```\n")
        for r in result.get("rows", []):
            fh.write(
                f"- {r['summary']}: {r['wall_s']:.1f} s wall, {r['scenario_s']:.0f} s scenario\n"
            )
        fh.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("kind", choices=["latency", "landings", "throughput"])
    ap.add_argument("--days", default="2025-10-26", help="landings: days, comma-separated, or all")
    ap.add_argument("--before", type=float, default=900.0, help="landings: scenario s ahead")
    ap.add_argument("--after", type=float, default=420.0, help="landings: scenario s after")
    ap.add_argument("--gap", type=float, default=120.0, help="landings: silence between windows")
    ap.add_argument(
        "--sim", type=Path, help="basewatch simulate ... --format beast (throughput: else the "
        "shipped rs1090 sample)",
    )  # fmt: skip
    ap.add_argument("--receiver", default="latakia")
    ap.add_argument("--day", default="2025-10-26")
    ap.add_argument("--from", dest="t_from", default="05:00")
    ap.add_argument("--to", dest="t_to", default="06:00")
    ap.add_argument("--speed", type=float, default=10.0)
    ap.add_argument("--step", type=float, default=5.0)
    ap.add_argument("--repeat", type=int, default=10, help="throughput: copies of the sample")
    ap.add_argument("--settle", type=float, default=20.0, help="wall seconds after the last frame")
    args = ap.parse_args()
    run = {"latency": latency, "landings": landings_latency, "throughput": throughput}
    result = run[args.kind](args)
    print(json.dumps(result, indent=1, default=str))
    record(result, "python benchmarks/live_bench.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
