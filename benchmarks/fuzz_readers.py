"""Fuzz the readers: seeded mutations of a good file of every format (tests/fuzz/harness.py).

    python benchmarks/fuzz_readers.py --cases 100000          # the next 100,000 cases
    python benchmarks/fuzz_readers.py --seconds 3600          # as many as fit in an hour
    python benchmarks/fuzz_readers.py --replay 1234           # one case, in process
    python benchmarks/fuzz_readers.py --summary               # rewrite the summary from the log
    python benchmarks/fuzz_readers.py --profile 500           # where a case's CPU time goes

A case is a number (``harness.case(n)``), so campaigns add up: each one takes the case numbers
after the last one recorded (or ``--start``; a range already recorded is refused), and every
chunk of cases a worker finishes is appended at once to the campaign log
(benchmarks/fuzz_campaigns.jsonl), so a campaign stopped in the middle (Ctrl-C, ``kill``)
keeps what it finished and the next one goes on after it. benchmarks/fuzz_results.md is
written from the whole log: totals over every campaign, and one line per campaign.

Each worker is a child process that reads a chunk of cases in process (``--chunk``, started
once per chunk: the seeds and their baselines are made once per child), so a crash of the
process (a segfault in a parser) is caught and counted with its case number instead of ending
the run; the rest of its chunk goes to a new child. One case in ``--pipeline-every`` also goes
through ``bw.ingest`` into a store, twice.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
LOG = HERE / "fuzz_campaigns.jsonl"
SUMMARY = HERE / "fuzz_results.md"


def _harness():
    for p in (TESTS, TESTS / "fuzz"):
        if str(p) not in sys.path:
            sys.path.insert(0, str(p))
    import harness

    harness.fuzz_env()
    return harness


def worker(first: int, last: int, every: int, out: Path, progress: Path) -> None:
    """Cases ``first`` .. ``last - 1``, one JSON line each; ``progress`` names the case being
    read, so the parent knows which one took the process down."""
    h = _harness()
    crash_at = int(os.environ.get("BASEWATCH_FUZZ_CRASH_AT", "-1"))  # to test the runner
    with out.open("a") as fh:
        for n in range(first, last):
            progress.write_text(str(n))
            if n == crash_at:
                os.abort()
            r = h.run(n, every=every)
            fh.write(json.dumps(r.__dict__) + "\n")
            fh.flush()


@dataclass
class _Child:
    proc: subprocess.Popen
    first: int
    last: int
    out: Path
    progress: Path


def _spawn(first: int, last: int, every: int, tmp: Path, slot: int) -> _Child:
    out, progress = tmp / f"w{slot}.jsonl", tmp / f"w{slot}.progress"
    cmd = [sys.executable, __file__, "--worker", str(first), str(last), str(every)]
    cmd += [str(out), str(progress)]
    with out.with_suffix(".err").open("w") as err:  # a file: a full pipe would stall the child
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
    return _Child(proc, first, last, out, progress)


def _ranges(numbers: list[int]) -> list[list[int]]:
    """Case numbers → sorted [first, end) ranges."""
    out: list[list[int]] = []
    for n in sorted(set(numbers)):
        if out and out[-1][1] == n:
            out[-1][1] = n + 1
        else:
            out.append([n, n + 1])
    return out


def _collect(h, child: _Child, todo: list, over: bool) -> dict:
    """A finished child's chunk record; if it died, the case it died on (counted as a crash,
    not as a case), and the rest of its chunk back in the queue."""
    tally, done, crashes = h.Tally(), [], []
    if child.out.exists():
        for line in child.out.read_text().splitlines():
            try:
                r = h.Result(**json.loads(line))
            except (json.JSONDecodeError, TypeError):
                continue
            tally.add(r)
            done.append(r.n)
    if child.proc.returncode != 0:
        at = int(child.progress.read_text()) if child.progress.exists() else child.first
        err = h.local_paths_out(child.out.with_suffix(".err").read_text()[-500:])
        crashes.append(f"case {at}: exit {child.proc.returncode} {err}")
        done.append(at)
        if at + 1 < child.last and not over:
            todo.insert(0, (at + 1, child.last))  # the rest of its chunk, in a new child
    return dict(tally.as_record(), ranges=_ranges(done), crashes=len(crashes), crash_cases=crashes)


def run(
    start: int,
    cases: int,
    workers: int,
    seconds: float | None,
    chunk: int,
    every: int,
    on_chunk,
) -> dict:
    """Cases ``start`` .. ``start + cases - 1`` (fewer when ``seconds`` runs out);
    ``on_chunk(record)`` is called as each chunk finishes. Returns the campaign's totals."""
    h = _harness()
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"basewatch-fuzz-{os.getpid()}"
    tmp.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    cpu0 = os.times()
    end = start + cases
    todo = [(a, min(a + chunk, end)) for a in range(start, end, chunk)]
    running: list[_Child] = []
    total = h.Tally()
    crashes: list[str] = []
    slot = 0
    try:
        while todo or running:
            over = seconds is not None and time.monotonic() - t0 > seconds
            if over:
                todo = []
            while todo and len(running) < workers:
                first, last = todo.pop(0)
                running.append(_spawn(first, last, every, tmp, slot))
                slot += 1
            time.sleep(0.2)
            for child in [c for c in running if c.proc.poll() is not None]:
                running.remove(child)
                rec = _collect(h, child, todo, over)
                total.merge(rec)
                crashes += rec["crash_cases"]
                child.out.unlink(missing_ok=True)
                on_chunk(rec)
    finally:  # stopped early (Ctrl-C, kill): no child is left running, what they did is kept
        for child in running:
            child.proc.kill()
            child.proc.wait()
            child.proc.returncode = 0  # stopped, not crashed: its finished cases count
            rec = _collect(h, child, [], True)
            if rec["cases"]:
                total.merge(rec)
                on_chunk(rec)
    cpu1 = os.times()
    cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
    return dict(
        total.as_record(),
        crashes=len(crashes),
        crash_cases=crashes[: h.LISTED],
        retention=round(total.retention, 5),
        wall_seconds=round(time.monotonic() - t0, 1),
        cpu_seconds=round(cpu, 1),
    )


