"""``basewatch demo``: ingest the shipped samples and say what was found."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from . import api
from .store import open_store

# (sample, receiver position) — the rs1090 capture was made near Paris-CDG
SAMPLES = [
    ("trace_full_ac671b.json", None),
    ("dump1090_sample.bin", None),
    ("rs1090_full_flight_short.jsonl.gz", (49.0097, 2.5479)),
]


def sample_path(name: str) -> Path:
    return Path(str(resources.files("basewatch") / "data" / "samples" / name))


def run_demo(db: str | None = None) -> Iterator[str]:
    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix="basewatch-demo-")
        db = str(Path(tmp.name) / "demo.duckdb")
    try:
        yield f"store: {db}"
        for name, receiver in SAMPLES:
            report = api.ingest([sample_path(name)], db=db, receiver=receiver)
            yield f"{name}: {report.summary()}"
        with open_store(db, read_only=True) as store:
            rows = store.con.execute(
                """
                SELECT p.icao24, any_value(p.callsign) FILTER (WHERE p.callsign IS NOT NULL) AS callsign,
                       any_value(a.registration) AS reg, any_value(a.type_code) AS type,
                       count(*) AS n, min(p.ts) AS first, max(p.ts) AS last,
                       max(p.alt_baro_ft) AS max_alt, sum(p.on_ground::INT) AS ground
                FROM positions p LEFT JOIN aircraft_observed a USING (icao24)
                GROUP BY p.icao24 ORDER BY n DESC
                """
            ).fetchall()
            yield f"found {len(rows)} aircraft:"
            for icao, cs, reg, typ, n, first, last, alt, ground in rows:
                yield (
                    f"  {icao} {cs or '(no callsign)':8} {reg or '':7} {typ or '':4} {n:6,} positions "
                    f"{first:%Y-%m-%d %H:%M}–{last:%H:%M} UTC, max {alt or 0:,} ft, {ground or 0:,} on ground"
                )
    finally:
        if tmp is not None:
            tmp.cleanup()
