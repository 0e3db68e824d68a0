"""Build the large store the web benchmark reads: the Khmeimim scenario stretched over a whole
year with busy civil traffic around it (Moscow, Istanbul, Antalya, Cyprus, the Levant).

    python benchmarks/web_store.py OUT_DIR [--scale 1.0]

Writes OUT_DIR/archive (readsb globe_history) and OUT_DIR/bench.duckdb, then runs the same
steps as ``basewatch demo``: ingest, aircraft database, process, news, watches. ``--scale``
multiplies the civil traffic (1.0 gives 47.5 M trace points in 2025; 0.02 a quick small
store); ``--before 0.1`` adds the civil traffic of 2024 at that scale.
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


def build(out: Path, scale: float, before: float = 0.0) -> Path:
    """Simulate (unless already there) and ingest 2025 at ``scale`` and, with ``before`` > 0,
    the civil traffic of 2024 at that scale."""
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
        say(api.ingest([folder / "globe_history"], db=db).summary())
        say(
            f"aircraft: {api.import_aircraft(folder / 'aircraft.csv', db=db, source=f'sim-{year}').rows_stored}"
        )
    say(api.process(db).summary())
    say(api.news_add([ARTICLES], db=db).summary())
    say(api.watch(db).summary())
    return db


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--before", type=float, default=0.0, help="scale of 2024's civil traffic")
    args = ap.parse_args()
    build(args.out, args.scale, args.before)


if __name__ == "__main__":
    main()
