"""Run a scenario: plan the traffic, write one format day by day, write the truth beside it."""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..airfields import load_reference
from ..errors import ConfigError
from . import writers
from .coverage import Coverage
from .observe import raw_messages, state_vectors, trace_points
from .scenario import Scenario, day_range, load_scenario
from .traffic import plan_traffic, rng_for
from .truth import write_truth

log = logging.getLogger(__name__)

FORMAT_ALIASES = {"opensky_csv": "opensky-csv", "opensky": "opensky-csv", "trace": "trace_full"}


@dataclass(slots=True)
class SimReport:
    scenario: str
    format: str
    seed: int
    out: str
    start: str
    end: str
    flights: int = 0
    movements: int = 0
    records: int = 0  # trace points, frames, lines or state vectors written
    files: int = 0
    seconds: float = 0.0
    visibility: dict[str, int] = field(default_factory=dict)
    missing_days: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        vis = ", ".join(f"{k} {v}" for k, v in sorted(self.visibility.items()))
        return (
            f"{self.scenario} ({self.format}, seed {self.seed}): {self.flights} flights, "
            f"{self.movements} movements ({vis}); {self.records:,} records in {self.files} files "
            f"under {self.out} in {self.seconds:.1f} s"
        )


def check_format(fmt: str) -> str:
    f = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
    if f not in writers.FORMATS:
        raise ConfigError(
            f"unknown simulate format {fmt!r}; choose one of: {', '.join(writers.FORMATS)}"
        )
    return f


def simulate(
    scenario: str | Path | Scenario,
    out: str | Path,
    format: str = "trace_full",
    seed: int | None = None,
) -> SimReport:
    """Write ``scenario`` in ``format`` under ``out``, with truth_*.csv and aircraft.csv."""
    t_start = time.perf_counter()
    fmt = check_format(format)
    ref = load_reference()
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, ref)
    seed = sc.seed if seed is None else int(seed)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a folder")
    _prepare(out)
    traffic = plan_traffic(sc, ref, seed)
    cov = Coverage(sc)
    report = SimReport(
        scenario=sc.name,
        format=fmt,
        seed=seed,
        out=str(out),
        start=sc.start.isoformat(),
        end=sc.end.isoformat(),
        missing_days=[d.isoformat() for d in sc.missing_days],
    )
    missing = set(sc.missing_days)
    profiles = traffic.profiles
    # flights by the days they touch
    by_day: dict[float, list] = defaultdict(list)
    for p in profiles:
        d = int(p.start // 86400)
        while d * 86400 <= p.end:
            by_day[d * 86400.0].append(p)
            d += 1
    for day in day_range(sc.start, sc.end):
        if day in missing:
            continue
        day0 = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        todays = by_day.get(day0, [])
        records, files = _write_day(out, fmt, day0, todays, sc, cov, ref, seed)
        report.records += records
        report.files += files
    truth = write_truth(
        out, profiles, traffic.aircraft, cov, ref, tuple(b.airfield for b in sc.background)
    )
    (out / "receivers.csv").write_text(writers.receiver_list(sc.receivers))
    report.flights = truth["flights"]
    report.movements = truth["movements"]
    report.visibility = truth["visibility"]
    report.seconds = time.perf_counter() - t_start
    manifest = report.as_dict()
    manifest.pop("seconds")
    manifest.pop("out")
    manifest["outages"] = [
        {"receiver": o.receiver or "*", "start": o.start.isoformat(), "end": o.end.isoformat()}
        for o in sc.outages
    ]
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log.info(report.summary())
    return report


OUTPUTS = ("globe_history", "receivers", "opensky")
OUTPUT_FILES = (
    "truth_movements.csv",
    "truth_flights.csv",
    "truth_coverage.csv",
    "aircraft.csv",
    "receivers.csv",
    "captures.csv",
    "manifest.json",
)


def _prepare(out: Path) -> None:
    """An empty folder, or an earlier simulation's output (cleared so runs never mix)."""
    if out.is_dir() and any(out.iterdir()):
        if not (out / "manifest.json").is_file():
            raise ConfigError(
                f"--out {out}: folder is not empty and holds no earlier simulation; "
                "give a new or empty folder"
            )
        for name in OUTPUTS:
            shutil.rmtree(out / name, ignore_errors=True)
        for name in OUTPUT_FILES:
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def _write_day(
    out: Path, fmt: str, day0: float, todays, sc: Scenario, cov, ref, seed: int
) -> tuple[int, int]:
    faults = sc.faults
    if fmt == "trace_full":
        per_aircraft: dict[str, list] = defaultdict(list)
        for p in todays:
            obs = trace_points(p, cov, ref, faults, seed, day0)
            if obs is not None:
                per_aircraft[p.flight.icao24].append((p, obs))
        n = writers.to_trace_full(out, day0, per_aircraft, faults, seed) if per_aircraft else 0
        return n, len(per_aircraft)
    if fmt == "opensky-csv":
        day = [
            (p, o)
            for p in todays
            if (o := state_vectors(p, cov, ref, faults, seed, day0)) is not None
        ]
        rng = rng_for(seed, "opensky", str(int(day0)))
        n = writers.to_opensky_csv(
            out / "opensky" / f"states_{writers.day_name(day0)}.csv", day, faults, rng
        )
        return n, int(n > 0)
    day = [
        (p, o)
        for p in todays
        if (o := raw_messages(p, cov, ref, faults, seed, day0, sc.raw_rate)) is not None
    ]
    records = files = 0
    name = writers.day_name(day0)
    captures: list = []
    for r_index, r in enumerate(sc.receivers):
        rng = rng_for(seed, fmt, r.name, str(int(day0)))
        if fmt == "sbs":
            n = writers.to_sbs(
                out / "receivers" / r.name / f"{name}.sbs", day, r_index, faults, rng
            )
        else:
            ts, frames, _ = writers.receiver_frames(day, r_index, faults, rng)
            if not frames:
                continue
            write = writers.to_beast if fmt == "beast" else writers.to_avr
            rel = f"receivers/{r.name}/{name}.{fmt}"
            n = write(out / rel, ts, frames, rng)
            captures.append((rel, r, float(ts[0]), float(ts[-1])))
        records += n
        files += int(n > 0)
    if captures:
        _list_captures(out, captures)
    return records, files


def _list_captures(out: Path, captures: list) -> None:
    """captures.csv: each raw capture's receiver and first/last frame times, for --start."""
    from .truth import iso

    path = out / "captures.csv"
    new = not path.exists()
    with path.open("a") as fh:
        if new:
            fh.write("path,receiver,lat,lon,first_frame,last_frame\n")
        for rel, r, first, last in captures:
            fh.write(f"{rel},{r.name},{r.lat},{r.lon},{iso(first)},{iso(last)}\n")
