"""Kill each writing command with SIGKILL at random moments and check the store after a re-run.

Run as a script (the test does, in a subprocess): basewatch is imported once, then every run of
a command happens in a forked child, so a trial costs the command's own time only. For each
command: one clean run on a fresh copy of the starting store gives the expected tables; then
each trial runs the command on a fresh copy, kills it with SIGKILL after a random delay
(within the clean run's duration), runs it again to the end, and compares the tables (row
for row, leaving out what differs between runs by nature: run ids and times, and the "new
rows" counts of a re-run). Prints one JSON line per command: trials, kills that landed while
the command ran, mismatches.

    python tests/kill_driver.py WORKDIR --trials 20 --seed 7 [--commands ingest,process]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "basewatch" / "data" / "samples"
ARTICLES = SAMPLES.parent / "articles" / "khmeimim-2025"

# what a re-run may rightly differ in: ids and times of runs, and "new" counts
VOLATILE = {
    "sources": ["run_id", "ingested_at", "rows_added"],
    "articles": ["run_id", "duplicates"],
    "aircraft_db": ["run_id", "imported_at"],
    "processed_sources": ["run_id"],
}
TABLES = [
    "position_rows",
    "callsigns",
    "sources",
    "aircraft_observed",
    "flights",
    "airfield_events",
    "data_windows",
    "processed_sources",
    "aircraft_db",
    "aircraft",
    "articles",
    "news_events",
    "news_entities",
    "base_days",
    "base_activity",
    "base_changes",
    "base_routes",
    "timeline",
]


def snapshot(db: Path) -> dict:
    from basewatch.store import open_store

    out = {}
    with open_store(db, read_only=True) as store:
        for t in TABLES:
            drop = VOLATILE.get(t)
            cols = f"* EXCLUDE ({', '.join(drop)})" if drop else "*"
            n, digest = store.con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r::VARCHAR, '|' ORDER BY r::VARCHAR), '')) "
                f"FROM (SELECT {cols} FROM {t}) r"
            ).fetchone()
            out[t] = [n, digest]
    return out


def in_child(fn) -> int:
    """Run fn() in a forked child; returns its pid (exit 0 on success, 1 on error)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the exit code
            print(f"child error: {type(exc).__name__}: {exc}", file=sys.stderr)
            code = 1
        finally:
            os._exit(code)
    return pid


def wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def commands(work: Path) -> dict:
    import basewatch as bw

    tar1090 = work / "tar1090.csv"
    tar1090.write_text(
        "".join(
            f"{0x152000 + i:06x};RA-{86000 + i};IL62;10;Ilyushin Il-62M;;;\n" for i in range(400)
        )
        + "ac671b;N899DN;B739;00;Boeing 737-900;;;\n"
    )
    inputs = [str(SAMPLES / "trace_full_ac671b.json"), str(SAMPLES / "dump1090_sample.bin")]
    return {
        # (what to run, the store it starts from)
        "ingest": (lambda db: bw.ingest(inputs, db=db, start="2024-07-06T10:00Z"), "empty"),
        "process": (lambda db: bw.process(db=db), "ingested"),
        "aircraft import": (lambda db: bw.import_aircraft(tar1090, db=db), "ingested"),
        "watch": (lambda db: bw.watch(db=db), "processed"),
        "news add": (
            lambda db: bw.news_add([str(ARTICLES)], db=db, bases=()),
            "processed",
        ),
    }


def prepare(work: Path) -> dict[str, Path]:
    """The starting stores: empty, with positions, with flights."""
    import basewatch as bw
    from basewatch.store import open_store

    stores = {k: work / f"start-{k}.duckdb" for k in ("empty", "ingested", "processed")}
    for p in stores.values():
        p.unlink(missing_ok=True)
    inputs = [str(SAMPLES / "trace_full_ac671b.json"), str(SAMPLES / "dump1090_sample.bin")]

    def make():
        open_store(stores["empty"]).close()
        bw.ingest(inputs, db=stores["ingested"], start="2024-07-06T10:00Z")
        shutil.copy(stores["ingested"], stores["processed"])
        bw.process(db=stores["processed"])

    assert wait(in_child(make)) == 0, "could not prepare the starting stores"
    return stores


def trial_store(start: Path, dest: Path) -> Path:
    for p in (dest, dest.with_suffix(dest.suffix + ".wal")):
        p.unlink(missing_ok=True)
    shutil.copy(start, dest)
    return dest


def run_command(name: str, fn, start: Path, work: Path, trials: int, rng: random.Random) -> dict:
    db = trial_store(start, work / "clean.duckdb")
    t0 = time.perf_counter()
    assert wait(in_child(lambda: fn(db))) == 0, f"{name}: the clean run failed"
    took = time.perf_counter() - t0
    expected = snapshot(db)
    landed = 0
    bad = []
    for k in range(trials):
        db = trial_store(start, work / f"trial-{k % 2}.duckdb")
        pid = in_child(lambda db=db: fn(db))
        time.sleep(rng.uniform(0.0, took * 1.1))
        try:
            os.kill(pid, signal.SIGKILL)
            done_before = False
        except ProcessLookupError:
            done_before = True
        code = wait(pid)
        landed += int(not done_before and code == -signal.SIGKILL)
        if wait(in_child(lambda db=db: fn(db))) != 0:
            bad.append({"trial": k, "problem": "the re-run failed"})
            continue
        got = snapshot(db)
        diff = sorted(t for t in TABLES if got[t] != expected[t])
        if diff:
            bad.append({"trial": k, "tables": {t: [got[t], expected[t]] for t in diff}})
    return {
        "command": name,
        "trials": trials,
        "killed_while_running": landed,
        "clean_seconds": round(took, 2),
        "mismatches": bad,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("workdir", type=Path)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--commands", default="ingest,process,aircraft import,watch,news add")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    # load what every child needs once, here (compiled kernels, the language model)
    import basewatch.stages.process  # noqa: F401
    from basewatch.news.nlp import load_pipeline

    load_pipeline(())
    stores = prepare(args.workdir)
    cmds = commands(args.workdir)
    rng = random.Random(args.seed)
    failed = False
    for name in args.commands.split(","):
        fn, start = cmds[name]
        result = run_command(name, fn, stores[start], args.workdir, args.trials, rng)
        print(json.dumps(result), flush=True)
        failed |= bool(result["mismatches"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
