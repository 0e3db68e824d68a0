"""Live watch benchmarks: alert latency and throughput of ``basewatch live``, every peer on
127.0.0.1.

    basewatch simulate khmeimim-2025 --out SIM --format beast       # once (about 3 min)
    python benchmarks/live_bench.py latency --sim SIM --from 05:00 --to 06:00 --speed 10
    python benchmarks/live_bench.py throughput --repeat 10  # the shipped real rs1090 sample

latency: one receiver's Beast capture of the scenario (``--receiver``, ``--day``), cut to the
window, is served by a local TCP server paced by its own 12 MHz clock at ``--speed`` times real
time; ``basewatch live`` runs as its own process with a rule on every landing at OSLK and a
JSON-lines sink. For each alert: from the moment the server sent the touchdown (the event's
time) to the moment the alert's line appeared in the sink, in wall seconds, and in scenario
seconds (wall times the speed).

throughput: the same capture served as fast as the socket takes it; messages per second of
the live process from the first to the last frame it counted, and its CPU seconds (one core:
the process is pinned with ``taskset -c 0`` when available).

Each run appends a row to ``benchmarks/live_results.md``.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from live.replay import Receiver, beast_frames, paced, replay  # noqa: E402

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


RULES = """
[[rule]]
name = "lands-at-oslk"
on = "movement"
watch = "oslk-any"
events = ["landing", "landing_inferred"]

[[sink]]
type = "jsonl"
path = "{sink}"
"""
WATCH = '[[watch]]\nname = "oslk-any"\ntitle = "Any aircraft at Khmeimim"\nbase = "OSLK"\n'


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

    def tail():
        while not stop.is_set():
            if sink.exists():
                for line in sink.read_text().splitlines():
                    a = json.loads(line)
                    seen.setdefault(a["alert_id"], time.time())
            time.sleep(0.05)

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
    ap.add_argument("kind", choices=["latency", "throughput"])
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
    result = latency(args) if args.kind == "latency" else throughput(args)
    print(json.dumps(result, indent=1, default=str))
    record(result, "python benchmarks/live_bench.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
