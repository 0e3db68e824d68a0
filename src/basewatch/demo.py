"""``basewatch demo``: the seed case end to end, from nothing.

Simulate the khmeimim-2025 scenario as a readsb globe_history archive, ingest it, import the
scenario's aircraft database (as a user brings tar1090-db), find flights and airfield events,
read the project's own articles about the case, run the shipped base watches, and print the
Khmeimim base report and timeline: the resumption of Russian
state flights after the six-month gap, the An-124 flights of 24–29 October and the Il-62M's
Libya → Latakia → Moscow-region route, each with its supporting flights.
"""

from __future__ import annotations

import shlex
import shutil
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from . import api

SCENARIO = "khmeimim-2025"
ARTICLES = Path(str(resources.files("basewatch") / "data" / "articles" / "khmeimim-2025"))
FOCUS = "oslk-russian-state"

# real samples shipped with the package (MIT, from the traffic library)
SAMPLES = [
    ("trace_full_ac671b.json", None),
    ("dump1090_sample.bin", None),
    ("rs1090_full_flight_short.jsonl.gz", (49.0097, 2.5479)),
]


def sample_path(name: str) -> Path:
    return Path(str(resources.files("basewatch") / "data" / "samples" / name))


def default_workdir() -> Path:
    """Where the demo keeps its archive and store when not told: the user data folder, so the
    store is there to explore after the demo (and the next demo starts it afresh)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("basewatch")) / "demo"


def hints(db: str) -> list[str]:
    """Commands to go on with, each runnable as printed."""
    d = shlex.quote(db)
    return [
        f"basewatch brief --db {d} --watch {FOCUS} --format html -o khmeimim.html",
        f"basewatch flights --db {d} --base OSLK --type A124 --since 2025-10-20",
        f"basewatch events --db {d} --icao24 1554a1 --since 2025-10-26 --until 2025-10-26",
        f"basewatch chart --db {d} --watch {FOCUS} -o khmeimim.png",
        f"basewatch timeline --db {d} --watch {FOCUS} --since 2025-10-01",
    ]


def run_demo(db: str | None = None, workdir: str | None = None) -> Iterator[str]:
    """Yield the demo's lines as they come."""
    if workdir is None:
        work = default_workdir()
        # the demo's own folder: the previous demo's archive and store make way for this one
        shutil.rmtree(work / "archive", ignore_errors=True)
        for old in (work / "demo.duckdb", work / "demo.duckdb.wal"):
            old.unlink(missing_ok=True)
    else:
        work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    db = db or str(work / "demo.duckdb")
    t0 = time.perf_counter()
    yield f"store: {db} (kept after the demo, to explore)"
    sim = api.simulate(SCENARIO, work / "archive", format="trace_full")
    yield (
        f"1. simulated {SCENARIO}: {sim.flights:,} flights, {sim.records:,} trace points in "
        f"{sim.files:,} readsb files ({sim.start[:10]} to {sim.end[:10]}, archive days "
        f"missing: {', '.join(sim.missing_days) or 'none'}) in {sim.seconds:.0f} s"
    )
    report = api.ingest([work / "archive" / "globe_history"], db=db)
    yield f"2. {report.summary()}"
    imported = api.import_aircraft(work / "archive" / "aircraft.csv", db=db)
    yield f"3. aircraft database: {imported.rows_stored:,} aircraft imported"
    yield f"4. {api.process(db).summary()}"
    news = api.news_add([ARTICLES], db=db)
    yield f"5. {news.summary()} (the project's own articles about the case)"
    yield f"6. {api.watch(db).summary()}"
    yield ""
    yield api.report(db, names=[FOCUS])
    yield ""
    yield "Timeline (changes, movements of the watched aircraft, news linked to them):"
    for row in api.timeline(db, FOCUS).itertuples():
        gap = f"+{row.days_after_prev:.1f} d" if row.days_after_prev == row.days_after_prev else ""
        yield f"  {row.ts:%Y-%m-%d %H:%M}Z {gap:>9}  {row.kind:8} {row.title}"
    yield ""
    yield "Brief (every sentence cites its evidence):"
    yield ""
    yield api.brief(db, watch=FOCUS)
    yield f"demo finished in {time.perf_counter() - t0:.0f} s"
    yield ""
    yield "Go on from here (the store stays where it is):"
    for line in hints(db):
        yield f"  {line}"