# --- the campaign log and its summary ------------------------------------------------------------


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _append(path: Path, rec: dict) -> None:
    with path.open("a") as fh:
        fh.write(json.dumps(rec) + "\n")


def recorded(lines: list[dict]) -> list[list[int]]:
    """Every case range the log holds, merged."""
    return _merge([r for line in lines if line["type"] == "chunk" for r in line["ranges"]])


def _merge(spans: list[list[int]]) -> list[list[int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=HERE, capture_output=True, text=True, check=False
        ).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "../src", "../tests", ".")
    return sha + ("+changes" if dirty else "")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _span_text(ranges: list[list[int]]) -> str:
    text = ", ".join(f"{a:,}–{b - 1:,}" for a, b in ranges[:4])
    return text + (f" (+{len(ranges) - 4} more)" if len(ranges) > 4 else "")


def summary(lines: list[dict]) -> str:
    h = _harness()
    camps = {
        line["id"]: dict(line, tally=h.Tally(), crashes=0, ranges=[])
        for line in lines
        if line["type"] == "campaign"
    }
    total, crash_cases = h.Tally(), []
    for line in lines:
        c = camps.get(line.get("campaign"))
        if c is None:
            continue
        if line["type"] == "chunk":
            for t in (c["tally"], total):
                t.merge(line)
            c["crashes"] += line["crashes"]
            crash_cases += line["crash_cases"]
            c["ranges"] += line["ranges"]
        elif line["type"] == "end":
            c.update(wall_seconds=line["wall_seconds"], cpu_seconds=line["cpu_seconds"])
            c["stopped"] = line.get("stopped", False)
            c["load_end"] = line["load"]
    crashes = sum(c["crashes"] for c in camps.values())
    run_through = sum(c["tally"].cases for c in camps.values())
    out = [
        "# Reader fuzzing",
        "",
        "Written by `python benchmarks/fuzz_readers.py` from its campaign log "
        "(`benchmarks/fuzz_campaigns.jsonl`): totals over every campaign recorded.",
        "",
        "| | |",
        "| --- | --- |",
        f"| cases | {total.cases:,} (case numbers {_span_text(recorded(lines))}) |",
        f"| process crashes | {crashes} |",
        f"| exceptions out of a reader (or rows that do not fit their table) | {total.errors} |",
        f"| runs through the store (ingested twice) | {total.pipeline_runs:,}, "
        f"failed or not idempotent: {total.pipeline_failures} |",
        f"| valid-row retention (cases where damage can be placed) | {total.retention:.3%} "
        f"({total.kept:,} of {total.expected:,}) |",
        f"| cases below 99 % retention | {total.short:,} |",
        "",
        "Cases by mutation: " + ", ".join(f"{k} {v:,}" for k, v in sorted(total.by_kind.items())),
        "",
        "Cases by format: " + ", ".join(f"{k} {v:,}" for k, v in sorted(total.by_format.items())),
        "",
        "## Campaigns",
        "",
        "| started (UTC) | code | cases | crashes | exceptions | store runs failed | retention "
        "| below 99 % | wall s | CPU s | cases per CPU s | load at start |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in camps.values():
        t = c["tally"]
        wall, cpu = c.get("wall_seconds"), c.get("cpu_seconds")
        rate = f"{t.cases / cpu:.1f}" if cpu else "–"
        out.append(
            f"| {c['started'][:16]} | {c['commit']} | {t.cases:,} ({_span_text(_merge(c['ranges']))}) "
            f"| {c['crashes']} | {t.errors} | {t.pipeline_failures} of {t.pipeline_runs:,} "
            f"| {t.retention:.3%} | {t.short:,} | {wall if wall is not None else '–'}"
            f"{' (stopped)' if c.get('stopped') else ''} "
            f"| {cpu if cpu is not None else '–'} | {rate} | {c['load']} |"
        )
    out.append("")
    for c in camps.values():
        out.append(
            f"- {c['started'][:16]}: `{c['command']}`"
            + (f" — {c['note']}" if c.get("note") else "")
        )
    out.append("")
    assert run_through == total.cases
    for title, listed in (
        ("Crashes", crash_cases[: h.LISTED]),
        ("Exceptions", total.error_cases),
        ("Store runs that failed", total.pipeline_failure_cases),
        ("Cases below 99 % retention", total.short_cases),
    ):
        if listed:
            out += [f"## {title} (first {h.LISTED})", ""]
            out += [f"- {x.splitlines()[0]}" for x in listed] + [""]
    return "\n".join(out)


def _command(args) -> str:
    """The command as recorded: the log and summary files are named as in the repository
    (a campaign may run from a copy of the code and write to the repository's files)."""
    argv, out = sys.argv[1:], []
    named = {"--log": LOG.name, "--summary-out": SUMMARY.name}
    i = 0
    while i < len(argv):
        if argv[i] in named and i + 1 < len(argv) and Path(argv[i + 1]).name == named[argv[i]]:
            i += 2  # the default file, wherever this copy writes it from
            continue
        out.append(argv[i])
        i += 1
    return "python benchmarks/fuzz_readers.py " + " ".join(out)


def profile(start: int, cases: int) -> str:
    """CPU seconds of ``cases`` cases read in this process (no store runs), split into the
    readers' own work (``harness.read``), making the case and checking it, and the child's
    start (imports, seeds, baselines), by format and by mutation."""
    t0 = time.process_time()
    h = _harness()
    for i in range(len(h.seeds())):
        h.baseline(i)
    startup = time.process_time() - t0
    spent: dict[str, float] = {"read": 0.0}
    read = h.read

    def timed(*args):
        t = time.process_time()
        try:
            return read(*args)
        finally:
            spent["read"] += time.process_time() - t

    h.read = timed
    by_fmt: dict[str, list[float]] = {}
    by_kind: dict[str, list[float]] = {}
    total = 0.0
    try:
        for n in range(start, start + cases):
            t = time.process_time()
            r = h.run(n, pipeline=False)
            dt = time.process_time() - t
            total += dt
            for key, table in ((r.fmt, by_fmt), (r.kind, by_kind)):
                row = table.setdefault(key, [0, 0.0])
                row[0] += 1
                row[1] += dt
    finally:
        h.read = read
    out = [
        f"{cases} cases from {start}: {total:.2f} CPU s, {cases / total:.1f} cases per CPU s; "
        f"the readers {spent['read'] / total:.0%}, making and checking the cases "
        f"{1 - spent['read'] / total:.0%}; the child's start {startup:.2f} CPU s "
        f"(once per chunk); load {_load()}",
    ]
    for title, table in (("format", by_fmt), ("mutation", by_kind)):
        out += [
            "",
            f"| {title} | cases | CPU s | ms per case | share |",
            "| --- | --- | --- | --- | --- |",
        ]
        for key, (k, sec) in sorted(table.items(), key=lambda kv: -kv[1][1]):
            out.append(f"| {key} | {k} | {sec:.2f} | {sec / k * 1000:.1f} | {sec / total:.0%} |")
    return "\n".join(out)


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        first, last, every, out, prog = sys.argv[2:7]
        worker(int(first), int(last), int(every), Path(out), Path(prog))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=1_000_000)
    ap.add_argument("--start", type=int, default=None, help="first case (default: after the log)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=None, help="stop starting chunks after this")
    ap.add_argument("--chunk", type=int, default=2000, help="cases per child process")
    ap.add_argument(
        "--pipeline-every", type=int, default=None, help="one case in N through the store"
    )
    ap.add_argument("--log", type=Path, default=LOG, help="the campaign log (appended to)")
    ap.add_argument("--summary-out", type=Path, default=SUMMARY)
    ap.add_argument("--note", default="", help="a note kept with the campaign")
    ap.add_argument("--no-write", action="store_true", help="print the figures only")
    ap.add_argument("--summary", action="store_true", help="rewrite the summary from the log")
    ap.add_argument("--replay", type=int, default=None, help="run one case in this process")
    ap.add_argument("--profile", type=int, default=None, help="where N cases spend their CPU")
    args = ap.parse_args()
    if args.profile is not None:
        print(profile(args.start if args.start is not None else 1_000_000_000, args.profile))
        return
    if args.replay is not None:
        h = _harness()
        c = h.case(args.replay)
        print(c.seed.name, c.kind, c.where, len(c.data), "bytes")
        print(h.run(args.replay, pipeline=True))
        return
    if args.summary:
        args.summary_out.write_text(summary(read_log(args.log)))
        return
    every = args.pipeline_every or _harness().PIPELINE_EVERY
    lines = [] if args.no_write else read_log(args.log)
    done = recorded(lines)
    start = args.start if args.start is not None else (done[-1][1] if done else 0)
    clash = [r for r in done if r[0] < start + args.cases and start < r[1]]
    if clash:
        sys.exit(f"cases {_span_text(clash)} are already in {args.log}; leave out --start")
    camp = {
        "type": "campaign",
        "id": datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": _command(args),
        "commit": _commit(),
        "workers": args.workers,
        "pipeline_every": every,
        "first_case": start,
        "load": _load(),
        "note": args.note,
    }
    if args.no_write:
        on_chunk = lambda rec: None  # noqa: E731
    else:
        _append(args.log, camp)

        def on_chunk(rec: dict) -> None:
            _append(args.log, dict(rec, type="chunk", campaign=camp["id"]))

    signal.signal(signal.SIGTERM, _stop)  # ``kill``: as Ctrl-C, the finished chunks kept
    res = None
    t0, cpu0 = time.monotonic(), os.times()
    try:
        res = run(start, args.cases, args.workers, args.seconds, args.chunk, every, on_chunk)
    finally:
        if not args.no_write:
            lines = read_log(args.log)
            cpu1 = os.times()  # of the children reaped (all of them, unless killed)
            cpu = cpu1.children_user - cpu0.children_user
            cpu += cpu1.children_system - cpu0.children_system
            end = {"wall_seconds": round(time.monotonic() - t0, 1), "cpu_seconds": round(cpu, 1)}
            end["stopped"] = res is None
            _append(args.log, dict(end, type="end", campaign=camp["id"], load=_load()))
            lines = read_log(args.log)
            args.summary_out.write_text(summary(lines))
    print(json.dumps(dict(res or {}, first_case=start, workers=args.workers), indent=1))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # the finished chunks are in the log already
        sys.exit(130)
