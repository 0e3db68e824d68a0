"""Fuzz the readers: seeded mutations of a good file of every format (tests/fuzz/harness.py).

    python benchmarks/fuzz_readers.py --cases 1000000 --workers 2       # the long run
    python benchmarks/fuzz_readers.py --seconds 1800 --workers 2        # as many as fit
    python benchmarks/fuzz_readers.py --replay 1234                     # one case, in process

Cases run in child processes (``--workers``), so a crash of the process (a segfault in a
parser) is caught and counted with its case number instead of ending the run; the child is
started again after it. The figures go to benchmarks/fuzz_results.md and .json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
RESULTS = HERE / "fuzz_results"


def _harness():
    for p in (TESTS, TESTS / "fuzz"):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
    import harness

    harness.fuzz_env()
    return harness


def worker(first: int, last: int, out: Path, progress: Path) -> None:
    """Cases ``first`` .. ``last - 1``, one JSON line each; ``progress`` names the case being
    read, so the parent knows which one took the process down."""
    h = _harness()
    crash_at = int(os.environ.get("BASEWATCH_FUZZ_CRASH_AT", "-1"))  # to test the runner
    with out.open("a") as fh:
        for n in range(first, last):
            progress.write_text(str(n))
            if n == crash_at:
                os.abort()
            r = h.run(n)
            fh.write(json.dumps(r.__dict__) + "\n")
            fh.flush()


def _spawn(first: int, last: int, out: Path, progress: Path) -> subprocess.Popen:
    cmd = [sys.executable, __file__, "--worker", str(first), str(last), str(out), str(progress)]
    with out.with_suffix(".err").open("w") as err:  # a file: a full pipe would stall the child
        return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)


@dataclass
class _Child:
    proc: subprocess.Popen
    first: int
    last: int
    out: Path
    progress: Path


def _collect(h, child: _Child, tally, crashes: list[str], todo: list, over: bool) -> None:
    """A finished child's results; if it died, the case it died on, and the rest of its
    slice back in the queue."""
    if child.out.exists():
        for line in child.out.read_text().splitlines():
            try:
                tally.add(h.Result(**json.loads(line)))
            except (json.JSONDecodeError, TypeError):
                continue
    if child.proc.returncode != 0:
        at = int(child.progress.read_text()) if child.progress.exists() else child.first
        err = child.out.with_suffix(".err").read_text()[-500:]
        crashes.append(f"case {at}: exit {child.proc.returncode} {err}")
        if at + 1 < child.last and not over:
            todo.insert(0, (at + 1, child.last))  # the rest of its slice, in a new child


def run(cases: int, start: int, workers: int, seconds: float | None, chunk: int) -> dict:
    h = _harness()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"basewatch-fuzz-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    tally = h.Tally()
    crashes: list[str] = []
    t0 = time.monotonic()
    cpu0 = os.times()
    end = start + cases
    todo = [(a, min(a + chunk, end)) for a in range(start, end, chunk)]
    running: list[_Child] = []
    slot = 0
    try:
        while todo or running:
            over = seconds is not None and time.monotonic() - t0 > seconds
            if over:
                todo = []
            while todo and len(running) < workers:
                first, last = todo.pop(0)
                out, prog = tmp / f"w{slot}.jsonl", tmp / f"w{slot}.progress"
                running.append(_Child(_spawn(first, last, out, prog), first, last, out, prog))
                slot += 1
            time.sleep(0.2)
            for child in [c for c in running if c.proc.poll() is not None]:
                running.remove(child)
                _collect(h, child, tally, crashes, todo, over)
    finally:  # stopped early (Ctrl-C): no child is left running
        for child in running:
            child.proc.kill()
    wall = time.monotonic() - t0
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cases": tally.cases,
        "crashes": len(crashes),
        "crash_cases": crashes[:50],
        "exceptions": len(tally.errors),
        "exception_cases": tally.errors[:50],
        "pipeline_runs": tally.pipeline_runs,
        "pipeline_failures": tally.pipeline_failures[:50],
        "retention": round(tally.retention, 5),
        "kept": tally.kept,
        "expected": tally.expected,
        "below_99": len(tally.short),
        "below_99_cases": tally.short[:50],
        "by_kind": dict(tally.by_kind),
        "by_format": dict(tally.by_format),
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "workers": workers,
        "first_case": start,
    }


def write(res: dict, command: str, out: Path) -> None:
    res = dict(res, command=command)
    out.with_suffix(".json").write_text(json.dumps(res, indent=2) + "\n")
    lines = [
        "# Reader fuzzing",
        "",
        f"`{command}` — measured {res['measured_at']}, {res['workers']} worker(s), "
        f"{res['wall_seconds']:,} s wall, {res['cpu_seconds']:,} s CPU.",
        "",
        "| | |",
        "| --- | --- |",
        f"| cases | {res['cases']:,} (from case {res['first_case']}) |",
        f"| process crashes | {res['crashes']} |",
        f"| exceptions out of a reader (or rows that do not fit their table) | {res['exceptions']} |",
        f"| runs through the store (every 50th case, ingested twice) | {res['pipeline_runs']:,}, "
        f"failed or not idempotent: {len(res['pipeline_failures'])} |",
        f"| valid-row retention (cases where damage can be placed) | {res['retention']:.2%} "
        f"({res['kept']:,} of {res['expected']:,}) |",
        f"| cases below 99 % retention | {res['below_99']} |",
        "",
        "Cases by mutation: " + ", ".join(f"{k} {v:,}" for k, v in sorted(res["by_kind"].items())),
        "",
        "Cases by format: " + ", ".join(f"{k} {v:,}" for k, v in sorted(res["by_format"].items())),
        "",
    ]
    for title, key in (
        ("Crashes", "crash_cases"),
        ("Exceptions", "exception_cases"),
        ("Store runs that failed", "pipeline_failures"),
        ("Cases below 99 % retention (first 50)", "below_99_cases"),
    ):
        if res.get(key):
            lines += [f"## {title}", ""] + [f"- {x.splitlines()[0]}" for x in res[key]] + [""]
    out.with_suffix(".md").write_text("\n".join(lines))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        first, last, out, prog = sys.argv[2:6]
        worker(int(first), int(last), Path(out), Path(prog))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=None, help="stop starting cases after this")
    ap.add_argument("--chunk", type=int, default=200, help="cases per child process")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results file, without suffix")
    ap.add_argument("--no-write", action="store_true", help="print the figures only")
    ap.add_argument("--replay", type=int, default=None, help="run one case in this process")
    args = ap.parse_args()
    if args.replay is not None:
        h = _harness()
        c = h.case(args.replay)
        print(c.seed.name, c.kind, c.where, len(c.data), "bytes")
        print(h.run(args.replay, pipeline=True))
        return
    res = run(args.cases, args.start, args.workers, args.seconds, args.chunk)
    command = "python benchmarks/fuzz_readers.py " + " ".join(sys.argv[1:])
    if not args.no_write:
        write(res, command, args.out)
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
