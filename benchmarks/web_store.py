"""Build the large store the web benchmark reads: the Khmeimim scenario stretched over a whole
year with busy civil traffic around it (Moscow, Istanbul, Antalya, Cyprus, the Levant).

    python benchmarks/web_store.py OUT_DIR [--scale 1.0]

Writes OUT_DIR/archive (readsb globe_history) and OUT_DIR/bench.duckdb, then runs the same
steps as ``basewatch demo``: ingest, aircraft database, process, news, watches. ``--scale``
multiplies the civil traffic (1.0 gives 47.5 M trace points in 2025; 0.02 a quick small
store); ``--before 0.1`` adds the civil traffic of 2024 at that scale.

``--copied`` builds a store of more than 50 M positions in a fraction of the ingest time (on
a shared 2-core machine the ingest of the whole year ran at about 0.5 M positions a minute):
it ingests the first half of 2025 (23.3 M positions at scale 1.0), then stores those
positions again shifted 182 days on (July to December), and October to December again 364
days back (the end of 2024): 58.2 M positions, the same aircraft and hours of the day, new
position ids. ``process`` then derives flights and events from all of them.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path

from basewatch import api
from basewatch.airfields import load_reference
from basewatch.demo import ARTICLES
from basewatch.simulator.scenario import find_scenario, parse_scenario

# busy civil airfields in reach of the scenario's receivers: (airfield, flights a day, others,
# ICAO block, registration prefix, callsign prefix, country)
CIVIL = [
    ("UUEE", 110, ["UUDD", "URSS", "URRP", "LTAI", "UGTB", "ULLI"], "140000-14FFFF", "RA-", "AFL", "Russia"),
    ("UUDD", 60, ["UUEE", "URSS", "LTAI", "LTBA", "URRP"], "140000-14FFFF", "RA-", "SBI", "Russia"),
    ("LTBA", 90, ["LTAI", "LTAC", "LTFJ", "LCLK", "OSDI", "OJAI"], "4B8000-4BFFFF", "TC-", "THY", "Turkey"),
    ("LTAI", 70, ["LTBA", "LTAC", "UUEE", "LCLK", "OLBA"], "4B8000-4BFFFF", "TC-", "PGT", "Turkey"),
    ("LCLK", 40, ["LTBA", "OLBA", "OJAI", "LLBG", "LGAV"], "4C8000-4C83FF", "5B-", "CYP", "Cyprus"),
    ("OSDI", 25, ["OSLK", "OJAI", "OLBA", "LTBA", "OMSJ"], "778000-77FFFF", "YK-", "SYR", "Syria"),
    ("OJAI", 30, ["OSDI", "OLBA", "LTBA", "LCLK", "OEJN"], "740000-747FFF", "JY-", "RJA", "Jordan"),
]  # fmt: skip


def scenario(scale: float, year: int = 2025):
    path = find_scenario("khmeimim-2025")
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    doc["scenario"].update(
        name=f"web-bench-{year}",
        start=f"{year}-01-01T00:00:00Z",
        end=f"{year + 1}-01-01T00:00:00Z",
        seed=year,
    )
    if year != 2025:  # the year before: civil traffic only, the state flights are 2025's
        for key in ("rotation", "flight", "outage"):
            doc.pop(key, None)
        doc["scenario"]["missing_days"] = []
    for code, per_day, others, block, reg, cs, country in CIVIL:
        doc.setdefault("background", []).append(
            {
                "airfield": code,
                "per_day": round(per_day * scale, 2),
                "types": ["A320", "A321", "B738"],
                "others": others,
                "fleet": max(4, int(per_day * scale / 2)),
                "country": country,
                "icao_block": block,
                "registration_prefix": reg,
                "callsign_prefix": cs,
            }
        )
    return parse_scenario(doc, load_reference(), where="web-bench")


# (days shifted, from when): the positions stored again by --copied, in this order
COPIES = ((182, "2025-01-01"), (-364, "2025-10-01"))


def copy_positions(db: Path) -> int:
    """Store the positions again as ``COPIES`` says; returns how many the store holds."""
    from basewatch.store import open_store

    with open_store(db) as store:
        cols = [r[0] for r in store.con.execute("DESCRIBE position_rows").fetchall()]
        for k, (shift, since) in enumerate(COPIES, 1):
            select = ", ".join(
                f"hash(position_id, {k})::UBIGINT" if c == "position_id"
                else f"ts + INTERVAL ({shift}) DAY" if c == "ts"
                else c
                for c in cols
            )  # fmt: skip
            store.con.execute(
                f"INSERT INTO position_rows SELECT {select} FROM position_rows WHERE ts >= ?",
                [since],
            )
        return store.scalar("SELECT count(*) FROM position_rows")


def build(
    out: Path, scale: float, before: float = 0.0, copied: bool = False, jobs: int = 1
) -> Path:
    """Simulate (unless already there) and ingest 2025 at ``scale`` and, with ``before`` > 0,
    the civil traffic of 2024 at that scale; ``copied``: the first half of 2025 only, then
    ``copy_positions``."""
    out.mkdir(parents=True, exist_ok=True)
    db = out / "bench.duckdb"
    t = time.perf_counter()

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - t:7.0f} s] {msg}", flush=True)

    years = [(2025, scale, out / "archive")] + (
        [(2024, before, out / "archive-2024")] if before else []
    )
    for year, s, folder in years:
        if not (folder / "aircraft.csv").exists():
            sim = api.simulate(scenario(s, year), folder, format="trace_full")
            say(f"simulated {year}: {sim.flights:,} flights, {sim.records:,} trace points")
    for year, _, folder in years:
        days = sorted((folder / "globe_history").iterdir())
        if copied:
            days = [d for d in days if d.name < f"{year}-07-01"]
        say(api.ingest(days, db=db, jobs=jobs).summary())
        say(
            f"aircraft: {api.import_aircraft(folder / 'aircraft.csv', db=db, source=f'sim-{year}').rows_stored}"
        )
    if copied:
        say(f"positions copied on and back: {copy_positions(db):,} positions in the store")
    say(api.process(db, full=copied, jobs=jobs).summary())
    say(api.news_add([ARTICLES], db=db).summary())
    say(api.watch(db).summary())
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--before", type=float, default=0.0, help="scale of 2024's civil traffic")
    ap.add_argument(
        "--copied",
        action="store_true",
        help="ingest January to June, then store those positions again (> 50 M in all)",
    )
    ap.add_argument("--jobs", type=int, default=1, help="worker processes of ingest and process")
    args = ap.parse_args()
    build(args.out, args.scale, args.before, args.copied, args.jobs)


if __name__ == "__main__":
    main()
